// Types and REST calls of the consultations API (phiếu lấy ý kiến).
import { call, type Narrow, type Schemas } from "../api";
import { upload } from "../documents/api";

export type ConsultationState = "draft" | "open" | "closed";
export type ConsultationAnswer = "agree" | "disagree" | "comment";
export const ANSWERS: ConsultationAnswer[] = ["agree", "disagree", "comment"];

export type Consultation = Narrow<Schemas["ConsultationOut"], { state: ConsultationState }>;

export type ConsultationListed = Narrow<
  Schemas["ConsultationListedOut"],
  { consultation: Consultation; my_answer: ConsultationAnswer | null }
>;

export type ConsultationReply = Narrow<Schemas["ConsultationReplyOut"], { answer: ConsultationAnswer | null }>;

/** The counts; `replies` (who answered what) for the creator only. */
export type ConsultationResults = Narrow<Schemas["ConsultationResultsOut"], { replies: ConsultationReply[] | null }>;

export type ConsultationDetail = Narrow<
  Schemas["ConsultationDetail"],
  {
    consultation: Consultation;
    my_answer: Narrow<Schemas["MyConsultationAnswerOut"], { answer: ConsultationAnswer }> | null;
    results: ConsultationResults | null;
  }
>;

export type NewConsultation = Omit<Schemas["ConsultationIn"], "meeting_id"> & { meeting_id?: number | null };

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
