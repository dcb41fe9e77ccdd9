// Types and REST calls of the meetings API (the live intents go over the socket: live.ts).
import { call, type Narrow, type Schemas } from "../api";
import { upload } from "../documents/api";

export type MeetingState = "draft" | "scheduled" | "in_progress" | "ended" | "minutes_signed" | "cancelled";
export type Attendance = "unknown" | "present" | "online" | "absent";

export type Meeting = Narrow<Schemas["MeetingOut"], { state: MeetingState }>;

export type Participant = Narrow<
  Schemas["ParticipantOut"],
  {
    role: "chair" | "secretary" | "member" | "guest";
    rsvp: "pending" | "accepted" | "declined" | "deputy";
    attendance: Attendance;
  }
>;

export type AgendaDocument = Schemas["MeetingDocumentOut"];

export type AgendaItem = Schemas["ItemOut"];

export type Quorum = Schemas["QuorumOut"];

export type MeetingDetail = Narrow<Schemas["MeetingDetail"], { meeting: Meeting; participants: Participant[] }>;

export type VoteRule = "cast" | "present" | "members" | "two_thirds";

export type Vote = Narrow<Schemas["VoteOut"], { rule: VoteRule; state: "open" | "tallying" | "closed" | "voided" }>;

export type Speaker = Narrow<Schemas["SpeakerOut"], { state: "waiting" | "speaking" | "done" | "withdrawn" }>;

export type Visibility = "me" | "named" | "everyone";
export type AnnotationKind = "ink" | "highlight" | "note";

/** Ink points, highlight boxes and note anchors are fractions of the page as shown
 * (0..1 from the top left), so every tablet draws them at its own size. */
export type Point = { x: number; y: number };
export type InkBody = { points: Point[]; color: string; width: number };
export type HighlightBody = { rects: [number, number, number, number][]; color: string };
export type NoteBody = { at: Point; text: string; color: string };
export type AnnotationBody = InkBody | HighlightBody | NoteBody;

export type Annotation = Narrow<
  Schemas["AnnotationOut"],
  { kind: AnnotationKind; body: AnnotationBody; visibility: Visibility }
>;

/** What the meeting's numbered "annotation" event says: which annotation and which
 * revision, never its content (fetch it with meetings.annotation). */
export interface AnnotationRef {
  id: number;
  meeting_id: number;
  document_id: number;
  client_id: string;
  author_id: number;
  page: number;
  kind: AnnotationKind;
  visibility: Visibility;
  revision: number;
}

export type MinutesSignature = Narrow<Schemas["SignatureOut"], { role: "secretary" | "chair" }>;

export type MinutesVersion = Narrow<Schemas["VersionOut"], { signatures: MinutesSignature[] }>;

export type MinutesOut = Narrow<Schemas["MinutesOut"], { meeting_state: MeetingState; versions: MinutesVersion[] }>;

export type Presence = "present" | "online" | "absent" | "not_checked_in" | "sent_deputy";

export type AttendanceLine = Narrow<Schemas["AttendanceLineOut"], { role: Participant["role"]; presence: Presence }>;

/** A closed (or voided) vote as the outcome gives it; `voters` is always empty for a
 * secret vote, `record_hash` is the election record's SHA-256 the minutes cite. */
export type VoteResult = Narrow<Schemas["VoteResultOut"], { rule: VoteRule }>;

/** What a held meeting came to (GET /meetings/{id}/outcome). */
export type Outcome = Narrow<
  Schemas["OutcomeOut"],
  {
    meeting: Meeting;
    attendance: AttendanceLine[];
    votes: VoteResult[];
    minutes: Narrow<Schemas["OutcomeMinutesOut"], { state: MinutesVersion["state"]; signatures: MinutesSignature[] }> | null;
  }
>;

export type NewMeeting = Pick<Schemas["MeetingIn"], "agency_id" | "title" | "starts_at" | "place" | "chair_id" | "secretary_id">;

export type Body = Record<string, unknown>;

const base = (id: number) => `/meetings/${id}`;

export const documentUrl = (meetingId: number, docId: number) => `/api/v1/meetings/${meetingId}/documents/${docId}/content`;
export const annotatedUrl = (meetingId: number, docId: number) => `/api/v1/meetings/${meetingId}/documents/${docId}/annotated`;
export const minutesUrl = (meetingId: number) => `/api/v1/meetings/${meetingId}/minutes/content`;

export const meetings = {
  mine: () => call<{ items: Meeting[] }>("GET", "/meetings"),
  detail: (id: number) => call<MeetingDetail>("GET", base(id)),
  create: (body: NewMeeting) => call<Meeting>("POST", "/meetings", body),
  invite: (id: number, userId: number, role: "member" | "guest") =>
    call<MeetingDetail>("POST", `${base(id)}/participants`, { user_id: userId, role }),
  addItem: (id: number, title: string, presenterId: number | null, minutes: number) =>
    call<MeetingDetail>("POST", `${base(id)}/items`, { title, presenter_id: presenterId, planned_minutes: minutes }),
  addDocument: (id: number, itemId: number, fileId: string, title: string) =>
    call<AgendaDocument>("POST", `${base(id)}/items/${itemId}/documents`, { file_id: fileId, title }),
  schedule: (id: number) => call<MeetingDetail>("POST", `${base(id)}/schedule`),
  cancel: (id: number) => call<MeetingDetail>("POST", `${base(id)}/cancel`),
  answer: (id: number, body: Body) => call<MeetingDetail>("POST", `${base(id)}/answer`, body),
  votes: (id: number) => call<{ items: Vote[] }>("GET", `${base(id)}/votes`),
  speakers: (id: number) => call<{ items: Speaker[] }>("GET", `${base(id)}/speakers`),
  receipt: (id: number, voteId: number, receipt: string) =>
    call<{ counted: boolean }>("POST", `${base(id)}/votes/${voteId}/receipt`, { receipt }),
  annotations: (id: number, docId: number) => call<{ items: Annotation[] }>("GET", `${base(id)}/documents/${docId}/annotations`),
  annotation: (id: number, annotationId: number) => call<Annotation>("GET", `${base(id)}/annotations/${annotationId}`),
  saveAnnotation: (id: number, docId: number, body: Body) => call<Annotation>("POST", `${base(id)}/documents/${docId}/annotations`, body),
  deleteAnnotation: (id: number, annotationId: number) => call<void>("DELETE", `${base(id)}/annotations/${annotationId}`),
  outcome: (id: number) => call<Outcome>("GET", `${base(id)}/outcome`),
  minutes: (id: number) => call<MinutesOut>("GET", `${base(id)}/minutes`),
  generateMinutes: (id: number, conclusions: string) =>
    call<unknown>("POST", `${base(id)}/minutes`, conclusions.trim() ? { conclusions } : {}),
  signMinutes: (id: number, body: Body) => call<MinutesOut>("POST", `${base(id)}/minutes/sign`, body),
  conclusionNotice: (id: number) => call<{ document_id: number }>("POST", `${base(id)}/conclusion-notice`),
};

/** Upload a PDF to the agency's store and attach it to an agenda item. */
export async function attachPdf(meeting: Meeting, itemId: number, file: File): Promise<AgendaDocument> {
  const fileId = await upload(meeting.agency_id, file);
  return meetings.addDocument(meeting.id, itemId, fileId, file.name.replace(/\.pdf$/i, ""));
}

/** The agenda item's documents, latest version of each slot. */
export function latestDocuments(item: AgendaItem | undefined): AgendaDocument[] {
  if (!item) return [];
  const bySlot = new Map<number, AgendaDocument>();
  for (const d of item.documents) {
    const seen = bySlot.get(d.slot);
    if (!seen || seen.version < d.version) bySlot.set(d.slot, d);
  }
  return [...bySlot.values()].sort((a, b) => a.slot - b.slot);
}
