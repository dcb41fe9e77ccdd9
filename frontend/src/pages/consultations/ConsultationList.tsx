// Consultations (phiếu lấy ý kiến): those I created and those sent to me, newest first; an
// organiser starts one here (a draft: title, question, deadline, the people asked).
import { type FormEvent, useEffect, useState } from "react";
import type { Me } from "../../api";
import { consultations, type ConsultationListed } from "../../consultations/api";
import { useConsultT } from "../../consultations/i18n";
import { useUi } from "../../context";
import { formatTime } from "../../documents/i18n";
import { AppLink, ErrorLine } from "../../documents/ui";
import { usePeople } from "../../meetings/people";
import { vietnamInstant } from "../../format";
import { organiserAgency } from "../meetings/MeetingList";

export function ConsultationStateBadge({ state }: { state: string }) {
  const t = useConsultT();
  return (
    <span className={`state consultation-${state}`} data-testid="consultation-state">
      {t.state(state)}
    </span>
  );
}

export function ConsultationList({ me }: { me: Me }) {
  const t = useConsultT();
  const { lang, navigate } = useUi();
  const [items, setItems] = useState<ConsultationListed[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    consultations.mine().then((d) => setItems(d.items), setError);
  }, []);
  const group = (rows: ConsultationListed[], label: string, id: string) =>
    rows.length > 0 && (
      <section aria-labelledby={id}>
        <h2 id={id}>{label}</h2>
        <ul className="meeting-cards">
          {rows.map((r) => (
            <li key={r.consultation.id}>
              <AppLink to={`/consultations/${r.consultation.id}`} className="meeting-card">
                <strong>{r.consultation.title}</strong>
                <span className="small">
                  {t("deadline")}: {formatTime(r.consultation.deadline, lang)}
                  {r.answered !== null && ` · ${r.answered}/${r.asked} ${t("answeredOf")}`}
                  {!r.created_by_me && ` · ${t("myAnswer")}: ${r.my_answer ? t.answer(r.my_answer) : t("notAnswered")}`}
                </span>
                <ConsultationStateBadge state={r.consultation.state} />
              </AppLink>
            </li>
          ))}
        </ul>
      </section>
    );
  return (
    <section aria-labelledby="consultations-title">
      <h1 id="consultations-title">{t("listTitle")}</h1>
      {organiserAgency(me) !== null && (
        <p>
          <button type="button" className="primary" onClick={() => navigate("/consultations/new")}>
            {t("newConsultation")}
          </button>
        </p>
      )}
      <ErrorLine error={error} />
      {items === null && !error && <p>{t("loading")}</p>}
      {items?.length === 0 && <p>{t("none")}</p>}
      {items && group(items.filter((r) => !r.created_by_me), t("sentToMe"), "sent-to-me")}
      {items && group(items.filter((r) => r.created_by_me), t("createdByMe"), "created-by-me")}
    </section>
  );
}

/** A new consultation (a draft): documents are attached and it is sent from its page. */
export function ConsultationCreate({ me }: { me: Me }) {
  const t = useConsultT();
  const { navigate } = useUi();
  const agencyId = organiserAgency(me);
  const people = usePeople(agencyId);
  const [title, setTitle] = useState("");
  const [question, setQuestion] = useState("");
  const [deadline, setDeadline] = useState("");
  const [chosen, setChosen] = useState<Set<number>>(new Set());
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  if (agencyId === null) return <p className="error">{t("notOrganiser")}</p>;
  const toggle = (id: number, on: boolean) => {
    const next = new Set(chosen);
    if (on) next.add(id);
    else next.delete(id);
    setChosen(next);
  };
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const made = await consultations.create({
        agency_id: agencyId,
        title,
        question,
        deadline: vietnamInstant(deadline),
        member_ids: [...chosen],
      });
      navigate(`/consultations/${made.consultation.id}`);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <form className="doc-form" onSubmit={submit} aria-labelledby="new-consultation-title">
      <h1 id="new-consultation-title">{t("newConsultation")}</h1>
      <ErrorLine error={error} />
      <label htmlFor="c-title">{t("title")}</label>
      <input id="c-title" required maxLength={500} value={title} onChange={(e) => setTitle(e.target.value)} />
      <label htmlFor="c-question">{t("question")}</label>
      <textarea
        id="c-question"
        required
        rows={5}
        maxLength={5000}
        value={question}
        aria-describedby="c-question-help"
        onChange={(e) => setQuestion(e.target.value)}
      />
      <p id="c-question-help" className="small muted">
        {t("questionHelp")}
      </p>
      <label htmlFor="c-deadline">{t("deadline")}</label>
      <input id="c-deadline" type="datetime-local" required value={deadline} onChange={(e) => setDeadline(e.target.value)} />
      <fieldset className="checks recipients" aria-describedby="c-recipients-help">
        <legend>{t("recipients")}</legend>
        <p id="c-recipients-help" className="small muted">
          {t("recipientsHelp")}
        </p>
        {people.list
          .filter((p) => p.id !== me.user.id)
          .map((p) => (
            <label key={p.id} className="check">
              <input type="checkbox" checked={chosen.has(p.id)} onChange={(e) => toggle(p.id, e.target.checked)} /> {p.full_name} — {p.title}
            </label>
          ))}
      </fieldset>
      <button type="submit" className="primary" disabled={busy || chosen.size === 0}>
        {busy ? t("working") : t("createDraft")}
      </button>
    </form>
  );
}
