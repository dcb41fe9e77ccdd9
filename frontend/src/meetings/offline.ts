// Reading a meeting without the Wi-Fi: its documents are kept in the Cache Storage of this
// device (filled when the room opens; the service worker and the viewer read from it), and
// annotations drawn while offline wait in localStorage, keyed by client_id, until the server
// has acknowledged them (its save is idempotent by client_id, so sending twice is harmless).
import { getBytes } from "../api";
import type { AnnotationBody, AnnotationKind, Visibility } from "./api";

const DOCS_CACHE = "ecabinet-docs-u";

/** The cache of this user's meeting documents (one per user, so another user of the same
 * tablet never reads them from it). */
const cacheName = (userId: number) => `${DOCS_CACHE}${userId}`;

const hasCaches = () => typeof caches !== "undefined";

/** Drop the document caches of other users of this device. */
async function dropOthers(userId: number): Promise<void> {
  for (const name of await caches.keys()) {
    if (name.startsWith(DOCS_CACHE) && name !== cacheName(userId)) await caches.delete(name);
  }
}

/** Documents being written to the cache now (by documentBytes): keepDocuments waits for
 * them rather than download the same bytes a second time. */
const storing = new Map<string, Promise<unknown>>();

/** Store every document of a meeting on this device; how many of them are stored. */
export async function keepDocuments(userId: number, urls: string[]): Promise<number> {
  if (!hasCaches()) return 0;
  await dropOthers(userId);
  const cache = await caches.open(cacheName(userId));
  let kept = 0;
  for (const url of urls) {
    await storing.get(url)?.catch(() => undefined);
    if (await cache.match(url)) {
      kept += 1;
      continue;
    }
    try {
      const response = await getBytes(url);
      if (response.status === 200) {
        await cache.put(url, response);
        kept += 1;
      }
    } catch {
      // Offline or refused: the next opening of the room tries again.
    }
  }
  return kept;
}

/** A document's bytes: from this device's cache if kept, otherwise from the server (and kept). */
export async function documentBytes(userId: number, url: string): Promise<Uint8Array> {
  const cache = hasCaches() ? await caches.open(cacheName(userId)) : null;
  const hit = await cache?.match(url);
  if (hit) return new Uint8Array(await hit.arrayBuffer());
  const response = await getBytes(url);
  // Kept while the bytes are read, not before: writing 10 MB to the cache would delay the page.
  if (cache && response.status === 200) {
    const put = cache.put(url, response.clone()).finally(() => storing.delete(url));
    storing.set(url, put);
  }
  return new Uint8Array(await response.arrayBuffer());
}

/** Whether this device keeps the document (it then opens without the network). */
export async function isKept(userId: number, url: string): Promise<boolean> {
  if (!hasCaches()) return false;
  await storing.get(url)?.catch(() => undefined);
  return Boolean(await (await caches.open(cacheName(userId))).match(url));
}

/** Forget this user's kept documents (on logout or another user's turn). */
export async function forgetDocuments(): Promise<void> {
  if (!hasCaches()) return;
  for (const name of await caches.keys()) if (name.startsWith(DOCS_CACHE)) await caches.delete(name);
}

/** An annotation drawn on this tablet, not yet acknowledged by the server. */
export interface PendingAnnotation {
  meeting_id: number;
  document_id: number;
  client_id: string;
  page: number;
  kind: AnnotationKind;
  body: AnnotationBody;
  visibility: Visibility;
  shared_with: number[];
  created_at: string;
}

const queueKey = (userId: number) => `ecabinet.pending-annotations.${userId}`;

function readQueue(userId: number): PendingAnnotation[] {
  try {
    const raw = localStorage.getItem(queueKey(userId));
    const parsed: unknown = raw ? JSON.parse(raw) : [];
    return Array.isArray(parsed) ? (parsed as PendingAnnotation[]) : [];
  } catch {
    return [];
  }
}

function writeQueue(userId: number, items: PendingAnnotation[]): void {
  if (items.length === 0) localStorage.removeItem(queueKey(userId));
  else localStorage.setItem(queueKey(userId), JSON.stringify(items));
}

export const pending = {
  list: (userId: number, meetingId: number): PendingAnnotation[] => readQueue(userId).filter((a) => a.meeting_id === meetingId),
  add: (userId: number, item: PendingAnnotation): void => {
    writeQueue(userId, [...readQueue(userId).filter((a) => a.client_id !== item.client_id), item]);
  },
  remove: (userId: number, clientId: string): void => {
    writeQueue(userId, readQueue(userId).filter((a) => a.client_id !== clientId));
  },
};

/** A random UUID (v4), also where crypto.randomUUID is missing (plain http on a LAN). */
export function newClientId(): string {
  if (typeof crypto.randomUUID === "function") return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const h = [...b].map((x) => x.toString(16).padStart(2, "0")).join("");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}
