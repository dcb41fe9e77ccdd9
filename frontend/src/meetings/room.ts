// The live state of a meeting room as a tablet holds it: taken from a snapshot, then moved on
// by each numbered event (a pure function, so replayed events give the same screen).
import type { LiveEvent } from "./live";
import type { Attendance, MeetingDetail, MeetingState, Quorum, Speaker, Vote } from "./api";

export interface Presenting {
  user_id: number | null;
  document_id: number;
  /** From 1. */
  page: number;
}

export interface Snapshot {
  seq: number;
  state: MeetingState;
  current_item_id: number | null;
  quorum: Quorum;
  attendance: { user_id: number; attendance: Attendance }[];
  presenting: Presenting | null;
  speakers: Speaker[];
  votes: Vote[];
}

export interface Room {
  state: MeetingState;
  currentItemId: number | null;
  quorum: Quorum;
  attendance: Record<number, Attendance>;
  presenting: Presenting | null;
  speakers: Speaker[];
  votes: Vote[];
  /** Bumped when the agenda's documents change (the room reloads the meeting). */
  documents: number;
  /** Bumped when the minutes change (generated, signed). */
  minutes: number;
  /** Bumped when the guardians' key ceremony moves on (the panel reloads it). */
  ceremony: number;
}

export function roomOf(detail: MeetingDetail): Room {
  const attendance: Record<number, Attendance> = {};
  for (const p of detail.participants) attendance[p.user_id] = p.attendance;
  return {
    state: detail.meeting.state,
    currentItemId: detail.meeting.current_item_id,
    quorum: detail.quorum,
    attendance,
    presenting: null,
    speakers: [],
    votes: [],
    documents: 0,
    minutes: 0,
    ceremony: 0,
  };
}

export function fromSnapshot(room: Room, s: Snapshot): Room {
  const attendance = { ...room.attendance };
  for (const a of s.attendance) attendance[a.user_id] = a.attendance;
  return {
    ...room,
    state: s.state,
    currentItemId: s.current_item_id,
    quorum: s.quorum,
    attendance,
    presenting: s.presenting,
    speakers: s.speakers,
    votes: s.votes,
    minutes: room.minutes + 1,
  };
}

const num = (v: unknown): number => (typeof v === "number" ? v : Number(v));

function upsertSpeaker(list: Speaker[], d: Record<string, unknown>, at: string): Speaker[] {
  const id = num(d.request_id);
  const state = d.state as Speaker["state"];
  const seen = list.find((s) => s.id === id);
  const row: Speaker = {
    id,
    item_id: (d.item_id as number | null) ?? null,
    user_id: num(d.user_id),
    state,
    requested_at: seen?.requested_at ?? at,
    started_at: state === "speaking" ? (seen?.started_at ?? at) : (seen?.started_at ?? null),
    ended_at: state === "done" || state === "withdrawn" ? at : null,
  };
  return seen ? list.map((s) => (s.id === id ? row : s)) : [...list, row];
}

function openedVote(d: Record<string, unknown>, members: number): Vote {
  return {
    id: num(d.vote_id),
    item_id: num(d.item_id),
    question: String(d.question ?? ""),
    options: (d.options as string[]) ?? [],
    secret: Boolean(d.secret),
    rule: (d.rule as Vote["rule"]) ?? "present",
    rule_label: String(d.rule_label ?? ""),
    state: "open",
    eligible: num(d.eligible ?? 0),
    members,
    cast: 0,
    counts: null,
    passed: null,
    quorum_at_close: null,
    tally: null,
    record_hash: null,
    void_reason: null,
  };
}

/** The room after one event (kinds the room does not show leave it as it is). */
export function applyEvent(room: Room, e: LiveEvent): Room {
  const d = e.data;
  switch (e.kind) {
    case "started":
      return { ...room, state: "in_progress", currentItemId: (d.item_id as number | null) ?? null, quorum: (d.quorum as Quorum) ?? room.quorum, presenting: null };
    case "agenda":
      return { ...room, currentItemId: num(d.item_id), presenting: null };
    case "ended":
      return { ...room, state: "ended", presenting: null };
    case "attendance":
      return {
        ...room,
        attendance: { ...room.attendance, [num(d.user_id)]: d.status as Attendance },
        quorum: (d.quorum as Quorum) ?? room.quorum,
      };
    case "participant_removed": {
      const attendance = { ...room.attendance };
      delete attendance[num(d.user_id)];
      return { ...room, attendance, quorum: (d.quorum as Quorum) ?? room.quorum };
    }
    case "document":
      return { ...room, documents: room.documents + 1 };
    case "present":
      return { ...room, presenting: { user_id: (d.user_id as number | null) ?? null, document_id: num(d.document_id), page: num(d.page) } };
    case "speaker":
      return { ...room, speakers: upsertSpeaker(room.speakers, d, e.at) };
    case "vote_opened":
      if (room.votes.some((v) => v.id === num(d.vote_id))) return room;
      return { ...room, votes: [...room.votes, openedVote(d, room.quorum.members)] };
    case "vote_count":
      return { ...room, votes: room.votes.map((v) => (v.id === num(d.vote_id) ? { ...v, cast: Math.max(v.cast, num(d.cast)) } : v)) };
    case "vote_closed":
      return {
        ...room,
        votes: room.votes.map((v) =>
          v.id === num(d.vote_id)
            ? {
                ...v,
                state: "closed",
                counts: d.counts as number[],
                cast: num(d.cast),
                passed: Boolean(d.passed),
                quorum_at_close: Boolean(d.quorum),
                record_hash: (d.record_hash as string | null) ?? null,
              }
            : v,
        ),
      };
    case "vote_voided":
      return {
        ...room,
        votes: room.votes.map((v) =>
          v.id === num(d.vote_id) ? { ...v, state: "voided", tally: null, counts: null, passed: null, void_reason: String(d.reason ?? "") } : v,
        ),
      };
    case "tally_requested":
      return {
        ...room,
        votes: room.votes.map((v) =>
          v.id === num(d.vote_id) ? { ...v, state: "tallying", tally: { have: 0, quorum: num(d.quorum) } } : v,
        ),
      };
    case "tally_progress":
      return {
        ...room,
        votes: room.votes.map((v) => (v.id === num(d.vote_id) ? { ...v, tally: { have: num(d.have), quorum: num(d.quorum) } } : v)),
      };
    case "ceremony":
      return { ...room, ceremony: room.ceremony + 1 };
    case "minutes_generated":
      return { ...room, minutes: room.minutes + 1 };
    case "minutes_signed":
      return { ...room, minutes: room.minutes + 1, state: d.state === "minutes_signed" ? "minutes_signed" : room.state };
    default:
      return room;
  }
}

/** The speaker who has the floor, if any. */
export const speaking = (room: Room): Speaker | undefined => room.speakers.find((s) => s.state === "speaking");

/** Requests waiting, in the order asked. */
export const waiting = (room: Room): Speaker[] => room.speakers.filter((s) => s.state === "waiting");

export const openVote = (room: Room): Vote | undefined => room.votes.find((v) => v.state === "open");
