// The clerk presents to a leader; the head of the drafting unit names the approving leader.
import { useEffect, useState } from "react";
import { type DocumentOut, docs, type Person } from "../../documents/api";
import { useDocT } from "../../documents/i18n";
import { Dialog } from "../../documents/ui";

export function LeaderDialog({
  doc,
  step,
  onDone,
  onClose,
}: {
  doc: DocumentOut;
  step: "present" | "pass_review";
  onDone: () => void;
  onClose: () => void;
}) {
  const t = useDocT();
  const [leaders, setLeaders] = useState<Person[]>([]);
  const [leaderId, setLeaderId] = useState("");
  const [note, setNote] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);

  useEffect(() => {
    docs.directory(doc.agency_id).then((d) => {
      const seen = new Set<number>();
      setLeaders(d.people.filter((p) => p.roles.includes("leader") && !seen.has(p.id) && seen.add(p.id)));
    }, setError);
  }, [doc.agency_id]);

  const submit = async () => {
    setBusy(true);
    setError(null);
    try {
      await docs.step(doc.id, step, { leader_id: Number(leaderId), note });
      onDone();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  const label = step === "present" ? t("step_present") : t("step_pass_review");
  return (
    <Dialog title={label} submitLabel={label} busy={busy} error={error} onSubmit={submit} onClose={onClose}>
      <p>{doc.abstract}</p>
      <label htmlFor="leader">{t("leader")}</label>
      <select id="leader" required value={leaderId} onChange={(e) => setLeaderId(e.target.value)}>
        <option value="">{t("chooseLeader")}</option>
        {leaders.map((p) => (
          <option key={p.id} value={p.id}>
            {p.full_name} — {p.title}
          </option>
        ))}
      </select>
      <label htmlFor="leader-note">{t("note")}</label>
      <textarea id="leader-note" rows={2} value={note} onChange={(e) => setNote(e.target.value)} />
    </Dialog>
  );
}
