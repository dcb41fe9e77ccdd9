// Types and REST calls of the consultations API (phiếu lấy ý kiến).
import { call } from "../api";
import { upload } from "../documents/api";

export type ConsultationState = "draft" | "open" | "closed";
export type ConsultationAnswer = "agree" | "disagree" | "comment";
export const ANSWERS: ConsultationAnswer[] = ["agree", "disagree", "comment"];

export interface Consultation {
  id: number;
  agency_id: number;
  meeting_id: number | null;
  title: string;
  question: string;
  deadline: string;
  state: ConsultationState;
  state_label: string;
  created_by: number;
  created_at: string;
  sent_at: string | null;
  closed_at: string | null;
}

export interface ConsultationListed {
  consultation: Consultation;
  created_by_me: boolean;
  my_answer: ConsultationAnswer | null;
  asked: number;
  /** How many answered (the creator only). */
  answered: number | null;
}

export interface ConsultationReply {
  user_id: number;
  name: string;
  title: string;
  answer: ConsultationAnswer | null;
  comment: string;
  answered_at: string | null;
  updated_at: string | null;
}

export interface ConsultationResults {
  asked: number;
  agree: number;
  disagree: number;
  comment: number;
  unanswered: number;
  /** Who answered what: the creator only. */
  replies: ConsultationReply[] | null;
}

export interface ConsultationDetail {
  consultation: Consultation;
  documents: { id: number; title: string; position: number }[];
  asked: number;
  manages: boolean;
  member: boolean;
  can_answer: boolean;
  my_answer: { answer: ConsultationAnswer; comment: string; answered_at: string; updated_at: string } | null;
  results: ConsultationResults | null;
}

export interface NewConsultation {
  agency_id: number;
  title: string;
  question: string;
  deadline: string;
  member_ids: number[];
}

const base = (id: number) => `/consultations/${id}`;

export const reportUrl = (id: number) => `/api/v1/consultations/${id}/report.pdf`;
export const consultationDocumentUrl = (id: number, docId: number) => `/api/v1/consultations/${id}/documents/${docId}/content`;

export const consultations = {
  mine: () => call<{ items: ConsultationListed[] }>("GET", "/consultations"),
  detail: (id: number) => call<ConsultationDetail>("GET", base(id)),
  create: (body: NewConsultation) => call<ConsultationDetail>("POST", "/consultations", body),
  send: (id: number) => call<ConsultationDetail>("POST", `${base(id)}/send`),
  close: (id: number) => call<ConsultationDetail>("POST", `${base(id)}/close`),
  answer: (id: number, answer: ConsultationAnswer, comment: string) =>
    call<ConsultationDetail>("POST", `${base(id)}/answer`, { answer, comment }),
};

/** Upload a PDF to the agency's store and attach it to a draft consultation. */
export async function attachPdf(c: Consultation, file: File): Promise<void> {
  const fileId = await upload(c.agency_id, file);
  await call<unknown>("POST", `${base(c.id)}/documents`, { file_id: fileId, title: file.name.replace(/\.pdf$/i, "") });
}
