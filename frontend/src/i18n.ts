// All user-visible strings, Vietnamese first. Keys are shared by both languages.
export type Lang = "vi" | "en";

const vi = {
  product: "eCabinet",
  tagline: "Họp không giấy tờ và văn phòng điện tử",
  loginTitle: "Đăng nhập",
  username: "Tên đăng nhập",
  password: "Mật khẩu",
  signIn: "Đăng nhập",
  signingIn: "Đang đăng nhập…",
  logout: "Đăng xuất",
  language: "Ngôn ngữ",
  switchTo: "English",
  navMain: "Điều hướng chính",
  navAgencies: "Cơ quan, đơn vị",
  navTokens: "Mã truy cập API",
  hello: "Xin chào",
  noMemberships: "Bạn chưa được gán vai trò ở cơ quan nào.",
  agencyTree: "Sơ đồ cơ quan",
  code: "Mã định danh",
  abbreviation: "Viết tắt",
  name: "Tên",
  tokensIntro: "Mã truy cập dùng cho các chương trình, tập lệnh gọi API thay cho mật khẩu.",
  tokenName: "Tên mã truy cập",
  expiresDays: "Hết hạn sau (ngày, để trống nếu không hết hạn)",
  create: "Tạo mã",
  created: "Ngày tạo",
  lastUsed: "Dùng lần cuối",
  expires: "Hết hạn",
  never: "Không",
  revoke: "Hủy mã truy cập",
  confirmRevoke: "Hủy mã truy cập này? Các tập lệnh đang dùng mã sẽ không truy cập được nữa.",
  newTokenOnce: "Mã mới (chỉ hiển thị một lần, hãy sao chép ngay):",
  copy: "Sao chép",
  copied: "Đã sao chép",
  noTokens: "Chưa có mã truy cập nào.",
  scopes: "Phạm vi",
  scope_read: "Đọc (read)",
  scope_write: "Ghi (write)",
  scope_sign: "Ký số (sign; vẫn cần mã PIN mỗi lần ký)",
  loading: "Đang tải…",
  networkError: "Không kết nối được máy chủ. Vui lòng thử lại.",
  role_admin: "Quản trị",
  role_clerk: "Văn thư",
  role_leader: "Lãnh đạo",
  role_specialist: "Chuyên viên",
  role_secretary: "Thư ký",
  role_member: "Thành viên",
  level_province: "Cấp tỉnh",
  level_department: "Sở, ngành",
  level_district: "Cấp huyện",
  level_commune: "Cấp xã",
};

type Dict = typeof vi;

const en: Dict = {
  product: "eCabinet",
  tagline: "Paperless meetings and e-office",
  loginTitle: "Sign in",
  username: "User name",
  password: "Password",
  signIn: "Sign in",
  signingIn: "Signing in…",
  logout: "Log out",
  language: "Language",
  switchTo: "Tiếng Việt",
  navMain: "Main navigation",
  navAgencies: "Agencies and units",
  navTokens: "API tokens",
  hello: "Hello",
  noMemberships: "You hold no role in any agency yet.",
  agencyTree: "Agency tree",
  code: "Agency code",
  abbreviation: "Abbreviation",
  name: "Name",
  tokensIntro: "API tokens let programs and scripts call the API instead of a password.",
  tokenName: "Token name",
  expiresDays: "Expires after (days; empty for never)",
  create: "Create token",
  created: "Created",
  lastUsed: "Last used",
  expires: "Expires",
  never: "Never",
  revoke: "Revoke the token",
  confirmRevoke: "Revoke this token? Scripts using it will lose access.",
  newTokenOnce: "New token (shown once only, copy it now):",
  copy: "Copy",
  copied: "Copied",
  noTokens: "No API tokens yet.",
  scopes: "Scopes",
  scope_read: "Read",
  scope_write: "Write",
  scope_sign: "Sign (each signature still needs the PIN)",
  loading: "Loading…",
  networkError: "Cannot reach the server. Please try again.",
  role_admin: "Administrator",
  role_clerk: "Records clerk",
  role_leader: "Leader",
  role_specialist: "Specialist",
  role_secretary: "Secretary",
  role_member: "Member",
  level_province: "Province",
  level_department: "Department",
  level_district: "District",
  level_commune: "Commune",
};

export type Key = keyof Dict;
const dictionaries: Record<Lang, Dict> = { vi, en };

export function translate(lang: Lang, key: Key): string {
  return dictionaries[lang][key];
}

export function storedLang(): Lang {
  return localStorage.getItem("ecabinet.lang") === "en" ? "en" : "vi";
}

export function storeLang(lang: Lang): void {
  localStorage.setItem("ecabinet.lang", lang);
  document.documentElement.lang = lang;
}
