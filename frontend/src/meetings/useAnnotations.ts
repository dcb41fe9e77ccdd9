// The annotations of a meeting's documents on this tablet: those the server holds (mine, shared
// with me, shared with everyone; refetched on every reconnect, kept current by live messages)
// and mine not yet acknowledged, which wait in the offline queue and are sent again when the
// link is back (or, when the server asked to slow down, a little later).
// A direct message carries the annotation; the meeting's numbered event names only its id and
// revision, and the tablet fetches that annotation unless it has that revision already.
import { useCallback, useEffect, useRef, useState } from "react";
import { ApiError } from "../api";
import { type Annotation, type AnnotationBody, type AnnotationKind, type AnnotationRef, meetings, type Visibility } from "./api";
import { newClientId, pending, type PendingAnnotation } from "./offline";

/** What a page shows: a saved annotation or one waiting to be acknowledged. */
export interface Shown {
  key: string;
  id: number | null;
  client_id: string;
  kind: AnnotationKind;
  body: AnnotationBody;
  mine: boolean;
  pending: boolean;
  author: string;
}

/** Who sees a new annotation. */
export interface Sharing {
  visibility: Visibility;
  shared_with: number[];
}

export interface Annotations {
  shown: (nameOf: (userId: number) => string) => (docId: number, pageIndex: number) => Shown[];
  create: (docId: number, pageIndex: number, kind: AnnotationKind, body: AnnotationBody, sharing: Sharing) => void;
  remove: (shown: Shown) => void;
  receive: (kind: string, data: Record<string, unknown>) => void;
  /** Mine still waiting for the server. */
  unsynced: number;
  error: unknown;
}

/** How long to wait before sending again what the server refused as too many changes. */
const SLOW_DOWN_MS = 20_000;

export function useAnnotations(meetingId: number, userId: number, linked: boolean, docIds: number[]): Annotations {
  const [saved, setSaved] = useState<Map<number, Annotation>>(new Map());
  const [queue, setQueue] = useState<PendingAnnotation[]>(() => pending.list(userId, meetingId));
  const [error, setError] = useState<unknown>(null);
  const inFlight = useRef(new Set<string>());
  const savedRef = useRef(saved);
  savedRef.current = saved;
  const retry = useRef<ReturnType<typeof setTimeout> | null>(null);
  useEffect(() => () => {
    if (retry.current) clearTimeout(retry.current);
  }, []);

  const upsert = useCallback((a: Annotation) => {
    // Fetches may answer out of order: an older revision never replaces a newer one.
    setSaved((m) => {
      const known = m.get(a.id);
      return known && known.revision > a.revision ? m : new Map(m).set(a.id, a);
    });
    if (a.author_id === userId) {
      pending.remove(userId, a.client_id);
      setQueue((q) => q.filter((p) => p.client_id !== a.client_id));
    }
  }, [userId]);

  const send = useCallback(
    async (item: PendingAnnotation) => {
      if (inFlight.current.has(item.client_id)) return;
      inFlight.current.add(item.client_id);
      try {
        // REST rather than the socket: the same idempotent save, and it needs no joined room.
        const { meeting_id: _m, created_at: _c, ...payload } = item;
        upsert(await meetings.saveAnnotation(meetingId, item.document_id, payload));
      } catch (e) {
        if (e instanceof ApiError && e.status === 429) {
          // Too many changes this minute: kept, and sent again a little later.
          setError(e);
          if (!retry.current)
            retry.current = setTimeout(() => {
              retry.current = null;
              for (const p of pending.list(userId, meetingId)) void sendRef.current(p);
            }, SLOW_DOWN_MS);
        } else if (!(e instanceof ApiError) || e.status !== 0) {
          // Refused for good (not a lost link): drop it rather than retry for ever.
          pending.remove(userId, item.client_id);
          setQueue((q) => q.filter((p) => p.client_id !== item.client_id));
          setError(e);
        }
      } finally {
        inFlight.current.delete(item.client_id);
      }
    },
    [meetingId, upsert, userId],
  );
  const sendRef = useRef(send);
  sendRef.current = send;

  // On every (re)connection: fresh copies of what the server holds, then my queue sent
  // (in that order, so the fresh copies cannot hide what the queue has just saved).
  const docKey = docIds.join(",");
  useEffect(() => {
    if (!linked) return;
    let live = true;
    const ids = docKey ? docKey.split(",").map(Number) : [];
    Promise.all(ids.map((d) => meetings.annotations(meetingId, d).then((r) => r.items)))
      .then((lists) => {
        if (!live) return;
        const next = new Map<number, Annotation>();
        for (const a of lists.flat()) next.set(a.id, a);
        setSaved(next);
        for (const a of next.values()) if (a.author_id === userId) pending.remove(userId, a.client_id);
        setQueue(pending.list(userId, meetingId));
      })
      .catch(() => undefined)
      .then(() => {
        if (live) for (const item of pending.list(userId, meetingId)) void send(item);
      });
    return () => {
      live = false;
    };
  }, [linked, docKey, meetingId, userId, send]);

  const receive = useCallback(
    (kind: string, data: Record<string, unknown>) => {
      const forget = (id: number) =>
        setSaved((m) => {
          const next = new Map(m);
          next.delete(id);
          return next;
        });
      if (kind === "annotation") {
        const a = (data.annotation ?? data) as Annotation | AnnotationRef;
        if (typeof a.id !== "number") return;
        if ("body" in a) {
          upsert(a);
          return;
        }
        const known = savedRef.current.get(a.id);
        if (known && known.revision >= a.revision) return;
        meetings.annotation(meetingId, a.id).then(upsert, (e: unknown) => {
          if (e instanceof ApiError && e.status === 404) forget(a.id); // deleted or hidden since
        });
      } else if (kind === "annotation_deleted") {
        forget(Number(data.annotation_id ?? data.id));
      }
    },
    [meetingId, upsert],
  );

  const create = (docId: number, pageIndex: number, kind: AnnotationKind, body: AnnotationBody, sharing: Sharing) => {
    const item: PendingAnnotation = {
      meeting_id: meetingId,
      document_id: docId,
      client_id: newClientId(),
      page: pageIndex,
      kind,
      body,
      visibility: sharing.visibility,
      shared_with: sharing.visibility === "named" ? sharing.shared_with : [],
      created_at: new Date().toISOString(),
    };
    setError(null);
    pending.add(userId, item);
    setQueue((q) => [...q, item]);
    if (linked) void send(item);
  };

  const remove = (shown: Shown) => {
    if (shown.pending || shown.id === null) {
      pending.remove(userId, shown.client_id);
      setQueue((q) => q.filter((p) => p.client_id !== shown.client_id));
      return;
    }
    const id = shown.id;
    meetings.deleteAnnotation(meetingId, id).then(() => receive("annotation_deleted", { annotation_id: id }), setError);
  };

  const shown = (nameOf: (userId: number) => string) => (docId: number, pageIndex: number): Shown[] => {
    const mineSaved = new Set<string>();
    const out: Shown[] = [];
    for (const a of saved.values()) {
      if (a.document_id !== docId || a.page !== pageIndex) continue;
      const mine = a.author_id === userId;
      if (mine) mineSaved.add(a.client_id);
      out.push({ key: `s${a.id}`, id: a.id, client_id: a.client_id, kind: a.kind, body: a.body, mine, pending: false, author: nameOf(a.author_id) });
    }
    for (const p of queue) {
      if (p.document_id !== docId || p.page !== pageIndex || mineSaved.has(p.client_id)) continue;
      out.push({ key: `p${p.client_id}`, id: null, client_id: p.client_id, kind: p.kind, body: p.body, mine: true, pending: true, author: nameOf(userId) });
    }
    return out;
  };

  return { shown, create, remove, receive, unsynced: queue.length, error };
}
