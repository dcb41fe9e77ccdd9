// The work queue: what waits for the signed-in person (GET /api/v1/work-queue).
import { call, type Narrow, type Schemas } from "../api";
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

export type WorkItem = Narrow<Schemas["WorkItemOut"], { urgency: Urgency }>;

export type WorkQueue = Narrow<Schemas["WorkQueueOut"], { kinds: { kind: WorkKind; count: number; items: WorkItem[] }[] }>;

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
