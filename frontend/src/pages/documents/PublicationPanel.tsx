// Publication on the public page (công khai văn bản): its state, sector and public address;
// for a clerk of the agency, publishing under a sector and later withdrawing or marking it
// expired, with a date and a reason (the document stays on the public page, marked).
import { useCallback, useEffect, useState } from "react";
import { useUi } from "../../context";
import { type DocumentDetail, type DocumentOut, docs, publicUrl, type Sector } from "../../documents/api";
import { formatDate, formatTime, useDocT } from "../../documents/i18n";
import { todayInVietnam } from "../../format";
import { Dialog, ErrorLine } from "../../documents/ui";

type Ending = "withdraw" | "expire";

export function PublicationPanel({ detail, onChanged }: { detail: DocumentDetail; onChanged: () => void }) {
  const t = useDocT();
  const { lang } = useUi();
  const [sectors, setSectors] = useState<Sector[]>([]);
  const [error, setError] = useState<unknown>(null);
  const [open, setOpen] = useState<"publish" | Ending | null>(null);
  const d = detail.document;
  const pub = detail.publication;
  const issued = d.flow === "outgoing" && (d.state === "issued" || d.state === "dispatched");
  const shown = pub !== null || (issued && d.confidentiality === "none");

  useEffect(() => {
    if (shown) docs.sectors().then((s) => setSectors(s.items), setError);
  }, [shown]);
  const close = useCallback(() => setOpen(null), []);
  const done = useCallback(() => {
    setOpen(null);
    onChanged();
  }, [onChanged]);

  if (!shown) return null;
  const sector = sectors.find((s) => s.code === pub?.sector);
  return (
    <section aria-labelledby="pub-title" className="panel" data-testid="publication">
      <h2 id="pub-title">{t("pubTitle")}</h2>
      <ErrorLine error={error} />
      {pub === null ? (
        <p className="muted">{t("pubNotYet")}</p>
      ) : (
        <dl className="meta">
          <dt>{t("pubState")}</dt>
          <dd>
            <span className={`state state-${pub.state}`} data-testid="publication-state">
              {t(`pub_${pub.state}`)}
            </span>
            {pub.ended_on && ` ${t("pubSince")} ${formatDate(pub.ended_on, lang)}`}
          </dd>
          {pub.state !== "published" && (
            <>
              <dt>{t("reason")}</dt>
              <dd>{pub.reason}</dd>
            </>
          )}
          <dt>{t("pubSector")}</dt>
          <dd>{sector ? (lang === "en" ? sector.name_en : sector.name) : pub.sector}</dd>
          <dt>{t("pubAt")}</dt>
          <dd>{formatTime(pub.published_at, lang)}</dd>
          <dt>{t("pubAddress")}</dt>
          <dd>
            <a href={publicUrl(pub.slug)} data-testid="public-link">
              {publicUrl(pub.slug)}
            </a>
          </dd>
        </dl>
      )}
      {detail.may_publish && pub === null && issued && d.confidentiality === "none" && (
        <button type="button" className="primary" onClick={() => setOpen("publish")}>
          {t("pubPublish")}
        </button>
      )}
      {detail.may_publish && pub?.state === "published" && (
        <>
          <button type="button" className="secondary" onClick={() => setOpen("withdraw")}>
            {t("pubWithdraw")}
          </button>{" "}
          <button type="button" className="secondary" onClick={() => setOpen("expire")}>
            {t("pubExpire")}
          </button>
        </>
      )}
      {open === "publish" && <PublishDialog doc={d} sectors={sectors} onDone={done} onClose={close} />}
      {(open === "withdraw" || open === "expire") && <EndDialog doc={d} how={open} onDone={done} onClose={close} />}
    </section>
  );
}

/** The public addresses the clerk typed or pasted (a whole link is cut to its address). */
function slugsOf(text: string): string[] {
  return text
    .split(",")
    .map((part) => {
      const address = part.trim().replace(/^.*\/cong-khai\//, "");
      try {
        return decodeURIComponent(address);
      } catch {
        return address;
      }
    })
    .filter(Boolean);
}

function PublishDialog({
  doc,
  sectors,
  onDone,
  onClose,
}: {
  doc: DocumentOut;
  sectors: Sector[];
  onDone: () => void;
  onClose: () => void;
}) {
  const t = useDocT();
  const { lang } = useUi();
  const [sector, setSector] = useState("");
  const [amends, setAmends] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);

  const submit = async () => {
    setBusy(true);
    setError(null);
    try {
      await docs.publish(doc.id, { sector, amends: slugsOf(amends) });
      onDone();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Dialog title={t("pubPublish")} submitLabel={t("pubPublish")} busy={busy} error={error} onSubmit={submit} onClose={onClose}>
      <p>
        <strong>{doc.number_symbol || "—"}</strong> · {doc.abstract}
      </p>
      <label htmlFor="pub-sector">{t("pubSector")}</label>
      <select id="pub-sector" required value={sector} onChange={(e) => setSector(e.target.value)}>
        <option value="">{t("choose")}</option>
        {sectors.map((s) => (
          <option key={s.code} value={s.code}>
            {lang === "en" ? s.name_en : s.name}
          </option>
        ))}
      </select>
      <label htmlFor="pub-amends">{t("pubAmends")}</label>
      <input id="pub-amends" type="text" placeholder="2026/05-QĐ-UBND" value={amends} onChange={(e) => setAmends(e.target.value)} />
    </Dialog>
  );
}

/** Today's date in Vietnam (YYYY-MM-DD). */
const today = () => todayInVietnam();

function EndDialog({ doc, how, onDone, onClose }: { doc: DocumentOut; how: Ending; onDone: () => void; onClose: () => void }) {
  const t = useDocT();
  const [reason, setReason] = useState("");
  const [on, setOn] = useState(today);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);

  const submit = async () => {
    setBusy(true);
    setError(null);
    try {
      await docs.endPublication(doc.id, how, on ? { reason, on } : { reason });
      onDone();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  const title = how === "withdraw" ? t("pubWithdrawTitle") : t("pubExpireTitle");
  return (
    <Dialog
      title={title}
      submitLabel={how === "withdraw" ? t("pubWithdraw") : t("pubExpire")}
      busy={busy}
      error={error}
      onSubmit={submit}
      onClose={onClose}
    >
      <p>
        <strong>{doc.number_symbol || "—"}</strong> · {doc.abstract}
      </p>
      <p className="small muted">{t("pubEndHelp")}</p>
      <label htmlFor="pub-reason">{t("reason")}</label>
      <textarea id="pub-reason" rows={3} required maxLength={2000} value={reason} onChange={(e) => setReason(e.target.value)} />
      <label htmlFor="pub-on">{t("pubDate")}</label>
      <input id="pub-on" type="date" value={on} onChange={(e) => setOn(e.target.value)} />
    </Dialog>
  );
}
