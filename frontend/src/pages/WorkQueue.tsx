// The first screen after login: what waits for me, by kind, each item linking to where
// its step is taken. The frame loads the queue (its counts are in the menu too).
import type { Me } from "../api";
import { useUi } from "../context";
import { formatDate, formatTime } from "../documents/i18n";
import { ErrorLine, UrgencyBadge } from "../documents/ui";
import { pathOf, type WorkItem, type WorkQueue as Queue } from "../work/api";
import { kindKey, useWorkT } from "../work/i18n";

export function WorkQueue({ me, queue, error }: { me: Me; queue: Queue | null; error: unknown }) {
  const { t } = useUi();
  const w = useWorkT();
  const roles = me.memberships.map((m) => `${m.roles.map((r) => t(`role_${r}`)).join(", ")} — ${m.agency.name}`);
  return (
    <section aria-labelledby="work-title" className="work">
      <h1 id="work-title">{w("title")}</h1>
      <p className="greeting">
        {t("hello")}, <strong>{me.user.full_name}</strong>
        {roles.length > 0 ? <span className="muted"> · {roles.join("; ")}</span> : <span className="muted"> · {t("noMemberships")}</span>}
      </p>
      <ErrorLine error={error} />
      {queue === null && !error && <p className="loading">{t("loading")}</p>}
      {queue !== null && queue.total === 0 && <p className="notice">{w("nothing")}</p>}
      {queue?.kinds
        .filter((k) => k.count > 0)
        .map((k) => (
          <section key={k.kind} className="panel work-kind" aria-labelledby={`work-${k.kind}`} data-kind={k.kind}>
            <h2 id={`work-${k.kind}`}>
              {w(kindKey(k.kind))} <span className="count-badge">{k.count}</span>
            </h2>
            <ul className="work-items">
              {k.items.map((item) => (
                <Item key={`${item.target}-${item.id}`} item={item} />
              ))}
            </ul>
            {k.count > k.items.length && <p className="muted small">{w("more").replace("{n}", String(k.count - k.items.length))}</p>}
          </section>
        ))}
    </section>
  );
}

function Item({ item }: { item: WorkItem }) {
  const { lang, navigate } = useUi();
  const w = useWorkT();
  const path = pathOf(item);
  const when =
    item.target === "document"
      ? item.deadline && `${w("deadline")}: ${formatDate(item.deadline, lang)}`
      : item.at && `${item.target === "consultation" ? w("closes") : w("starts")}: ${formatTime(item.at)}`;
  return (
    <li>
      <a
        className="work-item"
        href={path}
        onClick={(e) => {
          e.preventDefault();
          navigate(path);
        }}
      >
        <span className="work-title">
          {item.number_symbol && <span className="nowrap">{item.number_symbol} · </span>}
          {item.title}
        </span>
        <span className="work-meta small">
          {item.target === "document" && <UrgencyBadge urgency={item.urgency} />}
          {when && <span>{when}</span>}
          {item.target === "document" && item.state && ["assigned", "in_progress"].includes(item.state) && (
            <span>{item.lead ? w("lead") : w("co")}</span>
          )}
        </span>
      </a>
    </li>
  );
}
