// Strings of the notification screens, Vietnamese first.
import { useUi } from "../context";

const vi = {
  navNotifications: "Thông báo",
  unreadCount: "thông báo chưa đọc",
  listTitle: "Thông báo của tôi",
  markAllRead: "Đánh dấu đã đọc tất cả",
  markRead: "Đã đọc",
  nothing: "Không có thông báo nào.",
  urgent: "Hỏa tốc",
  settingsTitle: "Cài đặt thông báo",
  settingsIntro:
    "Thông báo luôn hiện trong ứng dụng. Chọn thêm thư điện tử và tin nhắn SMS cho từng loại; SMS chỉ gửi cho việc hỏa tốc và cuộc họp sắp bắt đầu trong một giờ.",
  kind: "Loại thông báo",
  inApp: "Trong ứng dụng",
  email: "Thư điện tử",
  sms: "SMS (khẩn)",
  always: "Luôn bật",
  save: "Lưu cài đặt",
  saved: "Đã lưu.",
  phone: "Số điện thoại di động nhận SMS",
  phoneHint: "Ví dụ 0912 345 678; để trống nếu không nhận SMS.",
  savePhone: "Lưu số điện thoại",
  phoneSaved: "Đã lưu số điện thoại.",
  noEmail: "Tài khoản chưa có địa chỉ thư điện tử: thư sẽ không được gửi.",
  smsOff: "Máy chủ chưa kết nối tổng đài SMS: tin nhắn chưa được gửi.",
  kind_to_review: "Dự thảo trình kiểm tra nội dung",
  kind_to_approve: "Dự thảo trình duyệt",
  kind_to_sign: "Văn bản chờ ký",
  kind_to_issue: "Văn bản chờ phát hành",
  kind_to_direct: "Văn bản đến trình cho ý kiến",
  kind_arrived: "Văn bản đến mới",
  kind_assigned: "Được giao xử lý",
  kind_returned: "Văn bản bị trả lại",
  kind_due_soon: "Sắp đến hạn xử lý",
  kind_overdue: "Quá hạn xử lý",
  kind_invited: "Giấy mời họp",
  kind_agenda_doc: "Tài liệu họp mới hoặc thay đổi",
  kind_consultation: "Phiếu lấy ý kiến",
  kind_meeting_soon: "Cuộc họp bắt đầu trong một giờ",
  kind_recalled: "Văn bản đến bị thu hồi",
};
type Dict = typeof vi;
const en: Dict = {
  navNotifications: "Notifications",
  unreadCount: "unread notifications",
  listTitle: "My notifications",
  markAllRead: "Mark all read",
  markRead: "Read",
  nothing: "No notifications.",
  urgent: "Flash",
  settingsTitle: "Notification settings",
  settingsIntro:
    "Notifications always appear in the app. Choose e-mail and SMS for each kind as well; SMS goes only for flash (hỏa tốc) work and meetings starting within the hour.",
  kind: "Kind",
  inApp: "In the app",
  email: "E-mail",
  sms: "SMS (urgent)",
  always: "Always on",
  save: "Save settings",
  saved: "Saved.",
  phone: "Mobile number for SMS",
  phoneHint: "For example 0912 345 678; leave empty for no SMS.",
  savePhone: "Save number",
  phoneSaved: "Number saved.",
  noEmail: "Your account has no e-mail address: no mail will be sent.",
  smsOff: "The server has no SMS gateway yet: no SMS is sent.",
  kind_to_review: "Draft submitted for review",
  kind_to_approve: "Draft submitted for approval",
  kind_to_sign: "Awaiting signature",
  kind_to_issue: "Ready to issue",
  kind_to_direct: "Incoming, for direction",
  kind_arrived: "New incoming document",
  kind_assigned: "Assigned to me",
  kind_returned: "Returned",
  kind_due_soon: "Deadline soon",
  kind_overdue: "Overdue",
  kind_invited: "Meeting invitation",
  kind_agenda_doc: "New or changed meeting document",
  kind_consultation: "Consultation",
  kind_meeting_soon: "Meeting within the hour",
  kind_recalled: "Incoming document recalled",
};
export type NoteKey = keyof Dict;

export function useNoteT(): (key: NoteKey) => string {
  const { lang } = useUi();
  const d = lang === "vi" ? vi : en;
  return (key) => d[key];
}

export function kindLabel(t: (key: NoteKey) => string, kind: string): string {
  const key = `kind_${kind}` as NoteKey;
  return key in vi ? t(key) : kind;
}
