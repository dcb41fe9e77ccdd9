// One document: its details, the PDF, files and versions, signatures, timeline,
// recipients, its publication, and a button for each step this user may take now.
import { useCallback, useEffect, useState } from "react";
import type { Me } from "../../api";
import { useUi } from "../../context";
import { contentUrl, currentMain, type DocumentDetail, type DocumentOut, docs, edxmlUrl, type Person, type Step } from "../../documents/api";
import { type DocKey, formatDate, formatTime, useDocT } from "../../documents/i18n";
import { PdfViewer } from "../../documents/PdfViewer";
import { HopProof } from "../../exchange/HopProof";
import { type ExchangeKey, useExchangeT } from "../../exchange/i18n";
import { hasRoleIn } from "../../documents/roles";
import { ErrorLine, UrgencyBadge } from "../../documents/ui";
import { COPYABLE, CopyDialog } from "./CopyDialog";
import { DirectDialog } from "./DirectDialog";
import { DraftVersions } from "./DraftEditor";
import { DraftMetadata } from "./DraftFields";
import { IssueDialog } from "./IssueDialog";
import { LeaderDialog } from "./LeaderDialog";
import { PublicationPanel } from "./PublicationPanel";
import { SignaturePanel } from "./SignaturePanel";
import { SignDialog } from "./SignDialog";
import { SimpleStepDialog } from "./SimpleStepDialog";

/** Hops whose note is shown: a recall's reason (13) and the peer's refusal of it (16). */
const RECALL_HOPS = new Set(["13", "16"]);

export function DocumentPage({ me, id }: { me: Me; id: number }) {
  const t = useDocT();
  const xt = useExchangeT();
  const { lang, navigate } = useUi();
  const [detail, setDetail] = useState<DocumentDetail | null>(null);
  const [people, setPeople] = useState<Person[]>([]);
  const [error, setError] = useState<unknown>(null);
  const [open, setOpen] = useState<Step | null>(null);
  const [copying, setCopying] = useState(false);

  const load = useCallback(() => {
    docs.detail(id).then(setDetail, setError);
  }, [id]);
  useEffect(load, [load]);
  const agencyId = detail?.document.agency_id;
  useEffect(() => {
    if (agencyId !== undefined) docs.directory(agencyId).then((d) => setPeople(d.people), () => setPeople([]));
  }, [agencyId]);

  if (!detail) return error ? <ErrorLine error={error} /> : <p>{t("working")}</p>;
  const d = detail.document;
  const main = currentMain(detail.files);
  const name = (userId: number | null) => people.find((p) => p.id === userId)?.full_name ?? (userId ? `#${userId}` : "—");
  const done = () => {
    setOpen(null);
    load();
  };
  const close = () => setOpen(null);
  let dialog = null;
  if (open === "present" || open === "pass_review") dialog = <LeaderDialog doc={d} step={open} onDone={done} onClose={close} />;
  else if (open === "direct") dialog = <DirectDialog doc={d} onDone={done} onClose={close} />;
  else if (open === "sign" && d.electronic) dialog = <SignDialog doc={d} main={main} userId={me.user.id} onDone={done} onClose={close} />;
  else if (open === "issue" || open === "dispatch") dialog = <IssueDialog doc={d} onDone={done} onClose={close} />;
  else if (open) dialog = <SimpleStepDialog doc={d} step={open} onDone={done} onClose={close} />;
  const isDrafter = d.state === "draft" && d.drafter_id === me.user.id;
  const isClerk = hasRoleIn(me, d.agency_id, "clerk");
  const issued = d.flow === "outgoing" && (d.state === "issued" || d.state === "dispatched");
  const mayReplace = issued && (isClerk || d.drafter_id === me.user.id);
  const mayCopy = isClerk && COPYABLE.has(d.state) && main !== undefined;

  return (
    <article aria-labelledby="doc-title">
      <p>
        <a
          href={`/documents/${d.flow}`}
          onClick={(e) => {
            e.preventDefault();
            navigate(`/documents/${d.flow}`);
          }}
        >
          ← {t("backToList")}
        </a>
      </p>
      <h1 id="doc-title">
        {d.number_symbol && <span data-testid="number-symbol">{d.number_symbol} · </span>}
        {d.abstract}
      </h1>
      <p>
        <span className={`state state-${d.state}`} data-testid="doc-state">
          {t.state(d.state)}
        </span>{" "}
        <UrgencyBadge urgency={d.urgency} />
      </p>
      {d.replaces_id !== null && <Replaces id={d.replaces_id} />}
      {d.state === "replaced" && (
        <p className="notice" data-testid="replaced">
          <strong>{t("replacedNotice")}</strong> — {t("replacedHelp")}
          {detail.replaced_by !== null && (
            <>
              {" "}
              <a
                href={`/documents/${detail.replaced_by}`}
                data-testid="replaced-by"
                onClick={(e) => {
                  e.preventDefault();
                  navigate(`/documents/${detail.replaced_by}`);
                }}
              >
                {t("replacedByLink")}
              </a>
            </>
          )}
        </p>
      )}
      <ErrorLine error={error} />
      <section aria-labelledby="actions-title" className="actions">
        <h2 id="actions-title" className="visually-hidden">
          {t("actions")}
        </h2>
        {detail.steps.length === 0 && !mayReplace && !mayCopy && !(issued && isClerk) ? (
          <p className="muted">{t("noActions")}</p>
        ) : (
          detail.steps
            .filter((s) => s !== "replace")
            .map((s) => (
              <button key={s} type="button" className="primary" onClick={() => setOpen(s)}>
                {t(`step_${s}` as DocKey)}
              </button>
            ))
        )}
        {mayReplace && (
          <button type="button" className="secondary" onClick={() => navigate(`/documents/${d.id}/replacement`)}>
            {t("makeReplacement")}
          </button>
        )}
        {mayCopy && (
          <button type="button" className="secondary" onClick={() => setCopying(true)}>
            {t("makeCopy")}
          </button>
        )}
        {issued && isClerk && (
          <a className="button secondary" href={edxmlUrl(d.id)} download data-testid="download-edxml">
            {t("downloadEdxml")}
          </a>
        )}
      </section>
      {dialog}
      {copying && (
        <CopyDialog
          doc={d}
          onDone={() => {
            setCopying(false);
            load();
          }}
          onClose={() => setCopying(false)}
        />
      )}
      <div className="doc-grid">
        <div>
          <section aria-labelledby="meta-title" className="panel">
            <h2 id="meta-title">{t("metadata")}</h2>
            <dl className="meta">
              <dt>{t("numberSymbol")}</dt>
              <dd>{d.number_symbol || "—"}</dd>
              {d.flow === "incoming" && (
                <>
                  <dt>{t("arrivalNumber")}</dt>
                  <dd>{d.arrival_number ?? "—"}</dd>
                  <dt>{t("issuingAgency")}</dt>
                  <dd>{d.issuing_agency_name || "—"}</dd>
                </>
              )}
              <dt>{t("issuedOn")}</dt>
              <dd>{formatDate(d.issued_on, lang)}</dd>
              <dt>{t("signer")}</dt>
              <dd>{d.signer_name ? `${d.signer_name} (${d.signer_title})` : "—"}</dd>
              <dt>{t("deadline")}</dt>
              <dd>{formatDate(d.deadline, lang)}</dd>
              {d.direction && (
                <>
                  <dt>{t("direction")}</dt>
                  <dd>{d.direction}</dd>
                </>
              )}
            </dl>
            {detail.assignments.length > 0 && (
              <>
                <h3>{t("handlers")}</h3>
                <ul>
                  {detail.assignments
                    .filter((a) => a.active)
                    .map((a, i) => (
                      <li key={i}>
                        {a.lead ? t("lead") : t("co")}: {name(a.user_id)} {a.deadline && `· ${t("deadline")} ${formatDate(a.deadline, lang)}`}
                      </li>
                    ))}
                </ul>
              </>
            )}
          </section>
          <PublicationPanel detail={detail} onChanged={load} />
          <section aria-labelledby="files-title" className="panel">
            <h2 id="files-title">{t("files")}</h2>
            <table>
              <tbody>
                {detail.files.map((f) => (
                  <tr key={f.id}>
                    <td>
                      {t(`kind_${f.kind}` as DocKey)} · {t("version")} {f.version}
                      {f.signed && <span className="badge ok"> {t("signedFile")}</span>}
                    </td>
                    <td>
                      <a href={contentUrl(d.id, f.id)} download={f.file.filename} data-testid={`download-${f.id}`}>
                        {f.file.filename}
                      </a>
                    </td>
                    <td className="small muted">{formatTime(f.created_at, lang)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </section>
          {isDrafter && <DraftMetadata detail={detail} onChanged={load} />}
          {isDrafter && <DraftVersions docId={d.id} agencyId={d.agency_id} files={detail.files} onChanged={load} />}
          {main && <SignaturePanel key={main.id} docId={d.id} file={main} />}
          {detail.recipients.length > 0 && (
            <section aria-labelledby="rcpt-title" className="panel">
              <h2 id="rcpt-title">{t("recipients")}</h2>
              <table data-testid="recipients">
                <thead>
                  <tr>
                    <th scope="col">{t("recipients")}</th>
                    <th scope="col">{t("method")}</th>
                    <th scope="col">{xt("delivery")}</th>
                    <th scope="col">{t("recipientStatus")}</th>
                  </tr>
                </thead>
                <tbody>
                  {detail.recipients.map((r) => (
                    <tr key={r.id} data-testid={`recipient-${r.id}`}>
                      <td>
                        {r.name}
                        {r.organ_id && <div className="mono small muted">{r.organ_id}</div>}
                      </td>
                      <td>{t.any(`method_${r.method}`)}</td>
                      <td data-testid="delivery">
                        {r.stage ? (
                          <>
                            <span className={`state stage-${r.stage}`}>{xt(`stage_${r.stage}` as ExchangeKey)}</span>
                            {r.attempts > 0 && (
                              <div className="small muted">
                                {xt("attempts")}: {r.attempts}
                              </div>
                            )}
                            {r.last_error && r.stage !== "delivered" && <div className="small exchange-reason">{r.last_error}</div>}
                          </>
                        ) : (
                          "—"
                        )}
                      </td>
                      <td>
                        {t.recipientStatus(r.status, r.status_label)} <span className="small muted">{formatTime(r.status_at, lang)}</span>
                        {r.hops.length > 0 && (
                          <ol className="hops small" aria-label={`${xt("hops")}: ${r.name}`} data-testid="hops">
                            {r.hops.map((h, i) => (
                              <li key={i}>
                                <span className="muted">{formatTime(h.at, lang)}</span>{" "}
                                {h.code === "queued"
                                  ? xt("hop_queued")
                                  : h.code === "relayed"
                                    ? `${xt("stage_relayed")} ${h.note}`
                                    : `${h.code} ${t.recipientStatus(h.code, h.label)}`}
                                {h.note && RECALL_HOPS.has(h.code) && <span className="muted hop-note"> — {h.note}</span>}
                                {h.proof && <HopProof documentId={detail.document.id} path={h.proof} step={`${h.code} ${r.name}`} />}
                              </li>
                            ))}
                          </ol>
                        )}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </section>
          )}
          <section aria-labelledby="tl-title" className="panel">
            <h2 id="tl-title">{t("timeline")}</h2>
            <ol className="timeline">
              {detail.timeline.map((e, i) => (
                <li key={i}>
                  <span className="small muted">{formatTime(e.at, lang)}</span> <strong>{e.actor_name}</strong>
                  {e.actor_title && <span className="muted">, {e.actor_title}</span>}:{" "}
                  {t.action(e.action)}
                  {e.to_state && e.to_state !== e.from_state && ` → ${t.state(e.to_state)}`}
                  {e.note && <div className="small">{e.note}</div>}
                </li>
              ))}
            </ol>
          </section>
        </div>
        {main && (
          <section aria-labelledby="pdf-title" className="pdf-view">
            <h2 id="pdf-title">{t("preview")}</h2>
            <p>
              <a href={contentUrl(d.id, main.id)} download={main.download_name} data-testid="download-main">
                {t("download")} {main.download_name} ({t("version")} {main.version})
              </a>
            </p>
            <PdfViewer url={contentUrl(d.id, main.id)} title={main.download_name} lang={lang} />
          </section>
        )}
      </div>
    </article>
  );
}

/** "Replaces document no. …", linking to it (its number when this user may see it). */
function Replaces({ id }: { id: number }) {
  const t = useDocT();
  const { navigate } = useUi();
  const [old, setOld] = useState<DocumentOut | null>(null);
  useEffect(() => {
    docs.detail(id).then((d) => setOld(d.document), () => setOld(null));
  }, [id]);
  return (
    <p className="notice" data-testid="replaces">
      {t("replacesDoc")}{" "}
      <a
        href={`/documents/${id}`}
        onClick={(e) => {
          e.preventDefault();
          navigate(`/documents/${id}`);
        }}
      >
        {old ? old.number_symbol || old.abstract : `#${id}`}
      </a>
    </p>
  );
}
