// Dates and times as the province reads them: dd/mm/yyyy and HH:mm (no seconds), always in
// Vietnam's time zone, whatever the device's own setting. Every screen formats through here.
import type { Lang } from "./i18n";

/** The province's time zone (UTC+7 all year: Vietnam has no daylight saving time). */
export const ZONE = "Asia/Ho_Chi_Minh";
const OFFSET = "+07:00";

const parts = new Intl.DateTimeFormat("en-GB", {
  timeZone: ZONE,
  year: "numeric",
  month: "2-digit",
  day: "2-digit",
  hour: "2-digit",
  minute: "2-digit",
  hourCycle: "h23",
});

/** Year, month, day, hour and minute of an instant as read in Vietnam. */
function inVietnam(date: Date): Record<"year" | "month" | "day" | "hour" | "minute", string> {
  const out = { year: "", month: "", day: "", hour: "", minute: "" };
  for (const p of parts.formatToParts(date)) if (p.type in out) out[p.type as keyof typeof out] = p.value;
  return out;
}

/** A calendar date (YYYY-MM-DD, no instant: shown as is) or an instant (its day in Vietnam). */
export function formatDate(iso: string | null | undefined, _lang?: Lang): string {
  if (!iso) return "—";
  const plain = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso);
  if (plain) return `${plain[3]}/${plain[2]}/${plain[1]}`;
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  const p = inVietnam(date);
  return `${p.day}/${p.month}/${p.year}`;
}

/** An instant as "dd/mm/yyyy HH:mm" in Vietnam (a calendar date alone: just the date). */
export function formatTime(iso: string | null | undefined, _lang?: Lang): string {
  if (!iso) return "—";
  if (/^\d{4}-\d{2}-\d{2}$/.test(iso)) return formatDate(iso);
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  const p = inVietnam(date);
  return `${p.day}/${p.month}/${p.year} ${p.hour}:${p.minute}`;
}

/** Today's date in Vietnam (YYYY-MM-DD), as the server's calendar dates are. */
export function todayInVietnam(now: Date = new Date()): string {
  const p = inVietnam(now);
  return `${p.year}-${p.month}-${p.day}`;
}

/** A datetime-local value ("2026-05-04T08:30") read as Vietnam time, with its offset. */
export function vietnamInstant(local: string): string {
  return `${local.length === 16 ? `${local}:00` : local}${OFFSET}`;
}
