// The exchange console's requests: the outbox and inbox of my agencies, retry and cancel.
import { call, type Narrow, type Schemas } from "../api";

export type Stage = Schemas["Stage"];
export const STAGES: Stage[] = ["pending", "retrying", "failed", "refused", "delivered", "cancelled", "relayed"];
export type OutboxRow = Schemas["OutboxRowOut"];
export type InboxRow = Narrow<Schemas["InboxRowOut"], { kind: "document" | "status" }>;
export type Page<T> = { items: T[]; total: number };
export type Proof = Schemas["ExchangeProofOut"];
export const PAGE = 50;

function query(params: Record<string, string>, offset: number): string {
  const q = new URLSearchParams(Object.entries(params).filter(([, v]) => v !== ""));
  q.set("limit", String(PAGE));
  q.set("offset", String(offset));
  return q.toString();
}

export const exchange = {
  outbox: (stage: Stage | "", offset: number) => call<Page<OutboxRow>>("GET", `/exchange/outbox?${query({ state: stage }, offset)}`),
  inbox: (kind: "" | "document" | "status", offset: number) => call<Page<InboxRow>>("GET", `/exchange/inbox?${query({ kind }, offset)}`),
  retry: (id: number) => call<OutboxRow>("POST", `/exchange/outbox/${id}/retry`),
  cancel: (id: number) => call<OutboxRow>("POST", `/exchange/outbox/${id}/cancel`),
  proof: (documentId: number, path: string) => call<Proof>("GET", `/documents/${documentId}/exchange-proofs/${path}`),
};
