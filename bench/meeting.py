"""Live meeting fan-out: a bare python-socketio server against ours, in one run.

    .venv/bin/python bench/meeting.py [--clients 250,500,1000] [--rounds 20] [--voters 500]
        [--repeat 3] [--no-deflate] [--gc-freeze] [--redis redis://127.0.0.1:6379/14]
        [--only agenda,vote,reconnect]

Each server under test runs as a uvicorn subprocess pinned to CPU 0; the simulated
tablets run in one Node process pinned to CPU 1 (socket.io-client 4, WebSocket only, one
connection each), installed on first use into /tmp/ecab-meeting-bench (never the repo's
frontend/). Node rather than python-socketio's AsyncClient: the tablets' own work on
their one core is part of every latency measured, and Node's costs less per message
received (figures at the end). Servers:

- bare: python-socketio's AsyncServer, ``sio.emit("agenda", payload, room=...)``;
- fast: the same with ``realtime.fanout`` (FastManager, broadcast);
- with --redis, each again as two processes (both on CPU 0) sharing AsyncRedisManager
  (bare) or FastRedisManager (fast); tablets split evenly, the change sent from one.

Measured:

1. Agenda change: --rounds changes (after 3 warm-up rounds) sent to a room of N tablets,
   N from --clients. Latency per tablet per change = receive time minus the server's
   send timestamp in the payload (same clock); median and p99 over rounds x N; the
   server's CPU seconds over the rounds.
2. Vote: --voters tablets send a ballot with an acknowledgement at once; time until the
   last acknowledgement, and the median and p99 of each.
3. Reconnect: --voters tablets drop and reconnect at once; time until every one is
   connected again and holds the snapshot the server sends on connect.

The payload is an agenda of 6 items in Vietnamese: 1.9 kB of JSON on the wire
(python-socketio's JSON escapes non-ASCII). uvicorn accepts permessage-deflate by default
and socket.io-client offers it, as browsers do, so each message is compressed once per
tablet on the server and inflated by every tablet; --no-deflate measures without.

Diagnosis: ECAB_BENCH_PROFILE=/tmp/prof writes each server's cProfile on exit;
ECAB_BENCH_GC=1 prints each full (generation 2) garbage collection and its pause.

Figures, 2026-11-23, on this 2-core VM shared with other people working (load average
0.5-1.7 during the runs), python-socketio 5.18.1, python-engineio 4.15.1, uvicorn 0.54
(websockets-sansio), Node 20 with socket.io-client 4.8.4; p99 = median of the runs' p99.

    bench/meeting.py --repeat 3                       (1 process, defaults)
    agenda change  N     median ms (bare/fast)   p99 ms (bare/fast)     server CPU s, 20 changes
                   250       17 / 14                 44 / 33   1.31x     0.40 / 0.38
                   500       27 / 23                118 / 69   1.70x     0.76 / 0.64
                  1000       45 / 40                176 / 158  1.12x     1.56 / 1.35
    vote, 500 ballots at once: every ack within 89-138 ms (bare), 66-125 ms (fast)
    reconnect, 500 at once: all back with their snapshot in 0.72-0.75 s / 0.66-0.73 s

    bench/meeting.py --clients 1000 --repeat 2 --only agenda [options]   p99 ms
        defaults                                  bare 231   fast 175   1.32x
        --gc-freeze                               bare 126   fast 120
        --gc-freeze --no-deflate                  bare  56   fast  56
    bench/meeting.py --clients 1000 --repeat 2 --redis redis://127.0.0.1:6379/14
        2 processes, agenda p99                   bare 236   fast 134   1.77x
        vote 500: 125-141 ms / 123-126 ms;  reconnect 500: 1.24-1.44 s / 0.92-1.04 s
        (bare logs "Cannot publish to redis... retrying": redis-py's pool of 100)

What the figures say:
- The task per recipient is not what keeps p99 over 150 ms at 1,000 tablets. Per agenda
  change the fast path costs about 6 ms of server CPU before the writes instead of about
  40 (under cProfile); the server's total CPU per change falls 5-35 %. The rest is
  engine.io's writer task per socket (a wait_for task per message), uvicorn's send and
  websockets' framing, and the permessage-deflate compression per tablet.
- The p99 at 1,000 comes from the collector: a full collection over the ~220,000 objects
  of 1,000 connections pauses the server 110-160 ms (ECAB_BENCH_GC=1), and it lands in a
  few of the 20 changes; the task per recipient makes it come more often (3 changes in
  20 hit for bare, 1 for fast). With the live objects frozen (--gc-freeze) p99 is
  120-126 ms with deflate and 56 ms without, bare and fast alike.
- With deflate, the 1,000 simulated tablets on one core spend 65-75 ms of CPU per change
  inflating and parsing (25 ms without), which is in their latency; real tablets do this
  in parallel. python-socketio's AsyncClient measured 81 us of CPU per message received
  against Node's 65 (deflate), hence Node.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

CLIENT_DIR = Path(tempfile.gettempdir()) / "ecab-meeting-bench"
SERVER_CPU, CLIENT_CPU = 0, 1

AGENDA_ITEMS = [
    ("Khai mạc, thông qua chương trình phiên họp", "Chủ tịch"),
    ("Báo cáo tình hình kinh tế - xã hội quý I năm 2026", "Sở Kế hoạch và Đầu tư"),
    ("Tờ trình dự thảo Nghị quyết về giá đất", "Sở Tài nguyên và Môi trường"),
    ("Đề án chuyển đổi số trong cơ quan nhà nước", "Sở Thông tin và Truyền thông"),
    ("Kế hoạch phòng, chống thiên tai và tìm kiếm cứu nạn", "Bộ Chỉ huy Quân sự tỉnh"),
    ("Kết luận của Chủ tịch Ủy ban nhân dân tỉnh", "Chủ tịch"),
]
AGENDA = [
    {
        "id": i,
        "title": title,
        "presenter": presenter,
        "status": "pending",
        "note": "Tài liệu kèm theo đã được gửi tới các thành viên.",
    }
    for i, (title, presenter) in enumerate(AGENDA_ITEMS, 1)
]

# --- the servers under test (run as: bench/meeting.py --serve KIND --port P) -------------


def make_app(kind: str, redis_url: str | None, channel: str) -> Any:
    import socketio

    from realtime import fanout

    manager: Any = None
    if redis_url:
        cls = fanout.FastRedisManager if kind == "fast" else socketio.AsyncRedisManager
        manager = cls(redis_url, channel=channel)
    elif kind == "fast":
        manager = fanout.FastManager()
    sio = socketio.AsyncServer(
        async_mode="asgi",
        client_manager=manager,
        transports=["websocket"],
        cors_allowed_origins="*",
    )
    ballots: dict[str, Any] = {}

    freezing: list[Any] = []

    async def freeze() -> None:  # the full collections then skip the live connections
        import gc

        while True:
            await sio.sleep(1)
            gc.freeze()

    async def connect(sid: str, environ: dict[str, Any], auth: Any = None) -> None:
        if os.environ.get("ECAB_BENCH_GC_FREEZE") and not freezing:
            freezing.append(sio.start_background_task(freeze))
        auth = auth or {}
        await sio.enter_room(sid, auth.get("room", "meeting"))
        if auth.get("snapshot"):
            await sio.emit("snapshot", {"agenda": AGENDA, "t": time.time() * 1000}, to=sid)

    async def on_broadcast(sid: str, msg: dict[str, Any]) -> bool:
        payload = {"seq": msg["seq"], "t": time.time() * 1000, "agenda": AGENDA}
        if kind == "fast":
            await fanout.broadcast(sio, "agenda", payload, msg["room"])
        else:
            await sio.emit("agenda", payload, room=msg["room"])
        return True

    async def on_ballot(sid: str, msg: Any) -> dict[str, bool]:
        ballots[sid] = msg
        return {"ok": True}

    sio.on("connect", connect)
    sio.on("broadcast", on_broadcast)
    sio.on("ballot", on_ballot)
    profile = os.environ.get("ECAB_BENCH_PROFILE")  # a file to write the server's profile to
    if not profile:
        return socketio.ASGIApp(sio)
    import cProfile

    profiler = cProfile.Profile()
    profiler.enable()

    def dump() -> None:  # uvicorn ends by re-raising SIGTERM: no code runs after it
        profiler.disable()
        profiler.dump_stats(f"{profile}.{kind}.{os.getpid()}")

    return socketio.ASGIApp(sio, on_shutdown=dump)


def serve(kind: str, port: int, redis_url: str | None, channel: str, deflate: bool) -> None:
    import uvicorn

    if os.environ.get("ECAB_BENCH_GC"):  # diagnosis: print each collection's pause
        import gc

        started: list[float] = []

        def watch(phase: str, info: dict[str, int]) -> None:
            if phase == "start":
                started[:] = [time.perf_counter()]
            elif info["generation"] == 2:
                ms = (time.perf_counter() - started[0]) * 1000
                print(f"gc gen2 {ms:.0f} ms, {len(gc.get_objects())} objects", file=sys.stderr)

        gc.callbacks.append(watch)

    uvicorn.run(
        make_app(kind, redis_url, channel),
        host="127.0.0.1",
        port=port,
        log_level="warning",
        ws_per_message_deflate=deflate,
    )


# --- the tablets (Node, socket.io-client) -------------------------------------------------

CLIENTS_JS = r"""
const { io } = require("socket.io-client");
const readline = require("readline");
const cfg = JSON.parse(process.argv[2]);
const now = () => performance.timeOrigin + performance.now();
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const lines = readline.createInterface({ input: process.stdin });
const waitLine = () => new Promise((r) => lines.once("line", r));

function open(i, auth) {
  return io(cfg.urls[i % cfg.urls.length], {
    transports: ["websocket"], reconnection: false, forceNew: true, timeout: 60000, auth,
  });
}
async function connectAll(n, auth, onEach) {
  const sockets = [];
  for (let i = 0; i < n; i += 50) {  // batches: a burst of 1000 handshakes is another test
    const batch = [];
    for (let j = i; j < Math.min(n, i + 50); j++) {
      const s = open(j, auth); onEach(s, j); sockets.push(s);
      batch.push(new Promise((ok, ko) => { s.once("connect", ok); s.once("connect_error", ko); }));
    }
    await Promise.all(batch);
  }
  return sockets;
}
// a pipe is written asynchronously: exiting before the write completes truncates it
const out = (o) => new Promise((ok) => process.stdout.write(JSON.stringify(o) + "\n", ok));

async function agenda() {
  const got = new Map();  // seq -> latencies
  let dup = 0;
  const seen = [];
  const sockets = await connectAll(cfg.n, { room: "meeting" }, (s, j) => {
    seen[j] = new Set();
    s.on("agenda", (p) => {
      const t = now();
      if (seen[j].has(p.seq)) { dup++; return; }
      seen[j].add(p.seq);
      if (!got.has(p.seq)) got.set(p.seq, []);
      got.get(p.seq).push(t - p.t);
    });
  });
  const control = open(0, { room: "control" });
  await new Promise((ok) => control.once("connect", ok));
  const round = async (seq) => {
    await control.timeout(30000).emitWithAck("broadcast", { room: "meeting", seq });
    const deadline = now() + 20000;
    while ((got.get(seq) || []).length < cfg.n && now() < deadline) await sleep(5);
    await sleep(100);
  };
  for (let w = 0; w < 3; w++) await round(-1 - w);
  console.log("READY"); await waitLine();
  const lat = [];
  const worst = [];  // the last tablet reached, per change
  let missing = 0;
  const cpu0 = process.cpuUsage();
  for (let seq = 0; seq < cfg.rounds; seq++) {
    await round(seq);
    const xs = got.get(seq) || [];
    missing += cfg.n - xs.length; lat.push(...xs); worst.push(Math.max(...xs));
  }
  const cpu = process.cpuUsage(cpu0);
  await out({ lat, worst, missing, dup, clientCpu: (cpu.user + cpu.system) / 1e6 });
  for (const s of [...sockets, control]) s.disconnect();
}

async function vote() {
  const sockets = await connectAll(cfg.n, { room: "meeting" }, () => {});
  await sleep(300);
  console.log("READY"); await waitLine();
  const t0 = now();
  const lat = await Promise.all(sockets.map(async (s, i) => {
    const r = await s.timeout(30000).emitWithAck("ballot", { choice: i % 3, voter: i });
    if (!r.ok) throw new Error("ballot refused");
    return now() - t0;
  }));
  await out({ lat, total: now() - t0 });
  for (const s of sockets) s.disconnect();
}

async function reconnect() {
  const snaps = [];
  const waiters = [];
  const sockets = await connectAll(cfg.n, { room: "meeting", snapshot: true }, (s, j) => {
    snaps[j] = 0;
    s.on("snapshot", () => { snaps[j]++; if (waiters[j]) { waiters[j](); waiters[j] = null; } });
  });
  while (snaps.some((c) => c < 1)) await sleep(10);
  await sleep(300);
  console.log("READY"); await waitLine();
  const t0 = now();
  for (const s of sockets) s.disconnect();
  const lat = await Promise.all(sockets.map((s, j) => new Promise((ok, ko) => {
    waiters[j] = () => ok(now() - t0);
    s.once("connect_error", ko);
    s.connect();
  })));
  await out({ lat, total: now() - t0 });
  for (const s of sockets) s.disconnect();
}

({ agenda, vote, reconnect })[cfg.mode]().then(() => process.exit(0), (e) => {
  console.error(e); process.exit(1);
});
"""


def node_clients() -> Path:
    """The client script beside a throwaway socket.io-client install in /tmp."""
    if not (CLIENT_DIR / "node_modules" / "socket.io-client").is_dir():
        CLIENT_DIR.mkdir(parents=True, exist_ok=True)
        subprocess.run(["npm", "init", "-y"], cwd=CLIENT_DIR, check=True, capture_output=True)
        subprocess.run(
            ["npm", "install", "--no-audit", "--no-fund", "socket.io-client@4"],
            cwd=CLIENT_DIR,
            check=True,
            capture_output=True,
        )
    script = CLIENT_DIR / "clients.js"
    script.write_text(CLIENTS_JS)
    return script


# --- driving a run --------------------------------------------------------------------------


def cpu_seconds(pids: list[int]) -> float:
    total = 0
    for pid in pids:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


class Processes:
    """Server processes on loopback ports."""

    ports: list[int]
    procs: list[subprocess.Popen[bytes]]

    @property
    def urls(self) -> list[str]:
        return [f"http://127.0.0.1:{p}" for p in self.ports]

    def close(self) -> None:
        for p in self.procs:
            p.terminate()
        for p in self.procs:
            p.wait(20)


class Servers(Processes):
    """One or two uvicorn processes of one kind, pinned to the server core."""

    def __init__(self, kind: str, processes: int, redis_url: str | None, deflate: bool) -> None:
        channel = f"ecabinet-bench-{os.getpid()}-{kind}"
        self.ports = [free_port() for _ in range(processes)]
        self.procs = [
            subprocess.Popen(
                [sys.executable, __file__, "--serve", kind, "--port", str(port)]
                + (["--redis", redis_url, "--channel", channel] if redis_url else [])
                + ([] if deflate else ["--no-deflate"]),
                preexec_fn=lambda: os.sched_setaffinity(0, {SERVER_CPU}),
            )
            for port in self.ports
        ]
        import socket

        deadline = time.monotonic() + 30
        for port in self.ports:
            while True:
                try:
                    socket.create_connection(("127.0.0.1", port), 0.2).close()
                    break
                except OSError:
                    if time.monotonic() > deadline:
                        raise RuntimeError("server did not start") from None
                    time.sleep(0.1)


def run_clients(script: Path, servers: Servers, mode: str, n: int, rounds: int) -> dict[str, Any]:
    """Run one scenario; return the clients' figures and the servers' CPU seconds."""
    cfg = {"mode": mode, "urls": servers.urls, "n": n, "rounds": rounds}
    return run_node(script, cfg, [p.pid for p in servers.procs])


def run_node(script: Path, cfg: dict[str, Any], pids: list[int]) -> dict[str, Any]:
    """Start the tablets with ``cfg``, wait for READY, measure from GO to their figures;
    the figures gain the CPU seconds the ``pids`` spent meanwhile."""
    node = subprocess.Popen(
        ["node", str(script), json.dumps(cfg)],
        cwd=CLIENT_DIR,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        preexec_fn=lambda: os.sched_setaffinity(0, {CLIENT_CPU}),
    )
    assert node.stdin is not None and node.stdout is not None
    line = node.stdout.readline().strip()
    if line != "READY":
        node.wait(30)
        raise RuntimeError(f"clients failed ({cfg['mode']}, n={cfg['n']}): {line!r}")
    cpu0 = cpu_seconds(pids)
    node.stdin.write("GO\n")
    node.stdin.flush()
    result: dict[str, Any] = json.loads(node.stdout.readline())
    result["cpu"] = cpu_seconds(pids) - cpu0
    node.wait(60)
    return result


def p99(xs: list[float]) -> float:
    return statistics.quantiles(xs, n=100, method="inclusive")[98]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", default="250,500,1000")
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--voters", type=int, default=500)
    parser.add_argument("--repeat", type=int, default=3, help="runs of each, interleaved")
    parser.add_argument("--redis", default=None, help="also run two processes through Redis")
    parser.add_argument("--only", default="agenda,vote,reconnect")
    parser.add_argument(
        "--no-deflate",
        dest="deflate",
        action="store_false",
        help="servers refuse permessage-deflate (uvicorn's default is to accept it)",
    )
    parser.add_argument(
        "--gc-freeze",
        action="store_true",
        help="servers move every live object out of the collector's reach each second",
    )
    parser.add_argument("--serve", help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--channel", default="socketio", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.serve, args.port, args.redis, args.channel, args.deflate)
        return
    if shutil.which("node") is None:
        sys.exit("needs node (and npm on first run) for the simulated tablets")
    os.sched_setaffinity(0, {CLIENT_CPU})
    if args.gc_freeze:
        os.environ["ECAB_BENCH_GC_FREEZE"] = "1"  # inherited by the servers
    script = node_clients()
    sizes = [int(n) for n in args.clients.split(",")]
    only = set(args.only.split(","))
    print(
        f"load before: {os.getloadavg()}; permessage-deflate: {args.deflate}; "
        f"gc.freeze each second: {args.gc_freeze}"
    )
    setups = [("1 process", 1, None)]
    if args.redis:
        setups.append(("2 processes + Redis", 2, args.redis))
    for label, processes, redis_url in setups:
        print(f"\n## {label}")
        if "agenda" in only:
            print("agenda change   N   run   median ms   p99 ms   server CPU s   tablets' CPU s")
            for n in sizes:
                p99s: dict[str, list[float]] = {"bare": [], "fast": []}
                for run in range(args.repeat):  # interleaved: others' load hits both alike
                    for kind in ("bare", "fast"):
                        servers = Servers(kind, processes, redis_url, args.deflate)
                        try:
                            r = run_clients(script, servers, "agenda", n, args.rounds)
                        finally:
                            servers.close()
                        lat = r["lat"]
                        p99s[kind].append(p99(lat))
                        lost = r["missing"] + r["dup"]
                        print(
                            f"  {kind:4}     {n:5}  {run + 1:3}   {statistics.median(lat):9.1f} "
                            f"{p99(lat):8.1f}   {r['cpu']:12.2f}   {r['clientCpu']:14.2f}"
                            + (f"   {lost} missing or repeated" if lost else "")
                        )
                bare, fast = (statistics.median(p99s[k]) for k in ("bare", "fast"))
                print(
                    f"  p99, median of runs: bare {bare:.1f}, fast {fast:.1f}: {bare / fast:.2f}x"
                )
        for mode in ("vote", "reconnect"):
            if mode not in only:
                continue
            print(f"{mode:9}       N   run   all in ms   median ms   p99 ms   server CPU s")
            for run in range(args.repeat):
                for kind in ("bare", "fast"):
                    servers = Servers(kind, processes, redis_url, args.deflate)
                    try:
                        r = run_clients(script, servers, mode, args.voters, 0)
                    finally:
                        servers.close()
                    print(
                        f"  {kind:4}     {args.voters:5}  {run + 1:3}   {r['total']:9.1f}   "
                        f"{statistics.median(r['lat']):9.1f} {p99(r['lat']):8.1f}   "
                        f"{r['cpu']:12.2f}"
                    )
    print(f"\nload after: {os.getloadavg()}")


if __name__ == "__main__":
    main()
