// My notifications, how each kind reaches me, and my mobile number.
import { call, type Schemas } from "../api";

export type Notice = Schemas["NotificationOut"];

export type Choice = Schemas["ChoiceOut"];

export type Preferences = Schemas["PreferencesOut"];

/** The page a notice opens. */
export function target(n: Notice): string {
  return n.link || (n.document_id !== null ? `/documents/${n.document_id}` : "/notifications");
}

export const notes = {
  list: () => call<Schemas["NotificationList"]>("GET", "/notifications"),
  /** Only how many are unread (one row fetched). */
  unread: () => call<Schemas["NotificationList"]>("GET", "/notifications?unread=1&limit=1"),
  read: (id: number) => call<Notice>("POST", `/notifications/${id}/read`),
  readAll: () => call<{ marked: number }>("POST", "/notifications/read-all"),
  preferences: () => call<Preferences>("GET", "/notification-preferences"),
  choose: (items: { kind: string; email: boolean; sms: boolean }[]) =>
    call<Preferences>("PUT", "/notification-preferences", { items }),
  setPhone: (userId: number, phone: string) => call<{ phone: string | null }>("PUT", `/users/${userId}/phone`, { phone }),
};
