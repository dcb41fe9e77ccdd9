// The exchange console: what my agencies send to other systems (waiting, retrying, failed
// with the reason, refused, delivered, cancelled) and what they received, with "send
// again" and "cancel" on a message not delivered. Clerks and administrators only.
import { useCallback, useEffect, useState } from "react";
import { useUi } from "../../context";
import { useDocT } from "../../documents/i18n";
import { AppLink, ErrorLine } from "../../documents/ui";
import { exchange, type InboxRow, type OutboxRow, PAGE, type Page, type Stage, STAGES } from "../../exchange/api";
import { type ExchangeKey, useExchangeT } from "../../exchange/i18n";
import { formatTime } from "../../format";

type Tab = "outbox" | "inbox";

export function ExchangeConsole() {
  const xt = useExchangeT();
  const [tab, setTab] = useState<Tab>("outbox");
  return (
    <section aria-labelledby="exchange-title">
      <h1 id="exchange-title">{xt("title")}</h1>
      <p className="muted">{xt("intro")}</p>
      <div className="tab-strip" role="tablist" aria-label={xt("tabs")}>
        {(["outbox", "inbox"] as const).map((k) => (
          <button
            key={k}
            id={`exchange-tab-${k}`}
            type="button"
            role="tab"
            aria-selected={tab === k}
            aria-controls={`exchange-panel-${k}`}
            className={tab === k ? "tab active" : "tab"}
            onClick={() => setTab(k)}
          >
            {xt(k)}
          </button>
        ))}
      </div>
      <div role="tabpanel" id={`exchange-panel-${tab}`} aria-labelledby={`exchange-tab-${tab}`}>
        {tab === "outbox" ? <Outbox /> : <Inbox />}
      </div>
    </section>
  );
}

function Pager({ page, offset, setOffset }: { page: Page<unknown>; offset: number; setOffset: (n: number) => void }) {
  const xt = useExchangeT();
  if (page.total <= PAGE) return null;
  return (
    <div className="pager">
      <button type="button" className="secondary" disabled={offset === 0} onClick={() => setOffset(Math.max(0, offset - PAGE))}>
        {xt("previous")}
      </button>
      <span>
        {offset + 1}–{Math.min(offset + PAGE, page.total)} / {page.total}
      </span>
      <button type="button" className="secondary" disabled={offset + PAGE >= page.total} onClick={() => setOffset(offset + PAGE)}>
        {xt("next")}
      </button>
    </div>
  );
}

function DocumentCell({ id, numberSymbol, abstract }: { id: number | null; numberSymbol: string; abstract: string }) {
  if (id === null) return <span className="muted">—</span>;
  return (
    <AppLink to={`/documents/${id}`}>
      {numberSymbol && <span className="nowrap">{numberSymbol} · </span>}
      {abstract || `#${id}`}
    </AppLink>
  );
}

function Outbox() {
  const xt = useExchangeT();
  const docT = useDocT();
  const { lang } = useUi();
  const [stage, setStage] = useState<Stage | "">("");
  const [offset, setOffset] = useState(0);
  const [page, setPage] = useState<Page<OutboxRow> | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [done, setDone] = useState("");

  const load = useCallback(() => {
    exchange.outbox(stage, offset).then(setPage, setError);
  }, [stage, offset]);
  useEffect(load, [load]);

  const act = async (row: OutboxRow, action: "retry" | "cancel") => {
    if (action === "cancel" && !window.confirm(xt("confirmCancel"))) return;
    setError(null);
    setDone("");
    try {
      await exchange[action](row.id);
      setDone(xt(action === "retry" ? "retried" : "cancelled"));
      load();
    } catch (e) {
      setError(e);
    }
  };

  return (
    <>
      <form className="filters" onSubmit={(e) => e.preventDefault()}>
        <div>
          <label htmlFor="exchange-stage">{xt("stage")}</label>
          <select
            id="exchange-stage"
            value={stage}
            onChange={(e) => {
              setStage(e.target.value as Stage | "");
              setOffset(0);
            }}
          >
            <option value="">{xt("allStages")}</option>
            {STAGES.map((s) => (
              <option key={s} value={s}>
                {xt(`stage_${s}` as ExchangeKey)}
              </option>
            ))}
          </select>
        </div>
      </form>
      <ErrorLine error={error} />
      {done && (
        <p role="status" className="notice">
          {done}
        </p>
      )}
      {!page && !error && <p>{docT("working")}</p>}
      {page && (
        <>
          <p className="muted" aria-live="polite">
            {xt("total", { n: page.total })}
          </p>
          {page.items.length === 0 && <p>{xt("empty")}</p>}
          {page.items.length > 0 && (
            <table className="doc-table exchange-table" data-testid="outbox">
              <thead>
                <tr>
                  <th scope="col">{xt("document")}</th>
                  <th scope="col">{xt("recipient")}</th>
                  <th scope="col">{xt("stage")}</th>
                  <th scope="col">{xt("reason")}</th>
                  <th scope="col">{xt("actions")}</th>
                </tr>
              </thead>
              <tbody>
                {page.items.map((row) => (
                  <tr key={row.id} data-testid={`outbox-${row.id}`}>
                    <td className="doc-abstract" data-label={xt("document")}>
                      {row.relayed ? (
                        <span className="muted">{xt("relayedFor")}</span>
                      ) : (
                        <DocumentCell id={row.document_id} numberSymbol={row.number_symbol} abstract={row.abstract} />
                      )}
                      <div className="muted small">
                        {xt(`kind_${row.kind}` as ExchangeKey)}
                        {row.kind === "status" && ` ${row.status_code} ${docT.recipientStatus(row.status_code)}`} · {xt("createdAt")}{" "}
                        {formatTime(row.created_at, lang)}
                      </div>
                    </td>
                    <td data-label={xt("recipient")}>
                      {row.recipient_name && <div>{row.recipient_name}</div>}
                      <span className="mono small">{row.to_code}</span>
                    </td>
                    <td data-label={xt("stage")}>
                      <span className={`state stage-${row.stage}`} data-testid="stage">
                        {xt(`stage_${row.stage}`)}
                      </span>
                      <div className="muted small">
                        {xt("attempts")}: {row.attempts}
                        {row.next_attempt_at && (
                          <>
                            {" "}
                            · {xt("nextAttempt")} {formatTime(row.next_attempt_at, lang)}
                          </>
                        )}
                        {row.delivered_at && (
                          <>
                            {" "}
                            · {xt("deliveredAt")} {formatTime(row.delivered_at, lang)}
                          </>
                        )}
                      </div>
                    </td>
                    <td className="exchange-reason small" data-label={xt("reason")} data-testid="reason">
                      {row.last_error || "—"}
                    </td>
                    <td data-label={xt("actions")}>
                      <div className="row-actions">
                        {row.may_retry && (
                          <button type="button" className="secondary" onClick={() => void act(row, "retry")}>
                            {xt("retry")} <span className="visually-hidden">{row.abstract || `${row.from_code} → ${row.to_code}`}</span>
                          </button>
                        )}
                        {row.may_cancel && (
                          <button type="button" className="danger" onClick={() => void act(row, "cancel")}>
                            {xt("cancel")} <span className="visually-hidden">{row.abstract || `${row.from_code} → ${row.to_code}`}</span>
                          </button>
                        )}
                      </div>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          <Pager page={page} offset={offset} setOffset={setOffset} />
        </>
      )}
    </>
  );
}

function Inbox() {
  const xt = useExchangeT();
  const docT = useDocT();
  const { lang } = useUi();
  const [kind, setKind] = useState<"" | "document" | "status">("");
  const [offset, setOffset] = useState(0);
  const [page, setPage] = useState<Page<InboxRow> | null>(null);
  const [error, setError] = useState<unknown>(null);

  useEffect(() => {
    exchange.inbox(kind, offset).then(setPage, setError);
  }, [kind, offset]);

  return (
    <>
      <form className="filters" onSubmit={(e) => e.preventDefault()}>
        <div>
          <label htmlFor="exchange-kind">{xt("kind")}</label>
          <select
            id="exchange-kind"
            value={kind}
            onChange={(e) => {
              setKind(e.target.value as "" | "document" | "status");
              setOffset(0);
            }}
          >
            <option value="">{xt("allKinds")}</option>
            <option value="document">{xt("kind_document")}</option>
            <option value="status">{xt("kind_status")}</option>
          </select>
        </div>
      </form>
      <ErrorLine error={error} />
      {!page && !error && <p>{docT("working")}</p>}
      {page && (
        <>
          <p className="muted" aria-live="polite">
            {xt("total", { n: page.total })}
          </p>
          {page.items.length === 0 && <p>{xt("empty")}</p>}
          {page.items.length > 0 && (
            <table className="doc-table exchange-table" data-testid="inbox">
              <thead>
                <tr>
                  <th scope="col">{xt("document")}</th>
                  <th scope="col">{xt("sender")}</th>
                  <th scope="col">{xt("kind")}</th>
                  <th scope="col">{xt("receivedAt")}</th>
                </tr>
              </thead>
              <tbody>
                {page.items.map((row) => (
                  <tr key={row.id}>
                    <td className="doc-abstract" data-label={xt("document")}>
                      <DocumentCell id={row.document_id} numberSymbol={row.number_symbol} abstract={row.abstract} />
                      <div className="muted small mono exchange-package">{row.package_id.slice(0, 16)}…</div>
                    </td>
                    <td data-label={xt("sender")}>
                      <span className="mono small">{row.from_code}</span>
                    </td>
                    <td data-label={xt("kind")}>
                      {xt(`kind_${row.kind}`)}
                      {row.kind === "status" && ` ${row.reference} ${docT.recipientStatus(row.reference)}`}
                    </td>
                    <td data-label={xt("receivedAt")}>{formatTime(row.received_at, lang)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          <Pager page={page} offset={offset} setOffset={setOffset} />
        </>
      )}
    </>
  );
}
