// The leader signs: their certificate shown as a person reads it (holder, title, issuer,
// validity), its PIN (and authenticator code when enrolled), and a preview of the result: the
// page with the signature box where the system puts it (between the printed title and name,
// GET signature-place), which the leader may drag as a correction. No page or coordinate
// fields: the box is sent in PDF points. Fits a 390 px phone (the preview shrinks to fit).
import { type KeyboardEvent, type PointerEvent, useEffect, useRef, useState } from "react";
import { contentUrl, type Credential, type DocumentFile, type DocumentOut, docs, type SignaturePlace } from "../../documents/api";
import { useDocT } from "../../documents/i18n";
import {
  type Box,
  boxToRect,
  clampRect,
  defaultBox,
  openPdf,
  type PageGeometry,
  type Rect,
  rectToBox,
  schematicGeometry,
} from "../../documents/pdf";
import { PdfPage } from "../../documents/PdfViewer";
import { Dialog } from "../../documents/ui";
import { useOpenedPdf } from "../../documents/usePdf";
import { type Activation, activationBody, NO_ACTIVATION } from "../../signing/api";
import { ActivationFields } from "../signing/ActivationFields";

const PREVIEW_W = 340; // the page is drawn to fit at most this many CSS pixels…
const PREVIEW_H = 480; // …and this many (less on a narrow phone)
const A4 = schematicGeometry(595, 842, 0.4); // until (or unless) the real page is drawn

/** The preview's width: PREVIEW_W, or what a narrow screen leaves inside the dialog. */
function previewWidth(): number {
  return Math.max(200, Math.min(PREVIEW_W, window.innerWidth - 80));
}

export function SignDialog({
  doc,
  main,
  userId,
  onDone,
  onClose,
}: {
  doc: DocumentOut;
  main: DocumentFile | undefined;
  userId: number;
  onDone: () => void;
  onClose: () => void;
}) {
  const t = useDocT();
  const [error, setError] = useState<unknown>(null);
  const [credentials, credentialId, setCredentialId] = useMyCredentials(userId, setError);
  const [place, setPlace] = useState<SignaturePlace | null>(null);
  const [geometry, setGeometry] = useState<PageGeometry>(A4);
  const [box, setBox] = useState<Box | null>(null);
  const [activation, setActivation] = useState<Activation>(NO_ACTIVATION);
  const [busy, setBusy] = useState(false);
  const credential = credentials.find((c) => c.id === credentialId);

  useEffect(() => {
    docs.signaturePlace(doc.id).then((p) => {
      setPlace(p);
      if (p.box) setBox(p.box);
    }, setError);
  }, [doc.id]);

  const mainId = main?.id;
  const { pdf, failed: pdfFailed } = useOpenedPdf(
    mainId === undefined ? null : () => openPdf(contentUrl(doc.id, mainId)),
    `${doc.id}:${mainId}`,
  );
  const pageNumber = place?.page ?? -1;
  const shownBox = box ?? defaultBox(geometry);
  const placeOn = (g: PageGeometry) => setGeometry(g);

  const submit = async () => {
    setBusy(true);
    setError(null);
    try {
      await docs.step(doc.id, "sign", { credential_id: credentialId, page: pageNumber, box: shownBox, level: "B-B", ...activationBody(activation) });
      onDone();
    } catch (e) {
      setError(e);
      setActivation(NO_ACTIVATION); // a wrong PIN is typed again, never kept
    } finally {
      setBusy(false);
    }
  };

  return (
    <Dialog title={t("signTitle")} submitLabel={t("signNow")} busy={busy} error={error} onSubmit={submit} onClose={onClose} wide>
      <p>{doc.abstract}</p>
      <div className="sign-layout">
        <div className="sign-fields">
          <CredentialField credentials={credentials} value={credentialId} onChange={setCredentialId} />
          {credential && <ActivationFields credential={credential} value={activation} onChange={setActivation} />}
          {place && (
            <p className="muted small" data-testid="sign-place-help">
              {place.box ? t("signPlaceFound") : t("signPlaceMissing")}
            </p>
          )}
          {pdfFailed && <p className="muted small">{t("pageNotDrawn")}</p>}
        </div>
        <figure className="sign-preview" aria-label={t("signPreview")}>
          <figcaption className="muted small">
            {t("signPreview")}
            {place && ` — ${t("signPage")} ${place.page}/${place.pages}`}
          </figcaption>
          <div className="page-preview" style={{ width: geometry.width, height: geometry.height }}>
            {pdf && place ? (
              <PdfPage
                key={pageNumber}
                pdf={pdf}
                pageNumber={pageNumber}
                width={previewWidth()}
                height={PREVIEW_H}
                onLayout={placeOn}
                label={`${t("signPage")} ${pageNumber}`}
                testId="sign-canvas"
              />
            ) : (
              <div className="page-lines" aria-hidden="true" />
            )}
            <BoxHandle geometry={geometry} box={shownBox} onChange={setBox} label={t("signer")} />
          </div>
        </figure>
      </div>
    </Dialog>
  );
}

/** "05/03/2026": the day in Vietnam's time zone, whatever the device's setting. */
function dayVN(iso: string): string {
  return new Intl.DateTimeFormat("en-GB", { day: "2-digit", month: "2-digit", year: "numeric", timeZone: "Asia/Ho_Chi_Minh" }).format(new Date(iso));
}

/** My own certificates to sign with (no seal, none disabled), the first one chosen. Shared
 * with the other signing screens (the meeting minutes). */
export function useMyCredentials(userId: number, onError: (e: unknown) => void): [Credential[], string, (id: string) => void] {
  const [credentials, setCredentials] = useState<Credential[]>([]);
  const [credentialId, setCredentialId] = useState("");
  useEffect(() => {
    docs.credentials().then((d) => {
      const mine = d.items.filter((c) => c.user_id === userId && c.kind !== "seal" && !c.disabled_at);
      setCredentials(mine);
      if (mine.length > 0) setCredentialId(mine[0].id);
    }, onError);
  }, [userId, onError]);
  return [credentials, credentialId, setCredentialId];
}

/** The certificate as a person reads it: holder, title, issuer and validity (a choice when
 * there are several), or the notice that there is none. Never a raw distinguished name. */
export function CredentialField({ credentials, value, onChange }: { credentials: Credential[]; value: string; onChange: (id: string) => void }) {
  const t = useDocT();
  if (credentials.length === 0) return <p className="error">{t("noCertificate")}</p>;
  const chosen = credentials.find((c) => c.id === value) ?? credentials[0];
  const until = (c: Credential) => `${dayVN(c.not_before)} – ${dayVN(c.not_after)}`;
  const expired = new Date(chosen.not_after).getTime() < Date.now();
  return (
    <>
      <span className="field-label" id="sign-cert-label">
        {t("certificate")}
      </span>
      {credentials.length > 1 && (
        <select id="sign-cert" aria-labelledby="sign-cert-label" required value={value} onChange={(e) => onChange(e.target.value)}>
          {credentials.map((c) => (
            <option key={c.id} value={c.id}>
              {c.holder || c.label} — {c.issuer_name} — {until(c)}
            </option>
          ))}
        </select>
      )}
      <div className="cert-card" role="group" aria-labelledby="sign-cert-label" data-testid="cert-card">
        <strong>{chosen.holder || chosen.label}</strong>
        {chosen.holder_title && <span>{chosen.holder_title}</span>}
        <span>
          {t("certIssuer")}: {chosen.issuer_name || "—"}
        </span>
        <span className={expired ? "error" : undefined}>
          {t("certValidity")}: {until(chosen)}
          {expired && ` (${t("certExpired")})`}
        </span>
      </div>
    </>
  );
}

/** The signature box over the page: drag to move, the corner to resize, arrows (Shift: size). */
function BoxHandle({
  geometry,
  box,
  onChange,
  label,
}: {
  geometry: PageGeometry;
  box: Box;
  onChange: (b: Box) => void;
  label: string;
}) {
  const drag = useRef<{ mode: "move" | "resize"; x: number; y: number; rect: Rect } | null>(null);
  const rect = boxToRect(geometry, box);
  const update = (r: Rect) => onChange(rectToBox(geometry, clampRect(geometry, r)));

  const down = (mode: "move" | "resize") => (e: PointerEvent<HTMLElement>) => {
    e.stopPropagation();
    e.preventDefault();
    e.currentTarget.setPointerCapture(e.pointerId);
    drag.current = { mode, x: e.clientX, y: e.clientY, rect };
  };
  const move = (e: PointerEvent<HTMLElement>) => {
    const start = drag.current;
    if (!start) return;
    e.stopPropagation();
    const dx = e.clientX - start.x;
    const dy = e.clientY - start.y;
    const r = start.rect;
    if (start.mode === "move") update({ ...r, left: r.left + dx, top: r.top + dy });
    else update({ ...r, width: r.width + dx, height: r.height + dy });
  };
  const up = () => {
    drag.current = null;
  };
  const key = (e: KeyboardEvent<HTMLDivElement>) => {
    const step = { ArrowLeft: [-4, 0], ArrowRight: [4, 0], ArrowUp: [0, -4], ArrowDown: [0, 4] }[e.key];
    if (!step) return;
    e.preventDefault();
    const [dx, dy] = step;
    if (e.shiftKey) update({ ...rect, width: rect.width + dx, height: rect.height + dy });
    else update({ ...rect, left: rect.left + dx, top: rect.top + dy });
  };

  return (
    <div
      className="sign-box"
      data-testid="sign-box"
      role="button"
      aria-label={`${label}: ${box.join(", ")}`}
      tabIndex={0}
      onPointerDown={down("move")}
      onPointerMove={move}
      onPointerUp={up}
      onKeyDown={key}
      style={{ left: rect.left, top: rect.top, width: rect.width, height: rect.height }}
    >
      {label}
      <span className="sign-box-resize" data-testid="sign-box-resize" onPointerDown={down("resize")} onPointerMove={move} onPointerUp={up} />
    </div>
  );
}
