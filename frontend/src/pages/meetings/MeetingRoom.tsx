// The meeting room on a tablet: the agenda with the item under discussion, the documents
// (following the presenter by default, across agenda items; a reading mode gives them the
// whole screen), the speakers, the vote, who is present, and for the
// chair and the secretary their console. Live through the "/meetings" socket; the documents
// are kept on the device when the room opens, and annotations drawn offline are sent later.
import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import type { Me } from "../../api";
import { ApiError } from "../../api";
import { useUi } from "../../context";
import { ErrorLine } from "../../documents/ui";
import { type AgendaItem, type MeetingDetail, documentUrl, latestDocuments, meetings } from "../../meetings/api";
import { useMeetT } from "../../meetings/i18n";
import { type LiveEvent, LiveMeeting } from "../../meetings/live";
import { keepDocuments } from "../../meetings/offline";
import { warmPdf } from "../../meetings/pdfdoc";
import { usePeople } from "../../meetings/people";
import { applyEvent, fromSnapshot, type Room, roomOf, type Snapshot } from "../../meetings/room";
import { mark } from "../../meetings/reader";
import { useAnnotations } from "../../meetings/useAnnotations";
import { ChairConsole } from "./ChairConsole";
import { DocumentViewer } from "./DocumentViewer";
import { StateBadge } from "./MeetingList";
import { PresencePanel, SpeakersPanel, VotePanel } from "./RoomPanels";

type Tab = "speakers" | "vote" | "presence" | "console";

const KEEP_AFTER_MS = 3000;

export function MeetingRoom({ me, id }: { me: Me; id: number }) {
  const t = useMeetT();
  const { navigate } = useUi();
  const userId = me.user.id;
  const [detail, setDetail] = useState<MeetingDetail | null>(null);
  const [room, setRoom] = useState<Room | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [live, setLive] = useState<LiveMeeting | null>(null);
  const [linked, setLinked] = useState(false);
  const [behind, setBehind] = useState(false);
  const [cut, setCut] = useState<ApiError | null>(null);
  const [tab, setTab] = useState<Tab>("speakers");
  const [kept, setKept] = useState<{ kept: number; total: number } | null>(null);
  const [reading, setReading] = useState(false);
  useEffect(() => {
    document.body.classList.toggle("room-reading", reading);
    return () => document.body.classList.remove("room-reading");
  }, [reading]);
  const people = usePeople(detail?.meeting.agency_id, detail?.participants);
  const allDocs = useMemo(() => (detail ? detail.agenda.flatMap((i) => latestDocuments(i)) : []), [detail]);
  const annotations = useAnnotations(id, userId, linked, allDocs.map((d) => d.id));
  const onDirect = useRef(annotations.receive);
  onDirect.current = annotations.receive;

  // The room goes full screen: no navigation column beside it. pdf.js starts at once.
  useEffect(() => {
    warmPdf();
    document.body.classList.add("room-mode");
    return () => document.body.classList.remove("room-mode");
  }, []);

  const reload = useCallback(() => meetings.detail(id).then(setDetail, setError), [id]);
  // Follow mode: what the presenter shows, or the first document of the item under discussion.
  const [follow, setFollow] = useState(true);
  const [own, setOwn] = useState<{ docId: number; page: number } | null>(null);
  const [presenting, setPresenting] = useState(false);
  const presentingRef = useRef(false);
  presentingRef.current = presenting;

  // What the socket brings before the meeting's details are loaded waits for them.
  const early = useRef<{ ready: boolean; snapshot: Snapshot | null; events: LiveEvent[] }>({ ready: false, snapshot: null, events: [] });
  useEffect(() => {
    meetings.detail(id).then((d) => {
      mark("detail");
      let r = roomOf(d);
      if (early.current.snapshot) r = fromSnapshot(r, early.current.snapshot);
      for (const e of early.current.events) r = applyEvent(r, e);
      early.current = { ready: true, snapshot: null, events: [] };
      setDetail(d);
      setRoom(r);
      setTab(d.runs ? "console" : "speakers");
    }, setError);
  }, [id]);

  useEffect(() => {
    const link = new LiveMeeting(id, {
      onEvent: (e) => {
        if (e.kind === "annotation" || e.kind === "annotation_deleted") onDirect.current(e.kind, e.data);
        if (e.kind === "vote_opened") setTab((current) => (current === "console" ? current : "vote"));
        // Whoever presents goes with the agenda (and their next page turn shows it to all).
        if ((e.kind === "agenda" || e.kind === "started") && presentingRef.current) {
          setFollow(true);
          setOwn(null);
        }
        if (early.current.ready) setRoom((r) => (r ? applyEvent(r, e) : r));
        else early.current.events.push(e);
      },
      onSnapshot: (s) => {
        if (early.current.ready) setRoom((r) => (r ? fromSnapshot(r, s) : r));
        else early.current = { ready: false, snapshot: s, events: [] };
      },
      onDirect: (kind, data) => onDirect.current(kind, data),
      onLink: setLinked,
      onBehind: setBehind,
      onEnded: (code, message) => setCut(new ApiError(401, code, message)),
    });
    setLive(link);
    return () => link.close();
  }, [id]);

  // A snapshot may come before the meeting's details: apply it once they are there.
  const documentsVersion = room?.documents ?? 0;
  useEffect(() => {
    if (documentsVersion > 0) void reload();
  }, [documentsVersion, reload]);

  // The documents are kept on the device once the first page is on screen (or a few seconds
  // on): downloading them all at once would hold back the page the member is waiting for.
  const [firstDrawn, setFirstDrawn] = useState(false);
  useEffect(() => {
    const timer = window.setTimeout(() => setFirstDrawn(true), KEEP_AFTER_MS);
    return () => window.clearTimeout(timer);
  }, []);
  const docKey = allDocs.map((d) => d.id).join(",");
  useEffect(() => {
    if (!docKey || !firstDrawn) return;
    const urls = docKey.split(",").map((d) => documentUrl(id, Number(d)));
    void keepDocuments(userId, urls).then((n) => setKept({ kept: n, total: urls.length }));
  }, [id, userId, docKey, firstDrawn]);

  if (!detail || !room || !live) return error ? <ErrorLine error={error} /> : <p>{t("loading")}</p>;

  const current = detail.agenda.find((i) => i.id === room.currentItemId);
  const itemOfDoc = (docId: number): AgendaItem | undefined => detail.agenda.find((i) => i.documents.some((d) => d.id === docId));
  const firstDoc = latestDocuments(current ?? detail.agenda[0])[0];
  // The presenter may show any item's document (a reference back to an earlier item): the
  // followers go with them; with nobody presenting, the item under discussion.
  const presenter =
    room.presenting && itemOfDoc(room.presenting.document_id) ? { docId: room.presenting.document_id, page: room.presenting.page } : null;
  const followed = presenter ?? (firstDoc ? { docId: firstDoc.id, page: 1 } : null);
  const view = follow || !own ? followed : own;
  const viewedItem = view ? itemOfDoc(view.docId) : current;
  const mayPresent = detail.runs || (current?.presenter_id === userId && room.state === "in_progress");
  const send = (docId: number, page: number) => void live.send("present", { document_id: docId, page }).catch(() => undefined);
  const navigateDoc = (docId: number, page: number) => {
    setOwn({ docId, page });
    setFollow(false);
    if (presenting && mayPresent) send(docId, page);
  };
  const colleagues = detail.participants.filter((p) => p.user_id !== userId).map((p) => ({ id: p.user_id, name: people.name(p.user_id) }));
  const panelProps = { live, room, detail, people, userId };
  const tabs: Tab[] = detail.runs ? ["console", "speakers", "vote", "presence"] : ["speakers", "vote", "presence"];
  const ended = room.state === "ended" || room.state === "minutes_signed";

  return (
    <div className={reading ? "room reading" : "room"} data-testid="room">
      <header className="room-bar">
        <button type="button" className="secondary" onClick={() => navigate(`/meetings/${id}`)}>
          ← {t("leaveRoom")}
        </button>
        <h1>{detail.meeting.title}</h1>
        <StateBadge state={room.state} />
        <span className={!linked ? "link off" : behind ? "link behind" : "link on"} data-testid="link-state" role="status">
          {!linked ? t("reconnecting") : behind ? t("outOfDate") : t("connected")}
        </span>
        {annotations.unsynced > 0 && (
          <span className="badge unsynced" data-testid="unsynced" role="status">
            {annotations.unsynced} {t("unsyncedCount")}
          </span>
        )}
        {kept && (
          <span className="small muted" data-testid="kept-documents">
            {t("keptOffline")}: {kept.kept}/{kept.total}
          </span>
        )}
        {ended && (
          <button type="button" className="primary" onClick={() => navigate(`/meetings/${id}/minutes`)}>
            {t("minutes")}
          </button>
        )}
      </header>
      <ErrorLine error={cut} />
      <ErrorLine error={annotations.error} />
      <nav className="agenda" aria-label={t("agenda")}>
        <ol>
          {detail.agenda.map((item) => (
            <li key={item.id} aria-current={item.id === room.currentItemId ? "step" : undefined} className={item.id === room.currentItemId ? "current" : undefined} data-testid={item.id === room.currentItemId ? "current-item" : undefined}>
              <button
                type="button"
                className="agenda-item"
                title={item.title}
                onClick={() => {
                  const first = latestDocuments(item)[0];
                  if (first) navigateDoc(first.id, 1);
                }}
              >
                <span className="pos">{item.position}.</span> {item.title}
                <span className="small muted">
                  {item.presenter_id !== null && `${people.name(item.presenter_id)} · `}
                  {item.planned_minutes} {t("minutesShort")}
                </span>
              </button>
              {detail.runs && room.state === "in_progress" && item.id !== room.currentItemId && (
                <AgendaMove live={live} itemId={item.id} title={item.title} />
              )}
            </li>
          ))}
        </ol>
      </nav>
      <DocumentViewer
        meetingId={id}
        userId={userId}
        documents={latestDocuments(viewedItem)}
        docId={view?.docId ?? null}
        page={view?.page ?? 1}
        follow={follow}
        presenter={presenter}
        reading={reading}
        onReading={setReading}
        onFirstDrawn={() => setFirstDrawn(true)}
        onNavigate={navigateDoc}
        onFollow={() => {
          setFollow(true);
          setOwn(null);
        }}
        annotations={annotations.shown(people.name)}
        onCreate={annotations.create}
        onDelete={annotations.remove}
        colleagues={colleagues}
        present={
          mayPresent
            ? {
                on: presenting,
                toggle: (on) => {
                  setPresenting(on);
                  if (on && view) {
                    setOwn(view);
                    setFollow(false);
                    send(view.docId, view.page);
                  }
                },
              }
            : undefined
        }
      />
      <aside className="side">
        <div className="side-tabs" role="tablist" aria-label={t("panels")}>
          {tabs.map((k) => (
            <button key={k} type="button" role="tab" aria-selected={tab === k} className={tab === k ? "tab active" : "tab"} onClick={() => setTab(k)}>
              {t.tab(k)}
            </button>
          ))}
        </div>
        <div className="side-body" role="tabpanel">
          {tab === "console" && <ChairConsole {...panelProps} />}
          {tab === "speakers" && <SpeakersPanel {...panelProps} />}
          {tab === "vote" && <VotePanel {...panelProps} />}
          {tab === "presence" && <PresencePanel {...panelProps} />}
        </div>
      </aside>
    </div>
  );
}

function AgendaMove({ live, itemId, title }: { live: LiveMeeting; itemId: number; title: string }) {
  const t = useMeetT();
  const [error, setError] = useState<unknown>(null);
  return (
    <>
      <button
        type="button"
        className="secondary move"
        aria-label={`${t("moveHere")}: ${title}`}
        onClick={() => {
          setError(null);
          live.send("agenda", { item_id: itemId }).catch((e: unknown) => setError(e instanceof ApiError ? e : String(e)));
        }}
      >
        {t("moveHere")}
      </button>
      <ErrorLine error={error} />
    </>
  );
}
