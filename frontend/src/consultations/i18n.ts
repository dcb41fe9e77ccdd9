// Strings of the consultation screens (phiếu lấy ý kiến), Vietnamese first.
import { useUi } from "../context";
import type { Lang } from "../i18n";

const vi = {
  listTitle: "Phiếu lấy ý kiến",
  newConsultation: "Tạo phiếu lấy ý kiến",
  none: "Chưa có phiếu lấy ý kiến nào.",
  loading: "Đang tải…",
  working: "Đang xử lý…",
  notOrganiser: "Bạn không có quyền tạo phiếu lấy ý kiến.",
  title: "Tên phiếu lấy ý kiến",
  question: "Nội dung xin ý kiến",
  questionHelp: "Người được hỏi trả lời: Đồng ý, Không đồng ý hoặc Chỉ góp ý, kèm ý kiến.",
  deadline: "Hạn trả lời",
  recipients: "Người được lấy ý kiến",
  recipientsHelp: "Chọn ít nhất một người trong cơ quan.",
  createDraft: "Tạo dự thảo",
  createdByMe: "Tôi tạo",
  sentToMe: "Gửi đến tôi",
  answeredOf: "đã trả lời",
  myAnswer: "Ý kiến của tôi",
  notAnswered: "Chưa trả lời",
  back: "Về danh sách phiếu lấy ý kiến",
  documents: "Tài liệu kèm theo",
  noDocuments: "Không có tài liệu kèm theo.",
  attachPdf: "Thêm tài liệu PDF",
  send: "Gửi phiếu lấy ý kiến",
  closeNow: "Kết thúc lấy ý kiến",
  confirmClose: "Kết thúc lấy ý kiến trước hạn? Sau đó không ai trả lời được nữa.",
  answerTitle: "Trả lời phiếu lấy ý kiến",
  comment: "Ý kiến (không bắt buộc, tối đa 5.000 ký tự)",
  sendAnswer: "Gửi ý kiến",
  changeAnswer: "Sửa ý kiến",
  answerSent: "Đã ghi nhận ý kiến của bạn.",
  yourAnswer: "Bạn đã trả lời",
  results: "Tổng hợp ý kiến",
  asked: "Số người được hỏi",
  unanswered: "Chưa trả lời",
  whoNotAnswered: "Người chưa trả lời",
  everyoneAnswered: "Mọi người đã trả lời.",
  replies: "Ý kiến từng người",
  name: "Họ và tên",
  answer: "Trả lời",
  answeredAt: "Thời điểm",
  tallyPdf: "Tải bản tổng hợp (PDF)",
  tallyPreview: "Bản tổng hợp ý kiến",
  resultsAfterClose: "Kết quả được công bố khi kết thúc lấy ý kiến.",
  sentAt: "Ngày gửi",
};

type Dict = typeof vi;

const en: Dict = {
  listTitle: "Consultations",
  newConsultation: "New consultation",
  none: "No consultations yet.",
  loading: "Loading…",
  working: "Working…",
  notOrganiser: "You may not start consultations.",
  title: "Title",
  question: "Question",
  questionHelp: "Those asked answer Agree, Disagree or Comment only, with a comment.",
  deadline: "Answer by",
  recipients: "People asked",
  recipientsHelp: "Choose at least one person of the agency.",
  createDraft: "Create the draft",
  createdByMe: "Created by me",
  sentToMe: "Sent to me",
  answeredOf: "answered",
  myAnswer: "My answer",
  notAnswered: "Not answered",
  back: "Back to consultations",
  documents: "Documents",
  noDocuments: "No documents attached.",
  attachPdf: "Attach a PDF",
  send: "Send the consultation",
  closeNow: "Close the consultation",
  confirmClose: "Close before the deadline? Nobody can answer afterwards.",
  answerTitle: "Answer the consultation",
  comment: "Comment (optional, at most 5,000 characters)",
  sendAnswer: "Send my answer",
  changeAnswer: "Change my answer",
  answerSent: "Your answer is recorded.",
  yourAnswer: "You answered",
  results: "Results",
  asked: "People asked",
  unanswered: "Not answered",
  whoNotAnswered: "Who has not answered",
  everyoneAnswered: "Everyone has answered.",
  replies: "Each person's answer",
  name: "Name",
  answer: "Answer",
  answeredAt: "When",
  tallyPdf: "Download the tally (PDF)",
  tallyPreview: "Tally of the answers",
  resultsAfterClose: "The results are published once the consultation closes.",
  sentAt: "Sent",
};

const WORDS: Record<Lang, { answer: Record<string, string>; state: Record<string, string> }> = {
  vi: {
    answer: { agree: "Đồng ý", disagree: "Không đồng ý", comment: "Chỉ góp ý" },
    state: { draft: "Dự thảo", open: "Đang lấy ý kiến", closed: "Đã kết thúc" },
  },
  en: {
    answer: { agree: "Agree", disagree: "Disagree", comment: "Comment only" },
    state: { draft: "Draft", open: "Open", closed: "Closed" },
  },
};

export type ConsultKey = keyof Dict;
const dictionaries: Record<Lang, Dict> = { vi, en };

export interface ConsultT {
  (key: ConsultKey): string;
  answer: (answer: string) => string;
  state: (state: string) => string;
}

/** The consultation strings in the current language. */
export function useConsultT(): ConsultT {
  const { lang } = useUi();
  const d = dictionaries[lang];
  const t = ((key: ConsultKey) => d[key]) as ConsultT;
  t.answer = (a) => WORDS[lang].answer[a] ?? a;
  t.state = (s) => WORDS[lang].state[s] ?? s;
  return t;
}
