// The leader signs: one of my certificates, the page, and a box dragged over a schematic A4
// page (the page itself is not rendered: that would need a PDF library in the browser).
import { type PointerEvent, useEffect, useRef, useState } from "react";
import { type Credential, type DocumentOut, docs } from "../../documents/api";
import { useDocT } from "../../documents/i18n";
import { Dialog } from "../../documents/ui";

const PAGE_W = 595; // A4 in PDF points
const PAGE_H = 842;
const SCALE = 0.4; // preview pixels per point
type Box = [number, number, number, number];
// Decree 30 layout: the signature block sits right of "Nơi nhận", in the lower half.
const DEFAULT_BOX: Box = [300, 250, 530, 330];

export function SignDialog({
  doc,
  userId,
  onDone,
  onClose,
}: {
  doc: DocumentOut;
  userId: number;
  onDone: () => void;
  onClose: () => void;
}) {
  const t = useDocT();
  const [credentials, setCredentials] = useState<Credential[]>([]);
  const [credentialId, setCredentialId] = useState("");
  const [page, setPage] = useState(-1);
  const [box, setBox] = useState<Box>(DEFAULT_BOX);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const drag = useRef<{ x: number; y: number; box: Box } | null>(null);

  useEffect(() => {
    docs.credentials().then((d) => {
      const mine = d.items.filter((c) => c.user_id === userId && c.kind !== "seal" && !c.disabled_at);
      setCredentials(mine);
      if (mine.length > 0) setCredentialId(mine[0].id);
    }, setError);
  }, [userId]);

  const submit = async () => {
    setBusy(true);
    setError(null);
    try {
      await docs.step(doc.id, "sign", { credential_id: credentialId, page, box: box.map(Math.round), level: "B-B" });
      onDone();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  const down = (e: PointerEvent<HTMLDivElement>) => {
    e.currentTarget.setPointerCapture(e.pointerId);
    drag.current = { x: e.clientX, y: e.clientY, box };
  };
  const move = (e: PointerEvent<HTMLDivElement>) => {
    const start = drag.current;
    if (!start) return;
    const [x1, y1, x2, y2] = start.box;
    const w = x2 - x1;
    const h = y2 - y1;
    const dx = (e.clientX - start.x) / SCALE;
    const dy = -(e.clientY - start.y) / SCALE; // PDF y grows upwards
    const nx = Math.min(Math.max(0, x1 + dx), PAGE_W - w);
    const ny = Math.min(Math.max(0, y1 + dy), PAGE_H - h);
    setBox([nx, ny, nx + w, ny + h]);
  };
  const setCoord = (i: number, value: number) => setBox((b) => b.map((v, j) => (j === i ? value : v)) as Box);

  return (
    <Dialog title={t("signTitle")} submitLabel={t("signNow")} busy={busy} error={error} onSubmit={submit} onClose={onClose} wide>
      <p>{doc.abstract}</p>
      {credentials.length === 0 ? (
        <p className="error">{t("noCertificate")}</p>
      ) : (
        <>
          <label htmlFor="sign-cert">{t("certificate")}</label>
          <select id="sign-cert" required value={credentialId} onChange={(e) => setCredentialId(e.target.value)}>
            {credentials.map((c) => (
              <option key={c.id} value={c.id}>
                {c.subject} — {c.label}
              </option>
            ))}
          </select>
        </>
      )}
      <div className="sign-layout">
        <div>
          <label htmlFor="sign-page">
            {t("page")} <span className="muted small">{t("lastPage")}</span>
          </label>
          <input id="sign-page" type="number" value={page} onChange={(e) => setPage(Number(e.target.value) || -1)} />
          <fieldset className="coords">
            <legend>{t("position")}</legend>
            {["x1", "y1", "x2", "y2"].map((name, i) => (
              <label key={name}>
                {name}
                <input type="number" min={0} value={Math.round(box[i])} onChange={(e) => setCoord(i, Number(e.target.value))} />
              </label>
            ))}
          </fieldset>
          <p className="muted small">{t("signPreviewHelp")}</p>
        </div>
        <div className="page-preview" style={{ width: PAGE_W * SCALE, height: PAGE_H * SCALE }} aria-hidden="true">
          <div className="page-lines" />
          <div
            className="sign-box"
            data-testid="sign-box"
            onPointerDown={down}
            onPointerMove={move}
            onPointerUp={() => (drag.current = null)}
            style={{
              left: box[0] * SCALE,
              top: (PAGE_H - box[3]) * SCALE,
              width: (box[2] - box[0]) * SCALE,
              height: (box[3] - box[1]) * SCALE,
            }}
          >
            {t("signer")}
          </div>
        </div>
      </div>
    </Dialog>
  );
}
