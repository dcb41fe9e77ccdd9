// My notifications, how each kind reaches me, and my mobile number.
import { call } from "../api";

export interface Notice {
  id: number;
  kind: string;
  document_id: number | null;
  /** Where the app opens it; "" for a document (its page). */
  link: string;
  urgent: boolean;
  title_vi: string;
  title_en: string;
  deadline: string | null;
  created_at: string;
  read_at: string | null;
}

export interface Choice {
  kind: string;
  email: boolean;
  sms: boolean;
  sms_possible: boolean;
}

export interface Preferences {
  items: Choice[];
  phone: string | null;
  email: string | null;
  sms_available: boolean;
  email_available: boolean;
}

/** The page a notice opens. */
export function target(n: Notice): string {
  return n.link || (n.document_id !== null ? `/documents/${n.document_id}` : "/notifications");
}

export const notes = {
  list: () => call<{ items: Notice[]; unread: number }>("GET", "/notifications"),
  /** Only how many are unread (one row fetched). */
  unread: () => call<{ items: Notice[]; unread: number }>("GET", "/notifications?unread=1&limit=1"),
  read: (id: number) => call<Notice>("POST", `/notifications/${id}/read`),
  readAll: () => call<{ marked: number }>("POST", "/notifications/read-all"),
  preferences: () => call<Preferences>("GET", "/notification-preferences"),
  choose: (items: { kind: string; email: boolean; sms: boolean }[]) =>
    call<Preferences>("PUT", "/notification-preferences", { items }),
  setPhone: (userId: number, phone: string) => call<{ phone: string | null }>("PUT", `/users/${userId}/phone`, { phone }),
};
