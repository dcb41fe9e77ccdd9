// Types and calls of the documents API (shared by the document screens).
import { call, type Narrow, postBytes, type Schemas } from "../api";
import { todayInVietnam } from "../format";
import type { Notice } from "../notifications/api";

export type Flow = Schemas["DocumentOut"]["flow"];
export type Urgency = Schemas["Urgency"];
export type Step = Schemas["Step"];

export const INCOMING_STATES = ["received", "registered", "presented", "assigned", "in_progress", "completed", "refused", "recall_requested", "recalled"] as const;
export const OUTGOING_STATES = ["draft", "in_review", "awaiting_approval", "approved", "signed", "issued", "dispatched", "recalled", "replaced"] as const;
export const URGENCIES: Urgency[] = ["normal", "urgent", "very_urgent", "flash"];

export type DocumentOut = Schemas["DocumentOut"];
export type StoredFile = Schemas["FileOut"];
export type DocumentFile = Narrow<Schemas["DocumentFileOut"], { kind: "main" | "attachment" | "result" | "copy" }>;
export type Assignment = Schemas["AssignmentOut"];
export type Recipient = Schemas["RecipientOut"];
export type TimelineEvent = Schemas["EventOut"];
export type PublicationState = "published" | "withdrawn" | "expired";

/** A document's life on the public page (/cong-khai/{slug}). */
export type Publication = Narrow<Schemas["PublicationOut"], { state: PublicationState }>;
export type Sector = Schemas["SectorOut"];

export type DocumentDetail = Narrow<Schemas["DocumentDetail"], { files: DocumentFile[]; publication: Publication | null }>;

export type DocType = Schemas["DocumentTypeOut"];
export type Person = Schemas["PersonOut"];
export type Directory = Schemas["DirectoryOut"];
export type Credential = Schemas["CredentialOut"];

/** One signature of a file (the server sends every field, defaults included). */
export type SignatureCheck = Required<Schemas["SignatureReport"]>;
export type SignatureReport = Narrow<Schemas["ReportOut"], { signatures: SignatureCheck[] }>;

export type SignaturePlace = Narrow<Schemas["SignaturePlaceOut"], { box: [number, number, number, number] | null }>;

export interface Filters {
  flow: Flow;
  state?: string;
  type_id?: string;
  urgency?: string;
  from?: string;
  to?: string;
  mine?: boolean;
  overdue?: boolean;
  q?: string;
  limit: number;
  offset: number;
}

export type Body = Record<string, unknown>;
export type Figures = Schemas["FiguresOut"];
export type Stats = Schemas["StatsOut"];
export type DirectoryEntry = Schemas["DirectoryEntryOut"];
export type Notification = Notice;
export type Register = Schemas["RegisterOut"];

function query(f: Filters): string {
  const p = new URLSearchParams({ flow: f.flow, limit: String(f.limit), offset: String(f.offset) });
  for (const key of ["state", "type_id", "urgency", "from", "to", "q"] as const) {
    const value = f[key];
    if (value) p.set(key, value);
  }
  if (f.mine) p.set("mine", "1");
  if (f.overdue) p.set("overdue", "1");
  return p.toString();
}

// The route of each step (several steps share one route; the server tells them apart).
const STEP_PATH: Record<Step, string> = {
  register: "register",
  refuse: "refuse",
  present: "present",
  direct: "direct",
  return_to_clerk: "return",
  start: "start",
  complete: "complete",
  return_to_leader: "return",
  confirm_recall: "recall-answer",
  reject_recall: "recall-answer",
  submit: "submit",
  pass_review: "review",
  return_draft: "return",
  approve: "approve",
  sign: "sign",
  issue: "issue",
  dispatch: "dispatch",
  recall: "recall",
  replace: "replace",
};

export const edxmlUrl = (docId: number) => `/api/v1/documents/${docId}/edxml`;
/** The public page of a publication (server-rendered, no login). */
export const publicUrl = (slug: string) => `/cong-khai/${slug}`;
export const contentUrl = (docId: number, rowId: number) => `/api/v1/documents/${docId}/files/${rowId}/content`;

export const docs = {
  list: (f: Filters) =>
    call<Schemas["DocumentPage"]>("GET", `/documents?${query(f)}`),
  detail: (id: number) => call<DocumentDetail>("GET", `/documents/${id}`),
  types: () => call<{ items: DocType[] }>("GET", "/document-types"),
  directory: (agencyId: number) => call<Directory>("GET", `/agencies/${agencyId}/directory`),
  agencies: () => call<Schemas["AgencyList"]>("GET", "/agencies"),
  credentials: () => call<{ items: Credential[] }>("GET", "/signing-credentials"),
  /** Where my signature image goes by default (the blank between my printed title and name). */
  signaturePlace: (id: number) => call<SignaturePlace>("GET", `/documents/${id}/signature-place`),
  receive: (body: Body) => call<DocumentOut>("POST", "/documents/incoming", body),
  draft: (body: Body) => call<DocumentOut>("POST", "/documents/outgoing", body),
  edit: (id: number, body: Body) => call<DocumentOut>("PATCH", `/documents/${id}`, body),
  step: (id: number, step: Step, body?: Body) => call<unknown>("POST", `/documents/${id}/${STEP_PATH[step]}`, body),
  signedOnPaper: (id: number) => call<DocumentOut>("POST", `/documents/${id}/signed-on-paper`),
  addFile: (id: number, body: Body) => call<DocumentFile>("POST", `/documents/${id}/files`, body),
  /** An electronic copy (sao y, sao lục) sealed by the agency, with the seal's PIN. */
  copy: (id: number, body: Body) => call<DocumentFile>("POST", `/documents/${id}/copies`, body),
  signatures: (id: number, rowId: number) =>
    call<SignatureReport>("GET", `/documents/${id}/files/${rowId}/signatures`),
  registers: (agencyId: number) => call<{ items: Register[] }>("GET", `/registers?agency_id=${agencyId}`),
  stats: () => call<Stats>("GET", "/documents/stats"),
  /** Agencies of the directory whose name or code contains ``q``, by level. */
  agencyDirectory: (q: string, level: string) =>
    call<{ items: DirectoryEntry[] }>("GET", `/agency-directory?${new URLSearchParams({ q, level, limit: "100" })}`),
  deadlines: () => call<Schemas["DeadlinesOut"]>("GET", "/documents/deadlines"),
  notifications: () => call<Schemas["NotificationList"]>("GET", "/notifications"),
  sectors: () => call<{ items: Sector[] }>("GET", "/public/sectors"),
  publish: (id: number, body: { sector: string; amends: string[] }) =>
    call<DocumentOut>("POST", `/documents/${id}/publish`, body),
  /** Withdraw (thu hồi) or mark expired (hết hiệu lực) a published document. */
  endPublication: (id: number, how: "withdraw" | "expire", body: { reason: string; on?: string }) =>
    call<DocumentOut>("POST", `/documents/${id}/${how}`, body),
};

/** Upload a file's bytes to the agency's store; returns the new file's id. */
export async function upload(agencyId: number, file: File): Promise<string> {
  const params = new URLSearchParams({ agency_id: String(agencyId), filename: file.name });
  const data = await postBytes<{ id: string }>(`/files?${params}`, file, file.type || "application/pdf");
  return data.id;
}

/** Import an edXML package (QCVN 102) as a new incoming document of the agency. */
export function importEdxml(agencyId: number, file: File): Promise<DocumentOut> {
  return postBytes<DocumentOut>(`/documents/import-edxml?agency_id=${agencyId}`, file, "application/xml");
}

/** The current main file (its latest version), if any. */
export function currentMain(files: DocumentFile[]): DocumentFile | undefined {
  return files.filter((f) => f.kind === "main").sort((a, b) => b.version - a.version)[0];
}

export function isOverdue(d: DocumentOut): boolean {
  if (!d.deadline || d.completed_at) return false;
  return d.deadline < todayInVietnam();
}
