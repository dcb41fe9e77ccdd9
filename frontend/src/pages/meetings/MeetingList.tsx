// My meetings: the coming ones first (soonest first), then the past ones (latest first);
// an organiser creates one here.
import { type FormEvent, useEffect, useState } from "react";
import type { Me } from "../../api";
import { useUi } from "../../context";
import { formatTime } from "../../documents/i18n";
import { vietnamInstant } from "../../format";
import { agencyWith } from "../../documents/roles";
import { ErrorLine } from "../../documents/ui";
import { type Meeting, meetings } from "../../meetings/api";
import { useMeetT } from "../../meetings/i18n";
import { usePeople } from "../../meetings/people";

const DONE = ["ended", "minutes_signed", "cancelled"];

/** Coming meetings soonest first, then the others latest first. */
export function ordered(items: Meeting[]): Meeting[] {
  const coming = items.filter((m) => !DONE.includes(m.state)).sort((a, b) => a.starts_at.localeCompare(b.starts_at));
  const past = items.filter((m) => DONE.includes(m.state)).sort((a, b) => b.starts_at.localeCompare(a.starts_at));
  return [...coming, ...past];
}

export function StateBadge({ state }: { state: string }) {
  const t = useMeetT();
  return (
    <span className={`state meeting-${state}`} data-testid="meeting-state">
      {t.state(state)}
    </span>
  );
}

export function organiserAgency(me: Me): number | null {
  return agencyWith(me, "leader", "secretary", "clerk");
}

export function MeetingList({ me }: { me: Me }) {
  const t = useMeetT();
  const { lang, navigate } = useUi();
  const [items, setItems] = useState<Meeting[] | null>(null);
  const [error, setError] = useState<unknown>(null);

  useEffect(() => {
    meetings.mine().then((d) => setItems(ordered(d.items)), setError);
  }, []);

  return (
    <section aria-labelledby="meetings-title">
      <h1 id="meetings-title">{t("myMeetings")}</h1>
      {organiserAgency(me) !== null && (
        <p>
          <button type="button" className="primary" onClick={() => navigate("/meetings/new")}>
            {t("newMeeting")}
          </button>
        </p>
      )}
      <ErrorLine error={error} />
      {items === null && !error && <p>{t("loading")}</p>}
      {items?.length === 0 && <p>{t("noMeetings")}</p>}
      {items && items.length > 0 && (
        <ul className="meeting-cards">
          {items.map((m) => (
            <li key={m.id}>
              <a
                href={`/meetings/${m.id}`}
                className="meeting-card"
                onClick={(e) => {
                  e.preventDefault();
                  navigate(`/meetings/${m.id}`);
                }}
              >
                <strong>{m.title}</strong>
                <span className="small">
                  {formatTime(m.starts_at, lang)}
                  {m.place && ` · ${m.place}`}
                </span>
                <StateBadge state={m.state} />
              </a>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

/** A new meeting (a draft): title, time, place, chair and secretary; members come next. */
export function MeetingCreate({ me }: { me: Me }) {
  const t = useMeetT();
  const { navigate } = useUi();
  const agencyId = organiserAgency(me);
  const people = usePeople(agencyId);
  const [title, setTitle] = useState("");
  const [startsAt, setStartsAt] = useState("");
  const [place, setPlace] = useState("");
  const [chairId, setChairId] = useState("");
  const [secretaryId, setSecretaryId] = useState(String(me.user.id));
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);

  if (agencyId === null) return <p className="error">{t("notOrganiser")}</p>;
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const created = await meetings.create({
        agency_id: agencyId,
        title,
        starts_at: vietnamInstant(startsAt),
        place,
        chair_id: Number(chairId),
        secretary_id: Number(secretaryId),
      });
      navigate(`/meetings/${created.id}`);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <form className="doc-form" onSubmit={submit} aria-labelledby="new-meeting-title">
      <h1 id="new-meeting-title">{t("newMeeting")}</h1>
      <ErrorLine error={error} />
      <label htmlFor="m-title">{t("meetingTitle")}</label>
      <input id="m-title" required maxLength={500} value={title} onChange={(e) => setTitle(e.target.value)} />
      <div className="row">
        <div>
          <label htmlFor="m-start">{t("startsAt")}</label>
          <input id="m-start" type="datetime-local" required value={startsAt} onChange={(e) => setStartsAt(e.target.value)} />
        </div>
        <div>
          <label htmlFor="m-place">{t("place")}</label>
          <input id="m-place" maxLength={255} value={place} onChange={(e) => setPlace(e.target.value)} />
        </div>
      </div>
      <div className="row">
        <div>
          <label htmlFor="m-chair">{t("chair")}</label>
          <PersonSelect id="m-chair" people={people.list} value={chairId} onChange={setChairId} required />
        </div>
        <div>
          <label htmlFor="m-secretary">{t("secretary")}</label>
          <PersonSelect id="m-secretary" people={people.list} value={secretaryId} onChange={setSecretaryId} required />
        </div>
      </div>
      <button type="submit" className="primary" disabled={busy}>
        {busy ? t("working") : t("createMeeting")}
      </button>
    </form>
  );
}

export function PersonSelect({
  id,
  people,
  value,
  onChange,
  required,
  empty,
}: {
  id: string;
  people: { id: number; full_name: string; title: string }[];
  value: string;
  onChange: (value: string) => void;
  required?: boolean;
  empty?: string;
}) {
  const t = useMeetT();
  return (
    <select id={id} required={required} value={value} onChange={(e) => onChange(e.target.value)}>
      <option value="">{empty ?? t("choose")}</option>
      {people.map((p) => (
        <option key={p.id} value={p.id}>
          {p.full_name} — {p.title}
        </option>
      ))}
    </select>
  );
}
