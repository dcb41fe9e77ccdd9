// The side panels of the meeting room every participant sees: speakers (ask for the floor,
// the queue, the current speaker's time), the vote (choices, receipt, live count, result) and
// who is present (check-in, quorum).
import { useEffect, useState } from "react";
import { ErrorLine } from "../../documents/ui";
import type { MeetingDetail, Vote } from "../../meetings/api";
import { useMeetT } from "../../meetings/i18n";
import type { LiveMeeting } from "../../meetings/live";
import type { People } from "../../meetings/people";
import { openVote, type Room, speaking, waiting } from "../../meetings/room";
import { DecryptStep, encryptedBallot, GuardianPanel, RecordCheck, trackingLabel, useCeremony, warmBallots } from "./SecretBallot";

export interface PanelProps {
  live: LiveMeeting;
  room: Room;
  detail: MeetingDetail;
  people: People;
  userId: number;
}

/** Run an intent and keep its error for the panel to show. */
export function useIntent(live: LiveMeeting) {
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const run = async <T,>(intent: string, payload: Record<string, unknown> = {}): Promise<T | null> => {
    setBusy(true);
    setError(null);
    try {
      return await live.send<T>(intent, payload);
    } catch (e) {
      setError(e);
      return null;
    } finally {
      setBusy(false);
    }
  };
  return { run, error, busy };
}

function elapsed(from: string, now: number): string {
  const s = Math.max(0, Math.floor((now - new Date(from).getTime()) / 1000));
  return `${String(Math.floor(s / 60)).padStart(2, "0")}:${String(s % 60).padStart(2, "0")}`;
}

export function useNow(ms = 1000): number {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const timer = window.setInterval(() => setNow(Date.now()), ms);
    return () => window.clearInterval(timer);
  }, [ms]);
  return now;
}

export function SpeakersPanel({ live, room, detail, people, userId }: PanelProps) {
  const t = useMeetT();
  const { run, error, busy } = useIntent(live);
  const now = useNow();
  const current = speaking(room);
  const queue = waiting(room);
  const mine = room.speakers.find((s) => s.user_id === userId && (s.state === "waiting" || s.state === "speaking"));
  const running = room.state === "in_progress";
  return (
    <section aria-labelledby="speakers-title">
      <h2 id="speakers-title">{t("speakers")}</h2>
      <ErrorLine error={error} />
      <div className="speaking" data-testid="current-speaker">
        {current ? (
          <>
            <strong>{people.name(current.user_id)}</strong> {t("hasFloor")}{" "}
            <span className="timer">{current.started_at ? elapsed(current.started_at, now) : ""}</span>
            {detail.runs && (
              <button type="button" className="secondary" disabled={busy} onClick={() => run("end_floor", { request_id: current.id })}>
                {t("endFloor")}
              </button>
            )}
          </>
        ) : (
          <span className="muted">{t("nobodySpeaking")}</span>
        )}
      </div>
      {running && !mine && (
        <button type="button" className="primary big" disabled={busy} onClick={() => run("speak")}>
          {t("askFloor")}
        </button>
      )}
      {running && mine?.state === "waiting" && (
        <button type="button" className="secondary big" disabled={busy} onClick={() => run("withdraw")}>
          {t("withdrawRequest")}
        </button>
      )}
      <h3>{t("queue")}</h3>
      {queue.length === 0 ? (
        <p className="muted">{t("queueEmpty")}</p>
      ) : (
        <ol className="queue" data-testid="speaker-queue">
          {queue.map((s) => (
            <li key={s.id}>
              <span>{people.name(s.user_id)}</span>
              {detail.runs && (
                <button type="button" className="secondary" disabled={busy} onClick={() => run("grant", { request_id: s.id })}>
                  {t("grantFloor")}
                </button>
              )}
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}

const ballotKey = (userId: number, voteId: number) => `ecabinet.ballot.${userId}.${voteId}`;

interface MyBallot {
  /** A named vote's choice; a secret ballot's is not kept, even on the tablet (-1). */
  choice: number;
  receipt: string | null;
}

function storedBallot(userId: number, voteId: number): MyBallot | null {
  try {
    return JSON.parse(sessionStorage.getItem(ballotKey(userId, voteId)) ?? "null") as MyBallot | null;
  } catch {
    return null;
  }
}

export function VotePanel({ live, room, detail, userId }: PanelProps) {
  const t = useMeetT();
  const open = openVote(room);
  const closed = room.votes.filter((v) => v.state === "closed");
  const tallying = room.votes.filter((v) => v.state === "tallying");
  const voided = room.votes.filter((v) => v.state === "voided");
  const last = closed[closed.length - 1];
  const meetingId = detail.meeting.id;
  const [ceremony] = useCeremony(meetingId, room.ceremony);
  const guardian = ceremony?.guardians.some((g) => g.user_id === userId) ?? false;
  const seat = detail.participants.find((p) => p.user_id === userId);
  const runs = seat !== undefined && (seat.role === "chair" || seat.role === "secretary");
  const tracking = (v: Vote) => storedBallot(userId, v.id)?.receipt ?? null;
  return (
    <section aria-labelledby="vote-title">
      <h2 id="vote-title">{t("vote")}</h2>
      {open ? <Ballot key={open.id} live={live} vote={open} detail={detail} userId={userId} /> : <p className="muted">{t("noOpenVote")}</p>}
      {tallying.map((v) => (
        <div key={v.id} className="ballot" data-testid="tallying-vote">
          <p className="question">{v.question}</p>
          <p>
            {t("waitingGuardians")}: {v.tally?.have ?? 0} / {v.tally?.quorum ?? "?"}
          </p>
          {guardian && <DecryptStep live={live} meetingId={meetingId} vote={v} />}
          {runs && <VoidStep live={live} vote={v} />}
        </div>
      ))}
      {voided.map((v) => (
        <p key={v.id} className="small error" data-testid="voided-vote">
          {v.question}: {t("voteVoided")} ({v.void_reason})
        </p>
      ))}
      {last && <VoteResult vote={last} />}
      {last?.secret && last.record_hash && <RecordCheck meetingId={meetingId} vote={last} tracking={tracking(last)} />}
      {closed.length > 1 && (
        <details>
          <summary>{t("earlierVotes")}</summary>
          {closed.slice(0, -1).reverse().map((v) => (
            <VoteResult key={v.id} vote={v} />
          ))}
        </details>
      )}
      <GuardianPanel live={live} meetingId={meetingId} userId={userId} runs={runs} bump={room.ceremony} />
    </section>
  );
}

/** The chair's way out when too many guardians' tablets are lost: void the vote as not
 * tallied, with a reason the room sees (nothing is decrypted; a new key can then be made). */
function VoidStep({ live, vote }: { live: LiveMeeting; vote: Vote }) {
  const t = useMeetT();
  const { run, error, busy } = useIntent(live);
  const [reason, setReason] = useState("");
  return (
    <details>
      <summary>{t("voidVote")}</summary>
      <p className="small muted">{t("voidVoteHelp")}</p>
      <label>
        {t("voidReason")}
        <input value={reason} maxLength={500} onChange={(e) => setReason(e.target.value)} data-testid="void-reason" />
      </label>
      <ErrorLine error={error} />
      <button type="button" disabled={busy || !reason.trim()} onClick={() => run("vote_void", { vote_id: vote.id, reason })} data-testid="void-vote">
        {t("voidVote")}
      </button>
    </details>
  );
}

function Ballot({ live, vote, detail, userId }: { live: LiveMeeting; vote: Vote; detail: MeetingDetail; userId: number }) {
  const t = useMeetT();
  const { run, error, busy } = useIntent(live);
  const [mine, setMine] = useState<MyBallot | null>(() => storedBallot(userId, vote.id));
  const seat = detail.participants.find((p) => p.user_id === userId || p.deputy_id === userId);
  const votes = seat !== undefined && (seat.role === "chair" || seat.role === "member");
  const [prepError, setPrepError] = useState<unknown>(null);
  useEffect(() => {
    if (vote.secret) warmBallots();
  }, [vote.secret]);
  const cast = async (choice: number) => {
    // a secret vote's choice is encrypted here, with its proofs; the server never sees it
    let payload: Record<string, unknown> = { choice };
    if (vote.secret) {
      setPrepError(null);
      try {
        payload = await encryptedBallot(detail.meeting.id, vote.id, choice);
      } catch (e) {
        setPrepError(e);
        return;
      }
    }
    const answer = await run<{ cast: number; receipt?: string | null }>("ballot", { vote_id: vote.id, ...payload });
    if (answer) {
      const ballot = { choice: vote.secret ? -1 : choice, receipt: answer.receipt ?? null };
      sessionStorage.setItem(ballotKey(userId, vote.id), JSON.stringify(ballot));
      setMine(ballot);
    }
  };
  return (
    <div className="ballot" data-testid="open-vote">
      <p className="question">{vote.question}</p>
      <p className="small">
        {vote.secret ? t("secretVote") : t("namedVote")} · {vote.rule_label}
      </p>
      <ErrorLine error={error} />
      {votes && !mine && (
        <div className="choices">
          {vote.options.map((o, i) => (
            <button key={o} type="button" className="primary big" disabled={busy} onClick={() => cast(i)}>
              {o}
            </button>
          ))}
        </div>
      )}
      <ErrorLine error={prepError} />
      {vote.secret && !mine && votes && <p className="small">{t("encrypting")}</p>}
      {mine && (
        <p className="ok" data-testid="my-ballot">
          {t("youVoted")}
          {mine.choice >= 0 && `: ${vote.options[mine.choice]}`}
          {mine.receipt && (
            <>
              <br />
              {vote.secret ? t("trackingCode") : t("receiptCode")}:{" "}
              <code data-testid="receipt" title={mine.receipt}>
                {vote.secret ? trackingLabel(mine.receipt) : mine.receipt}
              </code>
            </>
          )}
        </p>
      )}
      <p data-testid="vote-count">
        {t("ballotsCast")}: {vote.cast} / {vote.eligible}
      </p>
    </div>
  );
}

export function VoteResult({ vote }: { vote: Vote }) {
  const t = useMeetT();
  return (
    <div className="vote-result" data-testid="vote-result">
      <p className="question">{vote.question}</p>
      <ul>
        {vote.options.map((o, i) => (
          <li key={o}>
            {o}: <strong>{vote.counts?.[i] ?? 0}</strong>
          </li>
        ))}
      </ul>
      <p className={vote.passed ? "badge ok" : "badge refused"} data-testid="vote-outcome">
        {vote.passed ? t("passed") : t("notPassed")}
      </p>
      {vote.quorum_at_close === false && <p className="small">{t("noQuorumAtClose")}</p>}
    </div>
  );
}

export function PresencePanel({ live, room, detail, people, userId }: PanelProps) {
  const t = useMeetT();
  const { run, error, busy } = useIntent(live);
  const canCheckIn = room.state === "scheduled" || room.state === "in_progress";
  const mine = room.attendance[userId] ?? detail.participants.find((p) => p.deputy_id === userId)?.attendance;
  return (
    <section aria-labelledby="presence-title">
      <h2 id="presence-title">{t("whoIsPresent")}</h2>
      <Quorum room={room} />
      <ErrorLine error={error} />
      {canCheckIn && mine !== "present" && (
        <button type="button" className="primary big" disabled={busy} onClick={() => run("check_in", { status: "present" })}>
          {t("checkIn")}
        </button>
      )}
      <ul className="presence" data-testid="presence">
        {detail.participants.map((p) => {
          const status = room.attendance[p.user_id] ?? p.attendance;
          return (
            <li key={p.user_id} className={`att-${status}`}>
              <span>
                {people.name(p.user_id)} <span className="small muted">({t.role(p.role)})</span>
              </span>
              <span className="att">{t.attendance(status)}</span>
              {detail.runs && canCheckIn && p.user_id !== userId && status !== "present" && (
                <button type="button" className="secondary" disabled={busy} onClick={() => run("check_in", { status: "present", user_id: p.user_id })}>
                  {t("markPresent")}
                </button>
              )}
            </li>
          );
        })}
      </ul>
    </section>
  );
}

export function Quorum({ room }: { room: Room }) {
  const t = useMeetT();
  const q = room.quorum;
  return (
    <p className={q.met ? "quorum met" : "quorum"} data-testid="quorum">
      {t("present")}: {q.present}/{q.members} · {t("quorumNeeded")}: {q.needed} · {q.met ? t("quorumMet") : t("quorumNotMet")}
    </p>
  );
}
