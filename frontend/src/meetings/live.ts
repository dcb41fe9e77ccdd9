// The live link of one meeting room: the "/meetings" Socket.IO namespace, its numbered events
// applied in order (a gap or a reconnect asks for what was missed), and intents with their
// acknowledgement as promises. The server's heartbeat carries the room's last number: a tablet
// behind it (an event lost on the way, Redis away) asks for what it missed, and one that hears
// no heartbeat for a while says it may be out of date rather than "connected".
import { io, type Socket } from "socket.io-client";
import { ApiError } from "../api";
import type { Snapshot } from "./room";

export interface LiveEvent {
  meeting_id: number;
  seq: number;
  kind: string;
  at: string;
  data: Record<string, unknown>;
}

interface JoinAnswer {
  seq: number;
  /** Seconds between the room's heartbeats. */
  every?: number;
  events?: LiveEvent[];
  snapshot?: Snapshot;
}

type Ack = { ok: true; [key: string]: unknown } | { ok: false; error: { code: string; message: { vi: string; en: string } } };

export interface LiveHandlers {
  /** A numbered event, in order, each once. */
  onEvent: (event: LiveEvent) => void;
  /** The whole live state (first join, or too far behind for the missed events). */
  onSnapshot: (snapshot: Snapshot) => void;
  /** A message sent to this user only (a note shared with them, their own devices). */
  onDirect: (kind: string, data: Record<string, unknown>) => void;
  /** Joined (true) or lost (false). */
  onLink: (joined: boolean) => void;
  /** Joined but known to be behind the server, or not hearing its heartbeat (true); caught
   * up again (false). */
  onBehind?: (behind: boolean) => void;
  /** The server ended this link for good: the login ended, or this user no longer takes
   * part in the meeting. The message is the server's, in both languages. */
  onEnded: (code: string, message: { vi: string; en: string }) => void;
}

interface Ending {
  code: string;
  message: { vi: string; en: string };
  meeting_id?: number;
}

interface Heartbeat {
  meeting_id: number;
  seq: number;
  /** Seconds between heartbeats. */
  every: number;
}

const ACK_TIMEOUT = 8000;
/** Heartbeats missed before the tablet says it may be out of date. */
const SILENT_BEATS = 3;

const offlineError = () =>
  new ApiError(0, "network", {
    vi: "Mất kết nối với máy chủ. Thao tác sẽ được thực hiện khi có mạng trở lại.",
    en: "No connection to the server. Try again when the network is back.",
  });

export class LiveMeeting {
  private socket: Socket;
  private last = 0;
  private joined = false;
  private syncing = false;
  private held: LiveEvent[] = [];
  private ended = false;
  /** The number the server's last heartbeat said the room has reached. */
  private target = 0;
  private lastBeat = Date.now();
  private beatEvery = 5;
  private silent = false;
  private behind = false;
  private watchdog: ReturnType<typeof setInterval>;

  constructor(
    readonly meetingId: number,
    private handlers: LiveHandlers,
  ) {
    this.socket = io("/meetings", { path: "/socket.io", transports: ["websocket"], autoConnect: false });
    this.socket.on("connect", () => void this.join());
    this.socket.on("disconnect", () => this.setJoined(false));
    this.socket.on("event", (e: LiveEvent) => this.receive(e));
    this.socket.on("heartbeat", (b: Heartbeat) => this.heard(b));
    // Redis failed the server for a while: events of this room may not have arrived.
    this.socket.on("resync", (r: { meeting_id: number }) => {
      if (r.meeting_id === this.meetingId && this.joined) {
        this.setBehind(true);
        void this.join();
      }
    });
    this.watchdog = setInterval(() => this.checkSilence(), 1000);
    // Sent just before the server disconnects this socket (its login ended), or takes it
    // out of the meeting's room (its seat ended): stop rejoining, say why.
    this.socket.on("ended", (e: Ending) => this.end(e));
    this.socket.on("removed", (e: Ending) => {
      if (e.meeting_id === this.meetingId) this.end(e);
    });
    for (const kind of ["annotation", "annotation_deleted"]) {
      this.socket.on(kind, (data: Record<string, unknown>) => {
        if (data.meeting_id === undefined || data.meeting_id === this.meetingId) this.handlers.onDirect(kind, data);
      });
    }
    // A tablet that knows it lost the Wi-Fi stops trusting its socket at once (the
    // heartbeat would take half a minute) and reconnects as soon as the network is back.
    window.addEventListener("offline", this.wentOffline);
    window.addEventListener("online", this.cameOnline);
    if (navigator.onLine) this.socket.connect();
  }

  get connected(): boolean {
    return this.joined;
  }

  close(): void {
    window.removeEventListener("offline", this.wentOffline);
    window.removeEventListener("online", this.cameOnline);
    clearInterval(this.watchdog);
    if (this.socket.connected) this.socket.emit("leave", { meeting_id: this.meetingId });
    this.socket.removeAllListeners();
    this.socket.disconnect();
  }

  /** Send an intent; the answer's fields, or an ApiError with the server's bilingual message. */
  async send<T = Record<string, unknown>>(intent: string, payload: Record<string, unknown> = {}): Promise<T> {
    if (!this.joined) throw offlineError();
    let answer: Ack;
    try {
      answer = (await this.socket.timeout(ACK_TIMEOUT).emitWithAck(intent, { meeting_id: this.meetingId, ...payload })) as Ack;
    } catch {
      throw offlineError();
    }
    if (!answer.ok) throw new ApiError(400, answer.error.code, answer.error.message);
    return answer as unknown as T;
  }

  private wentOffline = () => {
    this.setJoined(false);
    this.socket.disconnect();
  };

  private cameOnline = () => {
    if (!this.ended && !this.socket.connected) this.socket.connect();
  };

  private end(e: Ending) {
    this.ended = true;
    this.setJoined(false);
    this.handlers.onEnded(e.code, e.message);
  }

  private setJoined(joined: boolean) {
    if (joined) this.lastBeat = Date.now(); // the silence is counted from the join
    if (this.joined === joined) return;
    if (joined) this.silent = false; // a fresh join answered: current as of now
    this.joined = joined;
    this.handlers.onLink(joined);
  }

  private setBehind(behind: boolean) {
    if (this.behind === behind) return;
    this.behind = behind;
    this.handlers.onBehind?.(behind);
  }

  /** Behind while a known gap is open or the heartbeat is silent. */
  private updateBehind() {
    this.setBehind(this.joined && (this.silent || this.target > this.last));
  }

  private heard(b: Heartbeat) {
    if (b.meeting_id !== this.meetingId) return;
    this.lastBeat = Date.now();
    if (b.every > 0) this.beatEvery = b.every;
    this.silent = false;
    this.target = b.seq;
    this.updateBehind();
    if (this.joined && b.seq > this.last) void this.join(); // missed events: fetch them
  }

  private checkSilence() {
    if (!this.joined || this.silent) return;
    if (Date.now() - this.lastBeat > SILENT_BEATS * this.beatEvery * 1000) {
      this.silent = true;
      this.updateBehind();
      void this.join(); // catch up with what the server will give; still unsure until it beats
    }
  }

  /** Join the room (again), from the last event applied; apply what comes back. */
  private async join(): Promise<void> {
    if (this.syncing || this.ended) return;
    this.syncing = true;
    try {
      const payload: Record<string, unknown> = { meeting_id: this.meetingId };
      if (this.last > 0) payload.after = this.last;
      const answer = (await this.socket.timeout(ACK_TIMEOUT).emitWithAck("join", payload)) as Ack & JoinAnswer;
      if (!answer.ok) {
        this.setJoined(false);
        return;
      }
      if (answer.snapshot) {
        this.last = answer.snapshot.seq;
        this.handlers.onSnapshot(answer.snapshot);
      }
      for (const e of answer.events ?? []) this.apply(e);
      this.last = Math.max(this.last, answer.seq);
      if (answer.every && answer.every > 0) this.beatEvery = answer.every;
      this.setJoined(true);
      this.updateBehind();
    } catch {
      // No answer in time: the socket is likely gone; the reconnect joins again.
    } finally {
      this.syncing = false;
    }
    const held = this.held;
    this.held = [];
    for (const e of held) this.receive(e);
  }

  private receive(e: LiveEvent) {
    if (e.meeting_id !== this.meetingId) return;
    if (this.syncing) {
      this.held.push(e); // looked at once the join in flight has answered
      return;
    }
    if (e.seq <= this.last) return;
    if (e.seq === this.last + 1) this.apply(e);
    else void this.join(); // a gap: fetch what was missed
  }

  private apply(e: LiveEvent) {
    if (e.seq <= this.last) return;
    this.last = e.seq;
    this.handlers.onEvent(e);
    if (this.behind && this.last >= this.target) this.updateBehind();
  }
}
