// Strings of the exchange console and of a recipient's delivery, Vietnamese first.
import { useUi } from "../context";

const vi = {
  navExchange: "Liên thông văn bản",
  title: "Liên thông văn bản",
  intro: "Văn bản và trạng thái gửi sang hệ thống khác (hộp thư đi) và nhận từ hệ thống khác (hộp thư đến) của cơ quan bạn.",
  outbox: "Hộp thư đi",
  inbox: "Hộp thư đến",
  tabs: "Hộp thư liên thông",
  stage: "Trạng thái",
  allStages: "Tất cả",
  kind: "Loại",
  allKinds: "Tất cả",
  kind_document: "Văn bản",
  kind_status: "Trạng thái xử lý",
  stage_pending: "Chờ gửi",
  stage_retrying: "Đang gửi lại",
  stage_failed: "Gửi lỗi",
  stage_refused: "Bị từ chối",
  stage_delivered: "Đã gửi đến nơi",
  stage_cancelled: "Đã hủy",
  stage_relayed: "Đã chuyển qua trục",
  document: "Văn bản",
  recipient: "Nơi nhận",
  sender: "Nơi gửi",
  attempts: "Số lần gửi",
  nextAttempt: "Gửi lần tới",
  reason: "Lý do",
  createdAt: "Thời điểm vào hàng đợi",
  receivedAt: "Thời điểm nhận",
  deliveredAt: "Đến nơi lúc",
  actions: "Thao tác",
  retry: "Gửi lại",
  cancel: "Hủy gửi",
  confirmCancel: "Hủy gửi văn bản này? Hệ thống sẽ không gửi lại nữa.",
  retried: "Đã đưa vào hàng đợi gửi lại.",
  cancelled: "Đã hủy gửi.",
  total: "{n} thư",
  empty: "Không có thư nào.",
  previous: "Trang trước",
  next: "Trang sau",
  status: "Trạng thái báo",
  reference: "Số tham chiếu",
  delivery: "Chuyển phát",
  hops: "Các bước",
  hop_queued: "Vào hàng đợi gửi",
};

type Key = keyof typeof vi;

const en: Record<Key, string> = {
  navExchange: "Document exchange",
  title: "Document exchange",
  intro: "Documents and statuses your agency sends to other systems (outbox) and receives from them (inbox).",
  outbox: "Outbox",
  inbox: "Inbox",
  tabs: "Exchange queues",
  stage: "State",
  allStages: "All",
  kind: "Kind",
  allKinds: "All",
  kind_document: "Document",
  kind_status: "Processing status",
  stage_pending: "Waiting",
  stage_retrying: "Retrying",
  stage_failed: "Failed",
  stage_refused: "Refused",
  stage_delivered: "Delivered",
  stage_cancelled: "Cancelled",
  stage_relayed: "Relayed by the axis",
  document: "Document",
  recipient: "Recipient",
  sender: "Sender",
  attempts: "Attempts",
  nextAttempt: "Next attempt",
  reason: "Reason",
  createdAt: "Queued at",
  receivedAt: "Received at",
  deliveredAt: "Delivered at",
  actions: "Actions",
  retry: "Send again",
  cancel: "Cancel sending",
  confirmCancel: "Cancel sending this? The system will not try again.",
  retried: "Queued to be sent again.",
  cancelled: "Sending cancelled.",
  total: "{n} messages",
  empty: "No messages.",
  previous: "Previous page",
  next: "Next page",
  status: "Status reported",
  reference: "Reference",
  delivery: "Delivery",
  hops: "Steps",
  hop_queued: "Queued for sending",
};

export type ExchangeKey = Key;

/** The exchange strings in the current language ({name} placeholders filled from ``vars``). */
export function useExchangeT(): (key: Key, vars?: Record<string, string | number>) => string {
  const { lang } = useUi();
  return (key, vars) => {
    let text = (lang === "vi" ? vi : en)[key];
    for (const [name, value] of Object.entries(vars ?? {})) text = text.replace(`{${name}}`, String(value));
    return text;
  };
}
