// The clerk makes an electronic copy of a document (sao y, sao lục): the agency's seal, opened
// with its PIN, at the top right of the first page with the copy form, the agency's name and the
// time (Decree 30). The copy is kept with the document's files.
import { useEffect, useState } from "react";
import { type Credential, type DocumentOut, docs } from "../../documents/api";
import { useDocT } from "../../documents/i18n";
import { Dialog } from "../../documents/ui";
import { type Activation, activationBody, NO_ACTIVATION } from "../../signing/api";
import { ActivationFields } from "../signing/ActivationFields";

/** States in which a document may be copied: issued outgoing, registered incoming ones. */
export const COPYABLE = new Set(["issued", "dispatched", "registered", "presented", "assigned", "in_progress", "completed"]);

export function CopyDialog({ doc, onDone, onClose }: { doc: DocumentOut; onDone: () => void; onClose: () => void }) {
  const t = useDocT();
  const [form, setForm] = useState<"sao-y" | "sao-luc">("sao-y");
  const [seals, setSeals] = useState<Credential[]>([]);
  const [sealId, setSealId] = useState("");
  const [activation, setActivation] = useState<Activation>(NO_ACTIVATION);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);

  useEffect(() => {
    docs.credentials().then((d) => {
      const mine = d.items.filter((c) => c.kind === "seal" && c.agency_id === doc.agency_id && !c.disabled_at);
      setSeals(mine);
      if (mine.length > 0) setSealId(mine[0].id);
    }, setError);
  }, [doc.agency_id]);

  const submit = async () => {
    setBusy(true);
    setError(null);
    try {
      await docs.copy(doc.id, { form, credential_id: sealId || null, ...activationBody(activation) });
      onDone();
    } catch (e) {
      setError(e);
      setActivation(NO_ACTIVATION);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Dialog title={t("copyTitle")} submitLabel={t("copyNow")} busy={busy} error={error} onSubmit={submit} onClose={onClose}>
      <p>{doc.abstract}</p>
      <fieldset className="checks">
        <legend>{t("copyForm")}</legend>
        <label className="check">
          <input type="radio" name="copy-form" checked={form === "sao-y"} onChange={() => setForm("sao-y")} /> {t("copySaoY")}
        </label>
        <label className="check">
          <input type="radio" name="copy-form" checked={form === "sao-luc"} onChange={() => setForm("sao-luc")} /> {t("copySaoLuc")}
        </label>
      </fieldset>
      {seals.length === 0 ? (
        <p className="error">{t("noSeal")}</p>
      ) : (
        <>
          <label htmlFor="copy-seal">{t("seal")}</label>
          <select id="copy-seal" value={sealId} onChange={(e) => setSealId(e.target.value)}>
            {seals.map((c) => (
              <option key={c.id} value={c.id}>
                {c.subject} — {c.label}
              </option>
            ))}
          </select>
          <ActivationFields credential={seals.find((c) => c.id === sealId)} value={activation} onChange={setActivation} seal />
        </>
      )}
      <p className="muted small">{t("copyHelp")}</p>
    </Dialog>
  );
}
