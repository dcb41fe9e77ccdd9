// Counts (CSS bars), overdue and due-soon lists, notifications, register exports.
import { type ReactNode, useEffect, useState } from "react";
import { ApiError, type Me } from "../../api";
import { useUi } from "../../context";
import { target } from "../../notifications/api";
import { type DocumentOut, docs, type Figures, type Notification, type Register, type Stats } from "../../documents/api";
import { type DocKey, formatDate, formatTime, useDocT } from "../../documents/i18n";
import { agencyWith } from "../../documents/roles";
import { ErrorLine, UrgencyBadge } from "../../documents/ui";

const FIGURES: (keyof Figures)[] = ["received", "issued", "early", "on_time", "late", "open", "open_overdue"];

// A missing endpoint (404) means the server does not offer this part yet.
function useLoad<T>(load: () => Promise<T>): { data: T | null; error: unknown; missing: boolean } {
  const [state, setState] = useState<{ data: T | null; error: unknown; missing: boolean }>({ data: null, error: null, missing: false });
  useEffect(() => {
    load().then(
      (data) => setState({ data, error: null, missing: false }),
      (error: unknown) => setState({ data: null, error, missing: error instanceof ApiError && error.status === 404 }),
    );
  }, []);
  return state;
}

export function Dashboard({ me }: { me: Me }) {
  const t = useDocT();
  const stats = useLoad<Stats>(docs.stats);
  const deadlines = useLoad(docs.deadlines);
  const notes = useLoad(docs.notifications);
  const clerkAgency = agencyWith(me, "clerk");
  const registers = useLoad<{ items: Register[] }>(() =>
    clerkAgency === null ? Promise.resolve({ items: [] }) : docs.registers(clerkAgency),
  );

  return (
    <section aria-labelledby="dash-title">
      <h1 id="dash-title">{t("dashboardTitle")}</h1>
      <div className="dash-grid">
        <section className="panel" aria-labelledby="stats-title">
          <h2 id="stats-title">{t("stats")}</h2>
          <Part state={stats}>{stats.data && <Bars figures={stats.data.totals} />}</Part>
        </section>
        {stats.data && <Exchange stats={stats.data} />}
        {stats.data && stats.data.agencies.length > 1 && <PerAgency stats={stats.data} />}
        <section className="panel" aria-labelledby="notes-title">
          <h2 id="notes-title">{t("notifications")}</h2>
          <Part state={notes}>{notes.data && <Notifications items={notes.data.items} />}</Part>
        </section>
        <section className="panel" aria-labelledby="overdue-title">
          <h2 id="overdue-title">{t("overdueList")}</h2>
          <Part state={deadlines}>{deadlines.data && <DocLinks items={deadlines.data.overdue} late />}</Part>
        </section>
        <section className="panel" aria-labelledby="soon-title">
          <h2 id="soon-title">{t("dueSoon")}</h2>
          <Part state={deadlines}>{deadlines.data && <DocLinks items={deadlines.data.due_soon} />}</Part>
        </section>
        {clerkAgency !== null && (
          <section className="panel" aria-labelledby="reg-title">
            <h2 id="reg-title">{t("registers")}</h2>
            <Part state={registers}>
              <ul>
                {registers.data?.items.map((r) => (
                  <li key={r.id}>
                    {r.name} ({r.year}) · <a href={`/api/v1/registers/${r.id}/export.xlsx`}>XLSX</a> ·{" "}
                    <a href={`/api/v1/registers/${r.id}/export.pdf`}>PDF</a>
                  </li>
                ))}
              </ul>
            </Part>
          </section>
        )}
      </div>
    </section>
  );
}

function Part({ state, children }: { state: { error: unknown; missing: boolean }; children: ReactNode }) {
  const t = useDocT();
  if (state.missing) return <p className="muted">{t("notAvailable")}</p>;
  if (state.error) return <ErrorLine error={state.error} />;
  return <>{children}</>;
}

function Bars({ figures }: { figures: Figures }) {
  const t = useDocT();
  const max = Math.max(1, ...FIGURES.map((k) => figures[k]));
  return (
    <dl className="bars">
      {FIGURES.map((k) => (
        <div key={k} className="bar-row">
          <dt>{t(`fig_${k}` as DocKey)}</dt>
          <dd>
            <span className={`bar bar-${k}`} style={{ width: `${(figures[k] / max) * 100}%` }} />
            <span className="bar-value">{figures[k]}</span>
          </dd>
        </div>
      ))}
    </dl>
  );
}

const AGENCY_FIGURES: (keyof Figures)[] = ["received", "issued", "late", "open", "open_overdue"];

/** Each agency the user follows (the whole province for its leaders), indented by level. */
function PerAgency({ stats }: { stats: Stats }) {
  const t = useDocT();
  return (
    <section className="panel wide-panel" aria-labelledby="per-agency-title">
      <h2 id="per-agency-title">{t("perAgency")}</h2>
      <div className="table-scroll" tabIndex={0} role="group" aria-labelledby="per-agency-title">
        <table className="per-agency" data-testid="per-agency">
          <thead>
            <tr>
              <th scope="col">{t("agencyColumn")}</th>
              {AGENCY_FIGURES.map((k) => (
                <th scope="col" key={k} className="num">
                  {t(`fig_${k}` as DocKey)}
                </th>
              ))}
              <th scope="col" className="num">
                {t("electronicShare")}
              </th>
              <th scope="col" className="num">
                {t("exchangeShare")}
              </th>
            </tr>
          </thead>
          <tbody>
            {stats.agencies.map((a) => (
              <tr key={a.agency_id} data-agency={a.agency_id}>
                <th scope="row" style={{ paddingLeft: `${0.75 + a.depth * 1.25}rem` }}>
                  {a.agency_name}
                </th>
                {AGENCY_FIGURES.map((k) => (
                  <td key={k} className="num" data-figure={k}>
                    {a[k]}
                  </td>
                ))}
                <td className="num" data-figure="electronic_share">
                  {Math.round(a.electronic_share * 100)}%
                </td>
                <td className="num" data-figure="exchange_share">
                  {percent(a.exchange_share)}
                </td>
              </tr>
            ))}
          </tbody>
          <tfoot>
            <tr>
              <th scope="row">{t("totalRow")}</th>
              {AGENCY_FIGURES.map((k) => (
                <td key={k} className="num">
                  {stats.totals[k]}
                </td>
              ))}
              <td className="num">{Math.round(stats.totals.electronic_share * 100)}%</td>
              <td className="num">{percent(stats.totals.exchange_share)}</td>
            </tr>
          </tfoot>
        </table>
      </div>
    </section>
  );
}

const percent = (share: number) => `${(share * 100).toFixed(1)}%`;

/** The share of deliveries made electronically: the province's, then each level's. */
function Exchange({ stats }: { stats: Stats }) {
  const t = useDocT();
  const total = stats.totals;
  return (
    <section className="panel" aria-labelledby="exchange-title" data-testid="exchange-share">
      <h2 id="exchange-title">{t("exchangeTitle")}</h2>
      <p>
        <strong data-figure="exchange_share">{percent(total.exchange_share)}</strong>{" "}
        {t("exchangeOf")
          .replace("{n}", String(total.delivered_electronically))
          .replace("{m}", String(total.recipients))}
      </p>
      {stats.levels.length > 0 && (
        <div className="table-scroll" tabIndex={0} role="group" aria-labelledby="exchange-title">
        <table className="per-level">
          <thead>
            <tr>
              <th scope="col">{t("levelColumn")}</th>
              <th scope="col" className="num">
                {t("fig_recipients")}
              </th>
              <th scope="col" className="num">
                {t("fig_delivered_electronically")}
              </th>
              <th scope="col" className="num">
                {t("exchangeShare")}
              </th>
            </tr>
          </thead>
          <tbody>
            {stats.levels.map((l) => (
              <tr key={l.level} data-level={l.level}>
                <th scope="row">{t(`level_${l.level}` as DocKey)}</th>
                <td className="num">{l.recipients}</td>
                <td className="num">{l.delivered_electronically}</td>
                <td className="num">{percent(l.exchange_share)}</td>
              </tr>
            ))}
          </tbody>
        </table>
        </div>
      )}
    </section>
  );
}

function DocLinks({ items, late }: { items: DocumentOut[]; late?: boolean }) {
  const t = useDocT();
  const { lang, navigate } = useUi();
  if (items.length === 0) return <p className="muted">{t("nothing")}</p>;
  return (
    <ul className="doc-links">
      {items.map((d) => (
        <li key={d.id}>
          <a
            href={`/documents/${d.id}`}
            onClick={(e) => {
              e.preventDefault();
              navigate(`/documents/${d.id}`);
            }}
          >
            {d.number_symbol || "—"} · {d.abstract}
          </a>{" "}
          <UrgencyBadge urgency={d.urgency} /> <span className={late ? "late" : "muted"}>{formatDate(d.deadline, lang)}</span>
        </li>
      ))}
    </ul>
  );
}

function Notifications({ items }: { items: Notification[] }) {
  const t = useDocT();
  const { lang, navigate } = useUi();
  if (items.length === 0) return <p className="muted">{t("nothing")}</p>;
  return (
    <ul className="doc-links">
      {items.slice(0, 20).map((n) => (
        <li key={n.id} className={n.read_at ? "muted" : undefined}>
          <a
            href={target(n)}
            onClick={(e) => {
              e.preventDefault();
              navigate(target(n));
            }}
          >
            {lang === "vi" ? n.title_vi : n.title_en}
          </a>{" "}
          <span className="small muted">{formatTime(n.created_at, lang)}</span>
        </li>
      ))}
    </ul>
  );
}
