// The leader signs: one of my certificates, its PIN (and authenticator code when enrolled), the
// page, and a box dragged (and resized) over the real page of the current main PDF, drawn with
// pdf.js. The box is sent in PDF points; the number fields stay as a fallback (and are all there
// is when the page cannot be drawn).
import { type KeyboardEvent, type PointerEvent, useEffect, useRef, useState } from "react";
import { contentUrl, type Credential, type DocumentFile, type DocumentOut, docs } from "../../documents/api";
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

const PREVIEW_W = 340; // the page is drawn to fit this many CSS pixels…
const PREVIEW_H = 480; // …and this many
const A4 = schematicGeometry(595, 842, 0.4); // until (or unless) the real page is drawn

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
  const [page, setPage] = useState(-1); // -1: the last page
  const [geometry, setGeometry] = useState<PageGeometry>(A4);
  const [box, setBox] = useState<Box>(() => defaultBox(A4));
  const [activation, setActivation] = useState<Activation>(NO_ACTIVATION);
  const [busy, setBusy] = useState(false);
  const credential = credentials.find((c) => c.id === credentialId);

  const mainId = main?.id;
  const { pdf, failed: pdfFailed } = useOpenedPdf(
    mainId === undefined ? null : () => openPdf(contentUrl(doc.id, mainId)),
    `${doc.id}:${mainId}`,
  );

  const pages = pdf?.numPages ?? 0;
  const pageNumber = pdf ? (page < 0 ? Math.max(1, pages + 1 + page) : Math.min(page, pages)) : page;
  const placeOn = (g: PageGeometry) => {
    setGeometry(g);
    setBox(defaultBox(g));
  };

  const submit = async () => {
    setBusy(true);
    setError(null);
    try {
      await docs.step(doc.id, "sign", { credential_id: credentialId, page: pageNumber, box, level: "B-B", ...activationBody(activation) });
      onDone();
    } catch (e) {
      setError(e);
      setActivation(NO_ACTIVATION); // a wrong PIN is typed again, never kept
    } finally {
      setBusy(false);
    }
  };
  const setCoord = (i: number, value: number) => setBox((b) => b.map((v, j) => (j === i ? value : v)) as Box);

  return (
    <Dialog title={t("signTitle")} submitLabel={t("signNow")} busy={busy} error={error} onSubmit={submit} onClose={onClose} wide>
      <p>{doc.abstract}</p>
      <CredentialField credentials={credentials} value={credentialId} onChange={setCredentialId} />
      {credential && <ActivationFields credential={credential} value={activation} onChange={setActivation} />}
      <div className="sign-layout">
        <div>
          <label htmlFor="sign-page">
            {t("page")} {pdf ? <span className="muted small">/ {pages}</span> : <span className="muted small">{t("lastPage")}</span>}
          </label>
          <input
            id="sign-page"
            type="number"
            min={pdf ? 1 : undefined}
            max={pdf ? pages : undefined}
            value={pageNumber}
            onChange={(e) => setPage(Number(e.target.value) || -1)}
          />
          <fieldset className="coords">
            <legend>{t("position")}</legend>
            {["x1", "y1", "x2", "y2"].map((name, i) => (
              <label key={name}>
                {name}
                <input type="number" min={0} step="any" value={box[i]} onChange={(e) => setCoord(i, Number(e.target.value))} />
              </label>
            ))}
          </fieldset>
          <p className="muted small">{pdf ? t("signDragHelp") : t("signPreviewHelp")}</p>
          {pdfFailed && <p className="muted small">{t("pageNotDrawn")}</p>}
        </div>
        <div className="page-preview" style={{ width: geometry.width, height: geometry.height }}>
          {pdf ? (
            <PdfPage
              key={pageNumber}
              pdf={pdf}
              pageNumber={pageNumber}
              width={PREVIEW_W}
              height={PREVIEW_H}
              onLayout={placeOn}
              label={`${t("page")} ${pageNumber}`}
              testId="sign-canvas"
            />
          ) : (
            <div className="page-lines" aria-hidden="true" />
          )}
          <BoxHandle geometry={geometry} box={box} onChange={setBox} label={t("signer")} />
        </div>
      </div>
    </Dialog>
  );
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

/** The choice of certificate, or the notice that there is none. */
export function CredentialField({ credentials, value, onChange }: { credentials: Credential[]; value: string; onChange: (id: string) => void }) {
  const t = useDocT();
  if (credentials.length === 0) return <p className="error">{t("noCertificate")}</p>;
  return (
    <>
      <label htmlFor="sign-cert">{t("certificate")}</label>
      <select id="sign-cert" required value={value} onChange={(e) => onChange(e.target.value)}>
        {credentials.map((c) => (
          <option key={c.id} value={c.id}>
            {c.subject} — {c.label}
          </option>
        ))}
      </select>
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
