// The work queue: what waits for the signed-in person (GET /api/v1/work-queue).
import { call } from "../api";
import type { Urgency } from "../documents/api";

export type WorkKind =
  | "review"
  | "approval"
  | "signature"
  | "issue"
  | "dispatch"
  | "registration"
  | "direction"
  | "handling"
  | "rsvp"
  | "consultation"
  | "minutes";

export interface WorkItem {
  target: "document" | "meeting" | "consultation" | "minutes";
  id: number;
  title: string;
  number_symbol: string;
  state: string;
  urgency: Urgency;
  deadline: string | null;
  at: string | null;
  lead: boolean;
}

export interface WorkQueue {
  total: number;
  kinds: { kind: WorkKind; count: number; items: WorkItem[] }[];
}

export const work = {
  queue: () => call<WorkQueue>("GET", "/work-queue"),
};

/** Where the item's action is taken. */
export function pathOf(item: WorkItem): string {
  if (item.target === "document") return `/documents/${item.id}`;
  if (item.target === "minutes") return `/meetings/${item.id}/minutes`;
  if (item.target === "consultation") return `/consultations/${item.id}`;
  return `/meetings/${item.id}`;
}
