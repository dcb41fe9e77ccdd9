// Inbox (văn bản đến) and outbox (văn bản đi): filters, search, table, paging; in the inbox
// a clerk also imports an edXML package received outside the system.
import { type ChangeEvent, type FormEvent, useEffect, useState } from "react";
import type { Me } from "../../api";
import { useUi } from "../../context";
import {
  type DocType,
  type DocumentOut,
  docs,
  type Filters,
  type Flow,
  importEdxml,
  INCOMING_STATES,
  isOverdue,
  OUTGOING_STATES,
  URGENCIES,
} from "../../documents/api";
import { formatDate, useDocT } from "../../documents/i18n";
import { agencyWith } from "../../documents/roles";
import { ErrorLine, UrgencyBadge } from "../../documents/ui";

const PAGE = 20;

export function DocumentList({ me, flow }: { me: Me; flow: Flow }) {
  const t = useDocT();
  const { lang, navigate } = useUi();
  const [types, setTypes] = useState<DocType[]>([]);
  const [draft, setDraft] = useState<Filters>({ flow, limit: PAGE, offset: 0 });
  const [filters, setFilters] = useState<Filters>({ flow, limit: PAGE, offset: 0 });
  const [page, setPage] = useState<{ items: DocumentOut[]; total: number; exact: boolean } | null>(null);
  const [error, setError] = useState<unknown>(null);

  useEffect(() => {
    docs.types().then((d) => setTypes(d.items), setError);
  }, []);
  useEffect(() => {
    let live = true;
    setError(null);
    docs.list(filters).then(
      (d) => live && setPage(d),
      (e: unknown) => live && setError(e),
    );
    return () => {
      live = false;
    };
  }, [filters]);

  const apply = (e: FormEvent) => {
    e.preventDefault();
    setFilters({ ...draft, flow, offset: 0 });
  };
  const set = (patch: Partial<Filters>) => setDraft((d) => ({ ...d, ...patch }));
  const states = flow === "incoming" ? INCOMING_STATES : OUTGOING_STATES;
  const typeName = (id: number) => t.type(types.find((x) => x.id === id));
  const title = flow === "incoming" ? t("incomingTitle") : t("outgoingTitle");

  return (
    <section aria-labelledby="doclist-title">
      <h1 id="doclist-title">{title}</h1>
      {flow === "incoming" && <EdxmlImport me={me} />}
      <form className="filters" onSubmit={apply} role="search">
        <div className="grow">
          <label htmlFor="f-q">{t("search")}</label>
          <input id="f-q" type="search" placeholder={t("searchPlaceholder")} value={draft.q ?? ""} onChange={(e) => set({ q: e.target.value })} />
        </div>
        <div>
          <label htmlFor="f-type">{t("type")}</label>
          <select id="f-type" value={draft.type_id ?? ""} onChange={(e) => set({ type_id: e.target.value })}>
            <option value="">{t("all")}</option>
            {types.map((x) => (
              <option key={x.id} value={x.id}>
                {t.type(x)}
              </option>
            ))}
          </select>
        </div>
        <div>
          <label htmlFor="f-state">{t("state")}</label>
          <select id="f-state" value={draft.state ?? ""} onChange={(e) => set({ state: e.target.value })}>
            <option value="">{t("all")}</option>
            {states.map((s) => (
              <option key={s} value={s}>
                {t.state(s)}
              </option>
            ))}
          </select>
        </div>
        <div>
          <label htmlFor="f-urgency">{t("urgency")}</label>
          <select id="f-urgency" value={draft.urgency ?? ""} onChange={(e) => set({ urgency: e.target.value })}>
            <option value="">{t("all")}</option>
            {URGENCIES.map((u) => (
              <option key={u} value={u}>
                {t(`urgency_${u}`)}
              </option>
            ))}
          </select>
        </div>
        <div>
          <label htmlFor="f-from">{t("fromDate")}</label>
          <input id="f-from" type="date" value={draft.from ?? ""} onChange={(e) => set({ from: e.target.value })} />
        </div>
        <div>
          <label htmlFor="f-to">{t("toDate")}</label>
          <input id="f-to" type="date" value={draft.to ?? ""} onChange={(e) => set({ to: e.target.value })} />
        </div>
        <label className="check">
          <input type="checkbox" checked={!!draft.mine} onChange={(e) => set({ mine: e.target.checked })} /> {t("mine")}
        </label>
        <label className="check">
          <input type="checkbox" checked={!!draft.overdue} onChange={(e) => set({ overdue: e.target.checked })} /> {t("overdue")}
        </label>
        <button type="submit" className="primary">
          {t("filter")}
        </button>
      </form>
      <ErrorLine error={error} />
      {page && page.items.length === 0 && <p>{t("none")}</p>}
      {page && page.items.length > 0 && (
        <table className="doc-table">
          <thead>
            <tr>
              <th scope="col">{t("numberSymbol")}</th>
              {flow === "incoming" && <th scope="col">{t("arrivalNumber")}</th>}
              <th scope="col">{t("abstract")}</th>
              <th scope="col">{flow === "incoming" ? t("issuingAgency") : t("signer")}</th>
              <th scope="col">{t("state")}</th>
              <th scope="col">{t("urgency")}</th>
              <th scope="col">{t("deadline")}</th>
            </tr>
          </thead>
          <tbody>
            {page.items.map((d) => (
              <tr key={d.id} className={isOverdue(d) ? "overdue" : undefined}>
                <td className="nowrap" data-label={t("numberSymbol")}>
                  {d.number_symbol || "—"}
                </td>
                {flow === "incoming" && <td data-label={t("arrivalNumber")}>{d.arrival_number ?? "—"}</td>}
                <td className="doc-abstract" data-label={t("abstract")}>
                  <a
                    href={`/documents/${d.id}`}
                    onClick={(e) => {
                      e.preventDefault();
                      navigate(`/documents/${d.id}`);
                    }}
                  >
                    {d.abstract}
                  </a>
                  <div className="muted small">{typeName(d.type_id)}</div>
                </td>
                <td data-label={flow === "incoming" ? t("issuingAgency") : t("signer")}>
                  {flow === "incoming" ? d.issuing_agency_name : d.signer_name || "—"}
                </td>
                <td data-label={t("state")}>
                  <span className={`state state-${d.state}`}>{t.state(d.state)}</span>
                </td>
                <td data-label={t("urgency")}>
                  <UrgencyBadge urgency={d.urgency} />
                </td>
                <td className={isOverdue(d) ? "late" : undefined} data-label={t("deadline")}>
                  {formatDate(d.deadline, lang)}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {page && page.total > PAGE && (
        <nav className="pager" aria-label={t("pageOf")}>
          <button type="button" className="secondary" disabled={filters.offset === 0} onClick={() => setFilters({ ...filters, offset: Math.max(0, filters.offset - PAGE) })}>
            {t("prev")}
          </button>
          <span>
            {t("pageOf")} {filters.offset / PAGE + 1} / {Math.ceil(page.total / PAGE)}{page.exact ? "" : "+"} · {t("total")} {page.total}{page.exact ? "" : "+"}
          </span>
          <button type="button" className="secondary" disabled={page.exact && filters.offset + PAGE >= page.total} onClick={() => setFilters({ ...filters, offset: filters.offset + PAGE })}>
            {t("next")}
          </button>
        </nav>
      )}
    </section>
  );
}

/** Upload an .xml package; the new incoming document opens, or the server's error shows. */
function EdxmlImport({ me }: { me: Me }) {
  const t = useDocT();
  const { navigate } = useUi();
  const agencyId = agencyWith(me, "clerk");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  if (agencyId === null) return null;

  const pick = async (e: ChangeEvent<HTMLInputElement>) => {
    const input = e.currentTarget;
    const file = input.files?.[0];
    if (!file) return;
    setBusy(true);
    setError(null);
    try {
      const created = await importEdxml(agencyId, file);
      navigate(`/documents/${created.id}`);
    } catch (err) {
      setError(err);
    } finally {
      input.value = "";
      setBusy(false);
    }
  };

  return (
    <div className="actions">
      <label className="button">
        {busy ? t("importing") : t("importEdxml")}
        <input type="file" accept=".xml,application/xml,text/xml" className="visually-hidden" disabled={busy} onChange={pick} />
      </label>
      <ErrorLine error={error} />
    </div>
  );
}
