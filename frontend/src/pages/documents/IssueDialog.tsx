// The clerk issues (number, date and the agency's seal, opened with the seal's PIN), then
// dispatches to recipient agencies inside the system, to agencies chosen from the agency
// directory (inside the system, by edXML exchange, or on paper for those that take only
// paper) and/or to names typed by hand.
import { useEffect, useState } from "react";
import { type Credential, type DirectoryEntry, type DocumentOut, docs } from "../../documents/api";
import { useDocT } from "../../documents/i18n";
import { Dialog, ErrorLine } from "../../documents/ui";
import { type Activation, activationBody, NO_ACTIVATION } from "../../signing/api";
import { ActivationFields } from "../signing/ActivationFields";
import { DirectoryPicker } from "./DirectoryPicker";

export function IssueDialog({
  doc,
  onDone,
  onClose,
}: {
  doc: DocumentOut;
  onDone: () => void;
  onClose: () => void;
}) {
  const t = useDocT();
  const [current, setCurrent] = useState(doc);
  const [seals, setSeals] = useState<Credential[]>([]);
  const [sealId, setSealId] = useState("");
  const [activation, setActivation] = useState<Activation>(NO_ACTIVATION);
  const [agencies, setAgencies] = useState<{ id: number; name: string }[]>([]);
  const [chosen, setChosen] = useState<number[]>([]);
  const [external, setExternal] = useState("");
  const [picked, setPicked] = useState<DirectoryEntry[]>([]);
  const [paper, setPaper] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [sent, setSent] = useState(false);
  const issued = current.state === "issued" || current.state === "dispatched";
  // The seal asked for, or the agency's only one (the server picks it when none is chosen).
  const seal = sealId ? seals.find((c) => c.id === sealId) : seals.length === 1 ? seals[0] : undefined;

  useEffect(() => {
    docs.credentials().then(
      (d) => setSeals(d.items.filter((c) => c.kind === "seal" && c.agency_id === doc.agency_id && !c.disabled_at)),
      setError,
    );
    docs.agencies().then((d) => setAgencies(d.items.filter((a) => a.id !== doc.agency_id)), setError);
  }, [doc.agency_id]);

  const issue = async () => {
    setBusy(true);
    setError(null);
    try {
      const body = doc.electronic ? activationBody(activation) : {};
      await docs.step(doc.id, "issue", sealId ? { credential_id: sealId, ...body } : body);
      setCurrent((await docs.detail(doc.id)).document);
    } catch (e) {
      setError(e);
      setActivation(NO_ACTIVATION);
    } finally {
      setBusy(false);
    }
  };

  const dispatch = async () => {
    const outside = external
      .split("\n")
      .map((line) => line.trim())
      .filter(Boolean)
      .map((line) => {
        const [name, code] = line.split("|").map((s) => s.trim());
        return { method: paper ? "paper" : "edxml", name, organ_id: code ?? "" };
      });
    const inside = [...new Set([...chosen, ...picked.flatMap((e) => (e.agency_id === null ? [] : [e.agency_id]))])];
    const fromDirectory = picked
      .filter((e) => e.agency_id === null)
      .map((e) => ({ method: paper || !e.electronic ? "paper" : "edxml", name: e.name, organ_id: e.code }));
    setBusy(true);
    setError(null);
    try {
      await docs.step(doc.id, "dispatch", {
        recipients: [...inside.map((agency_id) => ({ method: "internal", agency_id })), ...fromDirectory, ...outside],
      });
      setSent(true);
      onDone();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  const toggle = (id: number, on: boolean) => setChosen((list) => (on ? [...list, id] : list.filter((x) => x !== id)));
  return (
    <Dialog title={t("issueTitle")} onClose={issued ? onDone : onClose} wide>
      <p>{current.abstract}</p>
      <ErrorLine error={error} />
      <section className="panel" aria-labelledby="issue-step">
        <h3 id="issue-step">{t("issueStep")}</h3>
        {issued ? (
          <p role="status" className="ok">
            {t("issuedAs")} <strong data-testid="issued-number">{current.number_symbol}</strong>
          </p>
        ) : (
          <>
            <label htmlFor="issue-seal">{t("seal")}</label>
            <select id="issue-seal" value={sealId} onChange={(e) => setSealId(e.target.value)}>
              <option value="">{t("autoSeal")}</option>
              {seals.map((c) => (
                <option key={c.id} value={c.id}>
                  {c.subject} — {c.label}
                </option>
              ))}
            </select>
            {doc.electronic && <ActivationFields credential={seal} value={activation} onChange={setActivation} seal />}
            <button type="button" className="primary" disabled={busy || (doc.electronic && !activation.pin)} onClick={() => void issue()}>
              {busy ? t("working") : t("issueNow")}
            </button>
          </>
        )}
      </section>
      <section className="panel" aria-labelledby="dispatch-step">
        <h3 id="dispatch-step">{t("dispatchStep")}</h3>
        <fieldset className="checks" disabled={!issued}>
          <legend>{t("internalRecipients")}</legend>
          {agencies.map((a) => (
            <label key={a.id} className="check">
              <input type="checkbox" checked={chosen.includes(a.id)} onChange={(e) => toggle(a.id, e.target.checked)} /> {a.name}
            </label>
          ))}
        </fieldset>
        <DirectoryPicker chosen={picked} onChange={setPicked} disabled={!issued} />
        <label htmlFor="external">{t("externalRecipients")}</label>
        <textarea id="external" rows={2} disabled={!issued} value={external} onChange={(e) => setExternal(e.target.value)} />
        <label className="check">
          <input type="checkbox" disabled={!issued} checked={paper} onChange={(e) => setPaper(e.target.checked)} /> {t("sendPaper")}
        </label>
        {sent && <p role="status">{t("dispatched")}</p>}
        <button
          type="button"
          className="primary"
          disabled={!issued || busy || (chosen.length === 0 && picked.length === 0 && !external.trim())}
          onClick={() => void dispatch()}
        >
          {t("dispatchNow")}
        </button>
      </section>
    </Dialog>
  );
}
