// The secretary's minutes editor, once the meeting has ended: the conclusions, the minutes
// generated as a PDF, its signatures (the secretary first, then the chair, each with their own
// certificate and its PIN as on the document screens), and the conclusion notice drafted as an
// outgoing document.
import { useCallback, useEffect, useState } from "react";
import type { PDFDocumentProxy } from "pdfjs-dist";
import type { Me } from "../../api";
import { useUi } from "../../context";
import { formatTime } from "../../documents/i18n";
import { Dialog, ErrorLine } from "../../documents/ui";
import { type MeetingDetail, meetings, type MinutesOut, minutesUrl } from "../../meetings/api";
import { useMeetT } from "../../meetings/i18n";
import { openPdfBytes } from "../../meetings/pdfdoc";
import { usePeople } from "../../meetings/people";
import { type Activation, activationBody, NO_ACTIVATION } from "../../signing/api";
import { CredentialField, useMyCredentials } from "../documents/SignDialog";
import { ActivationFields } from "../signing/ActivationFields";
import { PageView } from "./PageCanvas";
import { StateBadge } from "./MeetingList";

export function MinutesPage({ me, id }: { me: Me; id: number }) {
  const t = useMeetT();
  const { lang, navigate } = useUi();
  const [detail, setDetail] = useState<MeetingDetail | null>(null);
  const [minutes, setMinutes] = useState<MinutesOut | null>(null);
  const [conclusions, setConclusions] = useState("");
  const [signing, setSigning] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const people = usePeople(detail?.meeting.agency_id);

  const load = useCallback(() => {
    meetings.detail(id).then(setDetail, setError);
    meetings.minutes(id).then(setMinutes, setError);
  }, [id]);
  useEffect(load, [load]);

  if (!detail) return error ? <ErrorLine error={error} /> : <p>{t("loading")}</p>;
  const m = detail.meeting;
  const ended = m.state === "ended" || m.state === "minutes_signed";
  const latest = minutes?.versions[minutes.versions.length - 1];
  const signed = new Set(latest?.signatures.map((s) => s.role));
  const next = !latest ? null : !signed.has("secretary") ? "secretary" : !signed.has("chair") ? "chair" : null;
  const mySign = next !== null && ((next === "secretary" && m.secretary_id === me.user.id) || (next === "chair" && m.chair_id === me.user.id));
  const act = async (work: () => Promise<unknown>) => {
    setBusy(true);
    setError(null);
    try {
      await work();
      load();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  return (
    <article aria-labelledby="minutes-title" className="minutes-page">
      <p>
        <a
          href={`/meetings/${id}`}
          onClick={(e) => {
            e.preventDefault();
            navigate(`/meetings/${id}`);
          }}
        >
          ← {t("backToMeeting")}
        </a>
      </p>
      <h1 id="minutes-title">
        {t("minutesTitle")}: {m.title}
      </h1>
      <p>
        <StateBadge state={m.state} />
      </p>
      <ErrorLine error={error} />
      {!ended && <p>{t("meetingNotEnded")}</p>}
      {ended && detail.runs && next !== "chair" && !signed.has("chair") && (
        <section className="panel" aria-labelledby="conclusions-title">
          <h2 id="conclusions-title">{t("conclusions")}</h2>
          <label htmlFor="minutes-conclusions" className="visually-hidden">
            {t("conclusions")}
          </label>
          <textarea id="minutes-conclusions" rows={6} maxLength={20000} value={conclusions} onChange={(e) => setConclusions(e.target.value)} />
          <p className="small muted">{t("conclusionsHelp")}</p>
          <button type="button" className="primary big" disabled={busy} onClick={() => act(() => meetings.generateMinutes(id, conclusions))}>
            {busy ? t("working") : latest ? t("regenerateMinutes") : t("generateMinutes")}
          </button>
        </section>
      )}
      {minutes && !latest && ended && <p>{t("minutesNone")}</p>}
      {latest && (
        <section className="panel" aria-labelledby="version-title">
          <h2 id="version-title">
            {t("version")} {latest.version}: <span data-testid="minutes-state">{lang === "vi" ? latest.state_label : latest.state.replace(/_/g, " ")}</span>
          </h2>
          <h3>{t("signatures")}</h3>
          {latest.signatures.length === 0 ? (
            <p className="muted">{t("noSignatureYet")}</p>
          ) : (
            <ul data-testid="minutes-signatures">
              {latest.signatures.map((s) => (
                <li key={s.role}>
                  {t.any(`signedAs_${s.role}`)}: <strong>{s.signer_name}</strong> · {formatTime(s.signed_at, lang)}
                </li>
              ))}
            </ul>
          )}
          {next ? <p>{t.any(`waitingFor_${next}`)}</p> : <p className="ok">{t("minutesSigned")}</p>}
          <div className="actions">
            {mySign && (
              <button type="button" className="primary big" onClick={() => setSigning(true)}>
                {t.any(`signAs_${next}`)}
              </button>
            )}
            <a className="button" href={minutesUrl(id)} download data-testid="download-minutes">
              {t("downloadMinutes")}
            </a>
            {detail.runs && !minutes?.notice_document_id && (
              <button type="button" className="secondary" disabled={busy} onClick={() => act(async () => navigate(`/documents/${(await meetings.conclusionNotice(id)).document_id}`))}>
                {t("conclusionNotice")}
              </button>
            )}
            {minutes?.notice_document_id && (
              <a
                className="button"
                href={`/documents/${minutes.notice_document_id}`}
                onClick={(e) => {
                  e.preventDefault();
                  navigate(`/documents/${minutes.notice_document_id}`);
                }}
              >
                {t("openNotice")}
              </a>
            )}
          </div>
          <MinutesPdf key={`${latest.version}-${latest.signatures.length}`} url={minutesUrl(id)} label={t("minutesTitle")} />
        </section>
      )}
      {signing && next && (
        <SignMinutesDialog
          userId={me.user.id}
          title={t.any(`signAs_${next}`)}
          subtitle={`${m.title} — ${people.name(next === "chair" ? m.chair_id : m.secretary_id)}`}
          onClose={() => setSigning(false)}
          onSign={(credentialId, activation) =>
            act(async () => {
              await meetings.signMinutes(id, { credential_id: credentialId, ...activationBody(activation) });
              setSigning(false);
            })
          }
          busy={busy}
          error={error}
        />
      )}
    </article>
  );
}

/** The certificate to sign with and its PIN (the place of the signature is the minutes' own box). */
function SignMinutesDialog({
  userId,
  title,
  subtitle,
  onSign,
  onClose,
  busy,
  error,
}: {
  userId: number;
  title: string;
  subtitle: string;
  onSign: (credentialId: string, activation: Activation) => Promise<void>;
  onClose: () => void;
  busy: boolean;
  error: unknown;
}) {
  const t = useMeetT();
  const [loadError, setLoadError] = useState<unknown>(null);
  const [credentials, credentialId, setCredentialId] = useMyCredentials(userId, setLoadError);
  const [activation, setActivation] = useState<Activation>(NO_ACTIVATION);
  const credential = credentials.find((c) => c.id === credentialId);
  const submit = async () => {
    const given = activation;
    setActivation(NO_ACTIVATION); // typed again after a refusal, never kept
    await onSign(credentialId, given);
  };
  return (
    <Dialog title={title} submitLabel={t("signMinutes")} busy={busy} error={error ?? loadError} onSubmit={submit} onClose={onClose}>
      <p>{subtitle}</p>
      <CredentialField credentials={credentials} value={credentialId} onChange={setCredentialId} />
      {credential && <ActivationFields credential={credential} value={activation} onChange={setActivation} />}
    </Dialog>
  );
}

/** The minutes' pages drawn by pdf.js (tablets' browsers often show no PDF inline). */
function MinutesPdf({ url, label }: { url: string; label: string }) {
  const [pdf, setPdf] = useState<PDFDocumentProxy | null>(null);
  useEffect(() => {
    let live = true;
    let opened: PDFDocumentProxy | null = null;
    fetch(url, { credentials: "same-origin", cache: "no-store" })
      .then((r) => (r.ok ? r.arrayBuffer() : Promise.reject(new Error(`HTTP ${r.status}`))))
      .then((b) => openPdfBytes(new Uint8Array(b)))
      .then(
        (p) => {
          opened = p;
          if (live) setPdf(p);
          else void p.destroy();
        },
        () => undefined,
      );
    return () => {
      live = false;
      void opened?.destroy();
    };
  }, [url]);
  if (!pdf) return null;
  return (
    <div className="minutes-pages" data-testid="minutes-pages">
      {Array.from({ length: pdf.numPages }, (_, i) => (
        <PageView key={i} pdf={pdf} pageNumber={i + 1} maxWidth={760} maxHeight={1075} label={`${label} — ${i + 1}`}>
          {() => null}
        </PageView>
      ))}
    </div>
  );
}
