// Strings of the work queue, Vietnamese first.
import { useUi } from "../context";
import type { WorkKind } from "./api";

const vi = {
  navWork: "Việc chờ tôi xử lý",
  title: "Việc chờ tôi xử lý",
  waiting: "việc đang chờ",
  nothing: "Không có việc nào đang chờ bạn.",
  more: "và còn {n} việc khác",
  lead: "Xử lý chính",
  co: "Phối hợp",
  deadline: "Hạn",
  starts: "Thời gian",
  closes: "Hạn trả lời",
  kind_review: "Dự thảo chờ kiểm tra nội dung",
  kind_approval: "Dự thảo chờ tôi duyệt",
  kind_signature: "Văn bản chờ tôi ký",
  kind_issue: "Văn bản chờ cấp số, phát hành",
  kind_dispatch: "Văn bản chờ gửi",
  kind_registration: "Văn bản đến chờ vào sổ, trình",
  kind_direction: "Văn bản chờ tôi cho ý kiến chỉ đạo",
  kind_handling: "Văn bản được giao xử lý",
  kind_rsvp: "Giấy mời họp chờ trả lời",
  kind_consultation: "Phiếu lấy ý kiến chờ trả lời",
  kind_minutes: "Biên bản họp chờ tôi ký",
};
type Key = keyof typeof vi;
const en: Record<Key, string> = {
  navWork: "My work",
  title: "My work",
  waiting: "waiting",
  nothing: "Nothing is waiting for you.",
  more: "and {n} more",
  lead: "Lead",
  co: "Co-handler",
  deadline: "Deadline",
  starts: "Starts",
  closes: "Answer by",
  kind_review: "Drafts to review",
  kind_approval: "Drafts to approve",
  kind_signature: "Documents to sign",
  kind_issue: "Documents to number and issue",
  kind_dispatch: "Documents to send",
  kind_registration: "Incoming documents to register or present",
  kind_direction: "Documents awaiting my direction",
  kind_handling: "Documents assigned to me",
  kind_rsvp: "Meeting invitations to answer",
  kind_consultation: "Consultations to answer",
  kind_minutes: "Minutes to sign",
};

export function useWorkT(): (key: Key) => string {
  const { lang } = useUi();
  return (key) => (lang === "vi" ? vi : en)[key];
}

export const kindKey = (kind: WorkKind): Key => `kind_${kind}`;
