// The leader's direction: text, the lead handler, co-handlers and the deadline.
import { useEffect, useState } from "react";
import { type DocumentOut, docs, type Person } from "../../documents/api";
import { useDocT } from "../../documents/i18n";
import { Dialog } from "../../documents/ui";

export function DirectDialog({ doc, onDone, onClose }: { doc: DocumentOut; onDone: () => void; onClose: () => void }) {
  const t = useDocT();
  const [people, setPeople] = useState<Person[]>([]);
  const [direction, setDirection] = useState("");
  const [lead, setLead] = useState("");
  const [co, setCo] = useState<number[]>([]);
  const [deadline, setDeadline] = useState(doc.deadline ?? "");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);

  useEffect(() => {
    docs.directory(doc.agency_id).then((d) => {
      const seen = new Set<number>();
      setPeople(
        d.people.filter(
          (p) => (p.roles.includes("specialist") || p.roles.includes("leader")) && !seen.has(p.id) && seen.add(p.id),
        ),
      );
    }, setError);
  }, [doc.agency_id]);

  const submit = async () => {
    setBusy(true);
    setError(null);
    try {
      await docs.step(doc.id, "direct", {
        direction,
        lead: { user_id: Number(lead) },
        co: co.filter((id) => id !== Number(lead)).map((user_id) => ({ user_id })),
        deadline: deadline || null,
      });
      onDone();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  const toggle = (id: number, on: boolean) => setCo((list) => (on ? [...list, id] : list.filter((x) => x !== id)));
  return (
    <Dialog title={t("step_direct")} submitLabel={t("step_direct")} busy={busy} error={error} onSubmit={submit} onClose={onClose}>
      <p>{doc.abstract}</p>
      <label htmlFor="direction">{t("directionText")}</label>
      <textarea id="direction" required rows={3} value={direction} onChange={(e) => setDirection(e.target.value)} />
      <label htmlFor="lead">{t("leadHandler")}</label>
      <select id="lead" required value={lead} onChange={(e) => setLead(e.target.value)}>
        <option value="">{t("choose")}</option>
        {people.map((p) => (
          <option key={p.id} value={p.id}>
            {p.full_name} — {p.title}
          </option>
        ))}
      </select>
      <fieldset className="checks">
        <legend>{t("coHandlers")}</legend>
        {people
          .filter((p) => String(p.id) !== lead)
          .map((p) => (
            <label key={p.id} className="check">
              <input type="checkbox" checked={co.includes(p.id)} onChange={(e) => toggle(p.id, e.target.checked)} /> {p.full_name}
            </label>
          ))}
      </fieldset>
      <label htmlFor="direct-deadline">{t("deadline")}</label>
      <input id="direct-deadline" type="date" value={deadline} onChange={(e) => setDeadline(e.target.value)} />
    </Dialog>
  );
}
