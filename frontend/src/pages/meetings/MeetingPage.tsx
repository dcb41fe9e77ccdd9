// A meeting before and around the room: its details, who is invited and their answers, the
// agenda with its PDFs. The organiser invites, adds items and documents and sends the
// invitations; an invited member answers (accept, decline with a reason, send a deputy).
import { type FormEvent, useCallback, useEffect, useState } from "react";
import type { Me } from "../../api";
import { useUi } from "../../context";
import { formatTime } from "../../documents/i18n";
import { ErrorLine } from "../../documents/ui";
import { attachPdf, type MeetingDetail, meetings } from "../../meetings/api";
import { useMeetT } from "../../meetings/i18n";
import { type People, usePeople } from "../../meetings/people";
import { PersonSelect, StateBadge } from "./MeetingList";
import { MeetingOutcome } from "./MeetingOutcome";

export function MeetingPage({ me, id }: { me: Me; id: number }) {
  const t = useMeetT();
  const { lang, navigate } = useUi();
  const [detail, setDetail] = useState<MeetingDetail | null>(null);
  const [error, setError] = useState<unknown>(null);
  const load = useCallback(() => {
    meetings.detail(id).then(setDetail, setError);
  }, [id]);
  useEffect(load, [load]);
  const people = usePeople(detail?.meeting.agency_id, detail?.participants);

  if (!detail) return error ? <ErrorLine error={error} /> : <p>{t("loading")}</p>;
  const m = detail.meeting;
  const organiser = detail.runs || detail.participants.every((p) => p.user_id !== me.user.id);
  const preparing = m.state === "draft" || m.state === "scheduled";
  // Once held, the page shows what happened (attendance from the check-in), not the answers
  // to the invitation.
  const held = m.state === "ended" || m.state === "minutes_signed";
  const seat = detail.participants.find((p) => p.user_id === me.user.id);
  const act = async (work: () => Promise<MeetingDetail>) => {
    setError(null);
    try {
      setDetail(await work());
    } catch (e) {
      setError(e);
    }
  };

  return (
    <article aria-labelledby="meeting-title" className="meeting-page">
      <p>
        <a
          href="/meetings"
          onClick={(e) => {
            e.preventDefault();
            navigate("/meetings");
          }}
        >
          ← {t("myMeetings")}
        </a>
      </p>
      <h1 id="meeting-title">{m.title}</h1>
      <p>
        <StateBadge state={m.state} /> · {formatTime(m.starts_at, lang)}
        {m.place && ` · ${m.place}`}
      </p>
      <dl className="meta">
        <dt>{t("chair")}</dt>
        <dd>{people.name(m.chair_id)}</dd>
        <dt>{t("secretary")}</dt>
        <dd>{people.name(m.secretary_id)}</dd>
      </dl>
      <ErrorLine error={error} />
      <div className="actions">
        {(m.state === "scheduled" || m.state === "in_progress") && (
          <button type="button" className="primary big" onClick={() => navigate(`/meetings/${id}/room`)}>
            {t("enterRoom")}
          </button>
        )}
        {held && (
          <button type="button" className="primary big" onClick={() => navigate(`/meetings/${id}/minutes`)}>
            {t("minutes")}
          </button>
        )}
        {organiser && m.state === "draft" && (
          <button type="button" className="primary" onClick={() => act(() => meetings.schedule(id))}>
            {t("sendInvitations")}
          </button>
        )}
        {organiser && preparing && (
          <button type="button" className="danger" onClick={() => act(() => meetings.cancel(id))}>
            {t("cancelMeeting")}
          </button>
        )}
      </div>
      {seat && (seat.role === "member" || seat.role === "guest") && m.state === "scheduled" && (
        <AnswerForm detail={detail} people={people} onDone={setDetail} />
      )}
      <div className="doc-grid">
        <section className="panel" aria-labelledby="agenda-title">
          <h2 id="agenda-title">{t("agenda")}</h2>
          <ol className="agenda-list">
            {detail.agenda.map((item) => (
              <li key={item.id}>
                <strong>{item.title}</strong>
                <div className="small muted">
                  {t("presenter")}: {people.name(item.presenter_id)} · {item.planned_minutes} {t("minutesShort")}
                </div>
                <ul className="doc-links">
                  {item.documents.map((d) => (
                    <li key={d.id}>
                      {d.title} {d.version > 1 && <span className="muted small">v{d.version}</span>}
                    </li>
                  ))}
                </ul>
                {organiser && preparing && (
                  <label className="button">
                    {t("attachPdf")}
                    <input
                      type="file"
                      accept="application/pdf"
                      className="visually-hidden"
                      aria-label={`${t("attachPdf")}: ${item.title}`}
                      onChange={(e) => {
                        const file = e.target.files?.[0];
                        e.target.value = "";
                        if (file) void act(async () => (await attachPdf(m, item.id, file), meetings.detail(id)));
                      }}
                    />
                  </label>
                )}
              </li>
            ))}
          </ol>
          {organiser && preparing && <ItemForm detail={detail} people={people} onDone={setDetail} />}
        </section>
        {!held && (
          <section className="panel" aria-labelledby="people-title">
            <h2 id="people-title">{t("participants")}</h2>
            <table>
              <thead>
                <tr>
                  <th>{t("name")}</th>
                  <th>{t("role")}</th>
                  <th>{t("answer")}</th>
                </tr>
              </thead>
              <tbody>
                {detail.participants.map((p) => (
                  <tr key={p.user_id}>
                    <td>{people.label(p.user_id)}</td>
                    <td>{t.role(p.role)}</td>
                    <td>
                      {t.rsvp(p.rsvp)}
                      {p.deputy_id && ` (${people.name(p.deputy_id)})`}
                      {p.rsvp_reason && <div className="small muted">{p.rsvp_reason}</div>}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
            {organiser && preparing && <InviteForm detail={detail} people={people} onDone={setDetail} />}
          </section>
        )}
      </div>
      {held && <MeetingOutcome id={id} />}
    </article>
  );
}

function InviteForm({ detail, people, onDone }: { detail: MeetingDetail; people: People; onDone: (d: MeetingDetail) => void }) {
  const t = useMeetT();
  const [userId, setUserId] = useState("");
  const [guest, setGuest] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const invited = new Set(detail.participants.map((p) => p.user_id));
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    try {
      onDone(await meetings.invite(detail.meeting.id, Number(userId), guest ? "guest" : "member"));
      setUserId("");
    } catch (err) {
      setError(err);
    }
  };
  return (
    <form className="inline-form" onSubmit={submit}>
      <ErrorLine error={error} />
      <div>
        <label htmlFor="invite-person">{t("invitePerson")}</label>
        <PersonSelect id="invite-person" people={people.list.filter((p) => !invited.has(p.id))} value={userId} onChange={setUserId} required />
      </div>
      <label className="check">
        <input type="checkbox" checked={guest} onChange={(e) => setGuest(e.target.checked)} /> {t("asGuest")}
      </label>
      <button type="submit" className="secondary">
        {t("invite")}
      </button>
    </form>
  );
}

function ItemForm({ detail, people, onDone }: { detail: MeetingDetail; people: People; onDone: (d: MeetingDetail) => void }) {
  const t = useMeetT();
  const [title, setTitle] = useState("");
  const [presenter, setPresenter] = useState("");
  const [minutes, setMinutes] = useState(15);
  const [error, setError] = useState<unknown>(null);
  const invited = detail.participants.map((p) => p.user_id);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    try {
      onDone(await meetings.addItem(detail.meeting.id, title, presenter ? Number(presenter) : null, minutes));
      setTitle("");
      setPresenter("");
    } catch (err) {
      setError(err);
    }
  };
  return (
    <form className="item-form" onSubmit={submit}>
      <h3>{t("addItem")}</h3>
      <ErrorLine error={error} />
      <label htmlFor="item-title">{t("itemTitle")}</label>
      <input id="item-title" required maxLength={500} value={title} onChange={(e) => setTitle(e.target.value)} />
      <div className="row">
        <div>
          <label htmlFor="item-presenter">{t("presenter")}</label>
          <PersonSelect
            id="item-presenter"
            people={people.list.filter((p) => invited.includes(p.id))}
            value={presenter}
            onChange={setPresenter}
            empty={t("noPresenter")}
          />
        </div>
        <div>
          <label htmlFor="item-minutes">{t("duration")}</label>
          <input id="item-minutes" type="number" min={1} max={600} value={minutes} onChange={(e) => setMinutes(Number(e.target.value))} />
        </div>
      </div>
      <button type="submit" className="secondary">
        {t("addItem")}
      </button>
    </form>
  );
}

function AnswerForm({ detail, people, onDone }: { detail: MeetingDetail; people: People; onDone: (d: MeetingDetail) => void }) {
  const t = useMeetT();
  const [answer, setAnswer] = useState<"accepted" | "declined" | "deputy">("accepted");
  const [reason, setReason] = useState("");
  const [deputy, setDeputy] = useState("");
  const [error, setError] = useState<unknown>(null);
  const [sent, setSent] = useState(false);
  const invited = new Set(detail.participants.flatMap((p) => [p.user_id, p.deputy_id]));
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    setSent(false);
    try {
      onDone(
        await meetings.answer(detail.meeting.id, {
          answer,
          reason: answer === "accepted" ? "" : reason,
          deputy_id: answer === "deputy" ? Number(deputy) : null,
        }),
      );
      setSent(true);
    } catch (err) {
      setError(err);
    }
  };
  return (
    <form className="panel" onSubmit={submit} aria-labelledby="answer-title">
      <h2 id="answer-title">{t("yourAnswer")}</h2>
      <ErrorLine error={error} />
      <fieldset className="checks">
        <legend className="visually-hidden">{t("yourAnswer")}</legend>
        {(["accepted", "declined", "deputy"] as const).map((a) => (
          <label key={a} className="check">
            <input type="radio" name="answer" checked={answer === a} onChange={() => setAnswer(a)} /> {t.answerChoice(a)}
          </label>
        ))}
      </fieldset>
      {answer === "deputy" && (
        <>
          <label htmlFor="answer-deputy">{t("deputy")}</label>
          <PersonSelect id="answer-deputy" people={people.list.filter((p) => !invited.has(p.id))} value={deputy} onChange={setDeputy} required />
        </>
      )}
      {answer !== "accepted" && (
        <>
          <label htmlFor="answer-reason">{t("reason")}</label>
          <textarea id="answer-reason" required maxLength={1000} value={reason} onChange={(e) => setReason(e.target.value)} />
        </>
      )}
      <button type="submit" className="primary">
        {t("sendAnswer")}
      </button>
      {sent && <p className="ok">{t("answerSent")}</p>}
    </form>
  );
}
