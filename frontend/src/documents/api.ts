// Types and calls of the documents API (shared by the document screens).
import { ApiError, call, csrfHeaders, errorOf } from "../api";

export type Flow = "incoming" | "outgoing";
export type Urgency = "normal" | "urgent" | "very_urgent" | "flash";
export type Step =
  | "register"
  | "refuse"
  | "present"
  | "direct"
  | "return_to_clerk"
  | "start"
  | "complete"
  | "return_to_leader"
  | "confirm_recall"
  | "reject_recall"
  | "submit"
  | "pass_review"
  | "return_draft"
  | "approve"
  | "sign"
  | "issue"
  | "dispatch"
  | "recall"
  | "replace";

export const INCOMING_STATES = ["received", "registered", "presented", "assigned", "in_progress", "completed", "refused", "recall_requested", "recalled"] as const;
export const OUTGOING_STATES = ["draft", "in_review", "awaiting_approval", "approved", "signed", "issued", "dispatched", "recalled", "replaced"] as const;
export const URGENCIES: Urgency[] = ["normal", "urgent", "very_urgent", "flash"];

export interface DocumentOut {
  id: number;
  agency_id: number;
  flow: Flow;
  state: string;
  state_label: string;
  type_id: number;
  number: number | null;
  symbol: string;
  number_symbol: string;
  year: number | null;
  issued_on: string | null;
  abstract: string;
  issuing_agency_name: string;
  issuing_agency_code: string;
  signer_name: string;
  signer_title: string;
  signing_form: string;
  place: string;
  recipients_text: string;
  confidentiality: string;
  urgency: Urgency;
  page_count: number | null;
  copies: number | null;
  deadline: string | null;
  arrival_number: number | null;
  arrival_date: string | null;
  source: string;
  electronic: boolean;
  signature_verdict: string;
  direction: string;
  leader_id: number | null;
  drafting_unit_id: number | null;
  drafter_id: number | null;
  origin_id: number | null;
  replaces_id: number | null;
  created_at: string;
  completed_at: string | null;
}

export interface StoredFile {
  id: string;
  filename: string;
  content_type: string;
  size: number;
  sha256: string;
}

export interface DocumentFile {
  id: number;
  kind: "main" | "attachment" | "result";
  slot: number;
  version: number;
  note: string;
  signed: boolean;
  verdict: string;
  created_at: string;
  file: StoredFile;
}

export interface Assignment {
  user_id: number | null;
  unit_id: number | null;
  lead: boolean;
  deadline: string | null;
  active: boolean;
}

export interface Recipient {
  id: number;
  agency_id: number | null;
  organ_id: string;
  name: string;
  method: string;
  status: string;
  status_label: string;
  status_at: string | null;
}

export interface TimelineEvent {
  at: string;
  actor_name: string;
  action: string;
  from_state: string;
  to_state: string;
  note: string;
}

export type PublicationState = "published" | "withdrawn" | "expired";

/** A document's life on the public page (/cong-khai/{slug}). */
export interface Publication {
  slug: string;
  state: PublicationState;
  sector: string;
  published_at: string;
  ended_on: string | null;
  reason: string;
  log_seq: number;
}

export interface Sector {
  code: string;
  name: string;
  name_en: string;
}

export interface DocumentDetail {
  document: DocumentOut;
  files: DocumentFile[];
  assignments: Assignment[];
  recipients: Recipient[];
  timeline: TimelineEvent[];
  steps: Step[];
  access: number[];
  replaced_by: number | null;
  publication: Publication | null;
  /** The caller may publish, withdraw or expire it (a clerk of its agency). */
  may_publish: boolean;
}

export interface DocType {
  id: number;
  code: string;
  name: string;
  abbreviation: string;
}

export interface Person {
  id: number;
  full_name: string;
  title: string;
  unit_id: number | null;
  roles: string[];
}

export interface Directory {
  units: { id: number; name: string; abbreviation: string }[];
  people: Person[];
}

export interface Credential {
  id: string;
  kind: string;
  user_id: number | null;
  agency_id: number;
  label: string;
  subject: string;
  /** The holder's name, their title and the issuer's name, read from the certificate. */
  holder: string;
  holder_title: string;
  issuer_name: string;
  not_before: string;
  not_after: string;
  disabled_at: string | null;
  /** Its key is wrapped under a PIN (false: from before the PINs, or a USB token). */
  pin_set: boolean;
  /** Locked after too many wrong PINs: an admin of its agency unlocks it. */
  locked: boolean;
  /** Its official enrolled a TOTP: each signature also needs a code. */
  needs_otp: boolean;
}

export interface SignaturePlace {
  page: number;
  pages: number;
  box: [number, number, number, number] | null;
  page_width: number;
  page_height: number;
}

export interface SignatureCheck {
  field: string;
  kind: string;
  signer: { common_name: string; organization: string; issuer_name: string } | null;
  claimed_time: string | null;
  timestamp_time: string | null;
  intact: boolean;
  trusted: boolean;
  covers_whole_file: boolean;
  pades_level: string | null;
  indication: "TOTAL-PASSED" | "INDETERMINATE" | "TOTAL-FAILED";
  notes: { vi: string; en: string }[];
}

export interface SignatureReport {
  indication: string;
  all_passed: boolean;
  signatures: SignatureCheck[];
}

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

export interface Figures {
  received: number;
  issued: number;
  early: number;
  on_time: number;
  late: number;
  open: number;
  open_overdue: number;
  electronic: number;
  electronic_share: number;
}

export interface Stats {
  date_from: string;
  date_to: string;
  totals: Figures;
  agencies: (Figures & { agency_id: number; agency_name: string })[];
  units: (Figures & { unit_id: number | null; unit_name: string })[];
}

export interface Notification {
  id: number;
  kind: string;
  document_id: number;
  title_vi: string;
  title_en: string;
  deadline: string | null;
  created_at: string;
  read_at: string | null;
}

export interface Register {
  id: number;
  agency_id: number;
  flow: Flow;
  year: number;
  name: string;
  last_number: number;
}

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
    call<{ items: DocumentOut[]; total: number; exact: boolean }>("GET", `/documents?${query(f)}`),
  detail: (id: number) => call<DocumentDetail>("GET", `/documents/${id}`),
  types: () => call<{ items: DocType[] }>("GET", "/document-types"),
  directory: (agencyId: number) => call<Directory>("GET", `/agencies/${agencyId}/directory`),
  agencies: () => call<{ items: { id: number; name: string; code: string }[] }>("GET", "/agencies"),
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
  deadlines: () => call<{ overdue: DocumentOut[]; due_soon: DocumentOut[] }>("GET", "/documents/deadlines"),
  notifications: () => call<{ items: Notification[]; unread: number }>("GET", "/notifications"),
  sectors: () => call<{ items: Sector[] }>("GET", "/public/sectors"),
  publish: (id: number, body: { sector: string; amends: string[] }) =>
    call<DocumentOut>("POST", `/documents/${id}/publish`, body),
  /** Withdraw (thu hồi) or mark expired (hết hiệu lực) a published document. */
  endPublication: (id: number, how: "withdraw" | "expire", body: { reason: string; on?: string }) =>
    call<DocumentOut>("POST", `/documents/${id}/${how}`, body),
};

/** POST a file's bytes as the raw body; the JSON answer, or the server's bilingual error. */
async function postRaw<T>(url: string, file: File, contentType: string): Promise<T> {
  let response: Response;
  try {
    response = await fetch(url, {
      method: "POST",
      headers: { ...csrfHeaders(), "Content-Type": contentType, Accept: "application/json" },
      credentials: "same-origin",
      body: file,
    });
  } catch {
    throw new ApiError(0, "network", {
      vi: "Không kết nối được máy chủ. Vui lòng thử lại.",
      en: "Cannot reach the server. Please try again.",
    });
  }
  if (!response.ok) throw await errorOf(response);
  return (await response.json()) as T;
}

/** Upload a file's bytes to the agency's store; returns the new file's id. */
export async function upload(agencyId: number, file: File): Promise<string> {
  const params = new URLSearchParams({ agency_id: String(agencyId), filename: file.name });
  const data = await postRaw<{ id: string }>(`/api/v1/files?${params}`, file, file.type || "application/pdf");
  return data.id;
}

/** Import an edXML package (QCVN 102) as a new incoming document of the agency. */
export function importEdxml(agencyId: number, file: File): Promise<DocumentOut> {
  return postRaw<DocumentOut>(`/api/v1/documents/import-edxml?agency_id=${agencyId}`, file, "application/xml");
}

/** The current main file (its latest version), if any. */
export function currentMain(files: DocumentFile[]): DocumentFile | undefined {
  return files.filter((f) => f.kind === "main").sort((a, b) => b.version - a.version)[0];
}

export function isOverdue(d: DocumentOut): boolean {
  if (!d.deadline || d.completed_at) return false;
  return d.deadline < new Date().toISOString().slice(0, 10);
}
