// Steps that need at most one text: a reason, a note, an arrival number, or a confirmation.
import { useState } from "react";
import { type DocumentOut, docs, type Step } from "../../documents/api";
import { type DocKey, useDocT } from "../../documents/i18n";
import { Dialog } from "../../documents/ui";

const REASON: Step[] = ["refuse", "return_to_clerk", "return_to_leader", "return_draft", "recall"];
const NOTE: Step[] = ["complete", "confirm_recall", "reject_recall"];

export function SimpleStepDialog({
  doc,
  step,
  onDone,
  onClose,
}: {
  doc: DocumentOut;
  step: Step;
  onDone: () => void;
  onClose: () => void;
}) {
  const t = useDocT();
  const [text, setText] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const needsReason = REASON.includes(step);
  const needsNote = NOTE.includes(step);

  const body = (): Record<string, unknown> | undefined => {
    if (needsReason) return { reason: text };
    if (step === "complete") return { note: text };
    if (step === "confirm_recall" || step === "reject_recall") return { accept: step === "confirm_recall", note: text };
    if (step === "register") return text ? { arrival_number: Number(text) } : {};
    return undefined;
  };
  const submit = async () => {
    setBusy(true);
    setError(null);
    try {
      if (step === "sign" && !doc.electronic) await docs.signedOnPaper(doc.id);
      else await docs.step(doc.id, step, body());
      onDone();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  const label = t(`step_${step}` as DocKey);
  return (
    <Dialog title={label} submitLabel={label} busy={busy} error={error} onSubmit={submit} onClose={onClose}>
      <p>
        <strong>{doc.number_symbol || "—"}</strong> · {doc.abstract}
      </p>
      {(needsReason || needsNote) && (
        <>
          <label htmlFor="step-text">{needsReason ? t("reason") : step === "complete" ? t("result") : t("note")}</label>
          <textarea id="step-text" rows={3} required={needsReason || step === "complete"} value={text} onChange={(e) => setText(e.target.value)} />
        </>
      )}
      {step === "register" && (
        <>
          <label htmlFor="step-text">{t("arrivalNumber")}</label>
          <input id="step-text" type="number" min={1} value={text} onChange={(e) => setText(e.target.value)} />
        </>
      )}
    </Dialog>
  );
}
