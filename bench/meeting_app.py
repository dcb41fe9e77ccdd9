"""The live meeting through eCabinet itself, beside the bare python-socketio server of
bench/meeting.py, in one run.

    .venv/bin/python bench/meeting_app.py [--clients 1000] [--voters 500] [--rounds 20]
        [--repeat 2] [--postgres URL] [--redis redis://127.0.0.1:6379/14]
        [--only agenda,vote,reconnect] [--no-bare]

The eCabinet server is ``ecabinet serve`` on a database seeded here: one meeting with
N members checked in (the largest of --clients and --voters), each with an API token, and
a document. It is pinned to CPU 0; the tablets are Node socket.io-client sockets on
CPU 1 (bench/meeting.py installs them into /tmp/ecab-meeting-bench). With --redis, two
eCabinet processes (both on CPU 0) share it and the tablets are split between them.

1. Agenda change: each tablet connects to ``/meetings`` with its token and joins the
   meeting; the chair's tablet sends the ``agenda`` intent (the service checks the
   chair, moves the agenda, writes the audit log and the numbered event in one
   transaction; the event is broadcast after commit). Latency per tablet = arrival of
   the event minus the moment the chair sent the intent (one clock, the Node process),
   so it holds the database write the bare server does not have.
2. Vote: the chair opens a secret vote; --voters tablets send ``ballot`` at once; time
   until each acknowledgement (with its receipt); then the tally is read back: it must
   equal the number of ballots.
3. Reconnect: --voters tablets that have joined drop and reconnect at once, each joining
   again with its last event number; time until every one has its answer.

The bare rows are bench/meeting.py's bare server measured by the same client script with
the same N, for scale.

Figures, 2026-11-23, this 2-core VM otherwise idle (load average 0.5-2.4 before the runs),
python-socketio 5.18.1, uvicorn 0.54, Node 20 with socket.io-client 4.8.4; SQLite;
eCabinet as served by ``ecabinet serve`` (decision 0009: start-up objects frozen, the
collector's thresholds 50,000/20/20, no permessage-deflate); bare as the library ships
(deflate on, Python's collector).

    bench/meeting_app.py --clients 1000 --voters 500 --rounds 20 --repeat 2  (1 process)
        before the collector's thresholds were raised (same command):
        agenda, 1,000 tablets   p99 ms  bare 254 / 281   eCabinet 195 / 260
    after:
    bench/meeting_app.py --clients 1000 --rounds 100 --repeat 1 --only agenda
        agenda, 1,000 tablets, 100 changes: median 66.2 / 45.7 ms, p99 296.1 / 77.2 ms
        (bare / eCabinet: 3.84x), server CPU 11.6 / 6.7 s
    bench/meeting_app.py --clients 1000 --voters 500 --rounds 20 --repeat 1
            --redis redis://127.0.0.1:6379/14
      1 process:   agenda p99 258.7 / 84.4 ms (3.07x), median 58.0 / 47.5
                   vote 500: last ack 104 / 558 ms, tally 500 of 500
                   reconnect 500: all back in 1.04 / 1.97 s
      2 processes + Redis: agenda p99 293.4 / 96.0 ms (3.06x), median 65.2 / 56.6
                   vote 500: last ack 160 / 812 ms, tally 500 of 500
                   reconnect 500: all back in 1.71 / 2.09 s
    (earlier in the day, before ballots were batched: 200 ballots took 20 s.)

Encrypted secret ballots (2026-12-06, issue 16; the machine shared with other agents,
load average 3-6 on its 2 cores, so these are upper bounds): the seed runs the guardians'
key ceremony, opens the secret vote and encrypts the 500 ballots (as the tablets do); the
server checks every ballot's proofs before counting; the tally is decrypted after the run
by two guardians and must give 167/167/166.

    bench/meeting_app.py --clients 500 --voters 500 --repeat 3 --only vote --no-bare
        vote 500, last ack: 2033 / 2626 / 1986 ms (median 2033), server CPU 2.2 s
    ... --server-cpus all  (proofs checked in 2 worker processes)
        vote 500, last ack: 1340 / 1935 / 2079 ms (median 1935), server CPU 1.1 s
            (+ the workers' CPU)
    In-process, no sockets (2 workers): proofs 0.77 s, the batch's transaction 0.48 s.
    One ballot's check is 21 variable-base and 7 fixed-base multiplications (~1.5 ms of
    CPU on a quiet core): the 1 s goal needs both cores and a quiet machine, or batch
    verification of the proofs (to ask of the ballots core).

After the ballot box checks proofs as ballots arrive (decision 0029, "500 ballots within
a second", with every run): 2026-12-07, before = c63af5d and after alternated, load
average 1.9-8.3 from other agents on the 2 cores (no quiet window):

    bench/meeting_app.py --clients 500 --voters 500 --repeat 3 --only vote --no-bare
            --server-cpus all   (and --repeat 1, alternated)
        11 runs each: last ack median 1844 ms before (930-3248), 1776 ms after
        (1001-2443); server process CPU median 0.68 s before, 0.48 s after
        then, load 1.9-4.8, 5 alternated pairs: last ack median 1060 ms before
        (905-1157), 924 ms after (589-1564); server CPU 0.63 / 0.49 s

The bare server does not touch a database: its vote and reconnect rows are the transport's
floor. eCabinet's ballot is checked, counted, audited and numbered in SQL; a reconnecting
tablet's credential and seat are checked and the missed events read.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

PASSWORD = "Bench-pass-1"
NO_LOGIN = "!"
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.meeting import (  # noqa: E402
    CLIENT_CPU,
    CLIENT_DIR,
    SERVER_CPU,
    Processes,
    Servers,
    free_port,
    node_clients,
    p99,
    run_clients,
    run_node,
)

APP_JS = r"""
const { io } = require("socket.io-client");
const readline = require("readline");
const cfg = JSON.parse(process.argv[2]);
const now = () => performance.timeOrigin + performance.now();
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const lines = readline.createInterface({ input: process.stdin });
const waitLine = () => new Promise((r) => lines.once("line", r));
const out = (o) => new Promise((ok) => process.stdout.write(JSON.stringify(o) + "\n", ok));
const M = cfg.meeting;

function open(i) {
  return io(cfg.urls[i % cfg.urls.length] + "/meetings", {
    transports: ["websocket"], reconnection: false, forceNew: true, timeout: 60000,
    auth: { token: cfg.tokens[i] },
  });
}
async function connectAll(n, onEach) {
  const sockets = [];
  for (let i = 0; i < n; i += 50) {
    const batch = [];
    for (let j = i; j < Math.min(n, i + 50); j++) {
      const s = open(j); onEach(s, j); sockets.push(s);
      batch.push(new Promise((ok, ko) => { s.once("connect", ok); s.once("connect_error", ko); }));
    }
    await Promise.all(batch);
    await Promise.all(sockets.slice(i).map(async (s) => {
      const r = await s.timeout(60000).emitWithAck("join", { meeting_id: M });
      if (!r.ok) throw new Error("join refused " + JSON.stringify(r));
      s.lastSeq = r.seq;
    }));
  }
  return sockets;
}

async function agenda() {
  const arrivals = new Map();  // seq -> arrival times
  const sockets = await connectAll(cfg.n, (s) => {
    s.on("event", (e) => {
      s.lastSeq = e.seq;
      if (e.kind !== "agenda") return;
      if (!arrivals.has(e.seq)) arrivals.set(e.seq, []);
      arrivals.get(e.seq).push(now());
    });
  });
  const chair = open(cfg.chair);
  await new Promise((ok) => chair.once("connect", ok));
  let flip = 0;
  const round = async () => {
    const item = cfg.items[++flip % 2];
    const t0 = now();
    const r = await chair.timeout(30000).emitWithAck("agenda", { meeting_id: M, item_id: item });
    if (!r.ok) throw new Error("agenda refused " + JSON.stringify(r));
    const seq = Math.max(...sockets.map((s) => s.lastSeq));
    const deadline = now() + 20000;
    while (((arrivals.get(seq) || []).length < cfg.n) && now() < deadline) await sleep(5);
    await sleep(100);
    return [t0, arrivals.get(seq) || []];
  };
  for (let w = 0; w < 3; w++) await round();
  console.log("READY"); await waitLine();
  const lat = []; let missing = 0;
  const cpu0 = process.cpuUsage();
  for (let i = 0; i < cfg.rounds; i++) {
    const [t0, xs] = await round();
    missing += cfg.n - xs.length; lat.push(...xs.map((t) => t - t0));
  }
  const cpu = process.cpuUsage(cpu0);
  await out({ lat, missing, dup: 0, clientCpu: (cpu.user + cpu.system) / 1e6 });
  for (const s of [...sockets, chair]) s.disconnect();
}

async function vote() {
  const sockets = await connectAll(cfg.n, () => {});
  const chair = open(cfg.chair);
  await new Promise((ok) => chair.once("connect", ok));
  // the secret vote was opened by the seed, after the guardians' key ceremony; its
  // ballots were encrypted there too (what each tablet does before sending)
  const encrypted = JSON.parse(require("fs").readFileSync(cfg.ballots_file, "utf8"));
  const opened = { vote: { id: cfg.vote_id } };
  await sleep(300);
  console.log("READY"); await waitLine();
  const t0 = now();
  const lat = await Promise.all(sockets.map(async (s, i) => {
    const r = await s.timeout(30000).emitWithAck("ballot", {
      meeting_id: M, vote_id: opened.vote.id, ballot: encrypted[i] });
    if (!r.ok) throw new Error("ballot refused " + JSON.stringify(r));
    return now() - t0;
  }));
  const total = now() - t0;
  const closed = await chair.timeout(30000).emitWithAck("vote_close", {
    meeting_id: M, vote_id: opened.vote.id });
  await out({ lat, total, cast: closed.vote.cast, counts: closed.vote.counts,
              state: closed.vote.state });
  for (const s of [...sockets, chair]) s.disconnect();
}

async function reconnect() {
  const sockets = await connectAll(cfg.n, (s) => { s.on("event", (e) => { s.lastSeq = e.seq; }); });
  await sleep(300);
  console.log("READY"); await waitLine();
  const t0 = now();
  for (const s of sockets) s.disconnect();
  const lat = await Promise.all(sockets.map((s) => new Promise((ok, ko) => {
    s.once("connect", async () => {
      const r = await s.timeout(60000).emitWithAck("join", { meeting_id: M, after: s.lastSeq });
      if (!r.ok) ko(new Error("join refused")); else ok(now() - t0);
    });
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


def seed(database_url: str, data_dir: Path, members: int, voters: int = 0) -> dict[str, Any]:
    """A meeting of ``members`` members checked in, started on its first item; with
    ``voters``, the guardians' key ceremony done, a secret vote open and that many
    ballots encrypted (in a file) as the tablets would."""
    os.environ.update(
        ECABINET_DATABASE_URL=database_url,
        ECABINET_DATA_DIR=str(data_dir),
        ECABINET_SECRET_KEY="bench-" + "k" * 40,
    )
    from ecabinet.core import agencies, auth, migrate, users
    from ecabinet.core.agencies import AgencyLevel, Membership, Role
    from ecabinet.core.audit import Actor
    from ecabinet.core.db import make_engine, session_scope
    from ecabinet.core.policy import subject_for
    from ecabinet.core.settings import Settings
    from ecabinet.core.types import utcnow
    from ecabinet.meetings import access, live, service
    from ecabinet.meetings.models import Participant
    from ecabinet.meetings.service import MeetingFields

    settings = Settings.from_env(dict(os.environ))
    engine = make_engine(settings)
    migrate.upgrade(engine)
    actor = Actor.system("bench")
    with session_scope(engine) as s:
        agency = agencies.create_agency(
            s,
            actor,
            code="000.00.00.H01",
            name="Ủy ban nhân dân tỉnh An Giang",
            abbreviation="UBND",
            level=AgencyLevel.province,
            parent_name="",
        )
        assert agency.id is not None
        chair = users.create_user(
            s,
            actor,
            username="chu.tich",
            password=PASSWORD,
            full_name="Chủ tịch",
            title="Chủ tịch",
        )
        clerk = users.create_user(
            s,
            actor,
            username="thu.ky",
            password=PASSWORD,
            full_name="Thư ký",
            title="Chuyên viên",
        )
        for u, role in ((chair, Role.leader), (clerk, Role.clerk)):
            agencies.grant_role(s, actor, user_id=u.id or 0, agency_id=agency.id, role=role)
        now = utcnow()
        people = [
            users.User(
                username=f"tv{i:04}",
                full_name=f"Thành viên {i}",
                password_hash=NO_LOGIN,
                created_at=now,
            )
            for i in range(members)
        ]
        s.add_all(people)
        s.flush()
        s.add_all(
            Membership(user_id=p.id or 0, agency_id=agency.id, role=Role.specialist) for p in people
        )
        subject = subject_for(s, chair)
        meeting = service.create_meeting(
            s,
            actor,
            subject,
            agency_id=agency.id,
            fields=MeetingFields(
                title="Phiên họp UBND tỉnh thường kỳ",
                starts_at=now + timedelta(hours=1),
                chair_id=chair.id or 0,
                secretary_id=clerk.id or 0,
            ),
        )
        assert meeting.id is not None
        view = access.load(s, meeting.id)
        items = [
            service.add_item(
                s, actor, subject, view, title=t, presenter_id=None, planned_minutes=15
            )
            for t in ("Báo cáo kinh tế - xã hội", "Tờ trình dự án đường tỉnh 941")
        ]
        s.add_all(
            Participant(
                meeting_id=meeting.id,
                user_id=p.id or 0,
                role="member",
                rsvp="accepted",
                attendance="present",
                checked_in_at=now,
            )
            for p in people
        )
        s.flush()
        view = access.load(s, meeting.id)
        for p in view.participants:
            if p.user_id == chair.id:
                p.attendance = "present"
                s.add(p)
        service.schedule(s, actor, subject, access.load(s, meeting.id))
        live.start(s, actor, subject, access.load(s, meeting.id))
        tokens = []
        for u in [*people, chair]:
            secret, _ = auth.create_token(
                s,
                auth.Principal(user=u, via="token"),
                name="bench",
                expires_in_days=None,
                client_addr="",
            )
            tokens.append(secret)
        item_ids = [i.id for i in service.items_of(s, meeting.id)]
        world: dict[str, Any] = {
            "meeting": meeting.id,
            "items": item_ids,
            "tokens": tokens,
            "chair": members,
        }
        if voters:
            world |= _secret_vote(s, settings, chair, meeting.id, item_ids[0] or 0, voters)
            (data_dir / "ballots.json").write_text(json.dumps(world.pop("ballots")))
            world["ballots_file"] = str(data_dir / "ballots.json")
    engine.dispose()
    del items
    return world


def _secret_vote(
    s: Any, settings: Any, chair: Any, meeting_id: int, item_id: int, voters: int
) -> dict[str, Any]:
    from ecabinet.core.audit import Actor
    from ecabinet.core.policy import subject_for
    from ecabinet.core.users import User
    from ecabinet.demo import tablets
    from ecabinet.meetings import access, ballots, secret_votes, voting

    def person(user_id: int) -> Any:
        u = s.get(User, user_id)
        return Actor(u.id, u.full_name), subject_for(s, u)

    shares = tablets.ceremony(s, person(chair.id), meeting_id, settings.public_base_url, person)
    vote = voting.open_vote(
        s,
        *person(chair.id),
        access.load(s, meeting_id),
        item_id=item_id,
        question="Thông qua Tờ trình?",
        options=None,
        secret=True,
        rule="cast",
    )
    ctx = secret_votes.context_of(s, vote)
    return {
        "vote_id": vote.id,
        "ballots": [ballots.encrypt_ballot(ctx, i % 3) for i in range(voters)],
        "shares": {i: (uid, share.to_json()) for i, (uid, share) in shares.items()},
    }


def decrypt_tally(database_url: str, world: dict[str, Any]) -> list[int]:
    """The guardians' tablets decrypt the closed vote's total (after the run)."""
    from ecabinet.core.audit import Actor
    from ecabinet.core.db import make_engine, session_scope
    from ecabinet.core.policy import subject_for
    from ecabinet.core.settings import Settings
    from ecabinet.core.users import User
    from ecabinet.demo import tablets
    from ecabinet.meetings import ballots, voting
    from ecabinet.meetings.voting_models import Vote

    engine = make_engine(Settings.from_env(dict(os.environ)))
    shares = {
        int(i): (uid, ballots.GuardianShare.from_json(share))
        for i, (uid, share) in world["shares"].items()
    }
    with session_scope(engine) as s:

        def person(user_id: int) -> Any:
            u = s.get(User, user_id)
            return Actor(u.id, u.full_name), subject_for(s, u)

        vote = s.get(Vote, world["vote_id"])
        tablets.decrypt(s, world["meeting"], vote, shares, person)
        counts = voting.tally(s, vote)
    engine.dispose()
    return counts


class AppServers(Processes):
    """``ecabinet serve`` once or twice (Redis), pinned to the server core."""

    def __init__(self, processes: int, redis_url: str | None, cpus: str = "one") -> None:
        self.ports = [free_port() for _ in range(processes)]
        env = dict(os.environ, ECABINET_LOG_LEVEL="WARNING")
        if redis_url:
            env["ECABINET_REDIS_URL"] = redis_url
        exe = str(Path(sys.executable).parent / "ecabinet")
        pinned = {SERVER_CPU} if cpus == "one" else set(range(os.cpu_count() or 1))
        self.procs = [
            subprocess.Popen(
                [exe, "serve", "--host", "127.0.0.1", "--port", str(port)],
                env=env,
                preexec_fn=lambda: os.sched_setaffinity(0, pinned),
            )
            for port in self.ports
        ]
        import httpx

        deadline = time.monotonic() + 60
        for port in self.ports:
            while True:
                try:
                    if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                if time.monotonic() > deadline:
                    raise RuntimeError("ecabinet did not start")
                time.sleep(0.2)


def run_app(
    script: Path, servers: AppServers, world: dict[str, Any], mode: str, n: int, rounds: int
) -> dict[str, Any]:
    cfg = dict(world, mode=mode, urls=servers.urls, n=n, rounds=rounds)
    return run_node(script, cfg, [p.pid for p in servers.procs])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", default="1000")
    parser.add_argument("--voters", type=int, default=500)
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--postgres", default=None, help="a database URL instead of SQLite")
    parser.add_argument("--redis", default=None, help="also run two processes through Redis")
    parser.add_argument("--only", default="agenda,vote,reconnect")
    parser.add_argument("--no-bare", dest="bare", action="store_false")
    parser.add_argument(
        "--server-cpus",
        default="one",
        choices=("one", "all"),
        help="pin eCabinet to the server core (default) or let it use every core (the "
        "secret vote checks its ballots' proofs in worker processes)",
    )
    args = parser.parse_args()
    os.sched_setaffinity(0, {CLIENT_CPU})
    node_clients()
    script = CLIENT_DIR / "app_clients.js"
    script.write_text(APP_JS)
    bare_script = CLIENT_DIR / "clients.js"
    sizes = [int(n) for n in args.clients.split(",")]
    only = set(args.only.split(","))
    setups = [("1 process", 1, None)] + (
        [("2 processes + Redis", 2, args.redis)] if args.redis else []
    )
    print(
        f"load before: {os.getloadavg()}; database: {'PostgreSQL' if args.postgres else 'SQLite'}"
    )
    for label, processes, redis_url in setups:
        print(f"\n## {label}")
        for mode in ("agenda", "vote", "reconnect"):
            if mode not in only:
                continue
            for n in sizes if mode == "agenda" else [args.voters]:
                print(f"{mode:9}  N={n}   run   all in ms   median ms   p99 ms   server CPU s")
                p99s: dict[str, list[float]] = {"bare": [], "ecabinet": []}
                for run in range(args.repeat):
                    kinds = ["bare", "ecabinet"] if args.bare else ["ecabinet"]
                    for kind in kinds:
                        with tempfile.TemporaryDirectory() as tmp:
                            if kind == "bare":
                                servers: Any = Servers("bare", processes, redis_url, True)
                                try:
                                    r = run_clients(bare_script, servers, mode, n, args.rounds)
                                finally:
                                    servers.close()
                            else:
                                url = args.postgres or f"sqlite:///{tmp}/bench.db"
                                if args.postgres:
                                    _reset_postgres(args.postgres)
                                world = seed(
                                    url,
                                    Path(tmp) / "data",
                                    max(n, args.voters),
                                    voters=n if mode == "vote" else 0,
                                )
                                shares = world.pop("shares", None)
                                servers = AppServers(processes, redis_url, args.server_cpus)
                                try:
                                    r = run_app(script, servers, world, mode, n, args.rounds)
                                finally:
                                    servers.close()
                                if shares is not None:
                                    r["counts"] = decrypt_tally(url, world | {"shares": shares})
                        lat = r["lat"]
                        p99s[kind].append(p99(lat))
                        extra = ""
                        if mode == "vote" and kind == "ecabinet":
                            extra = f"   tally {r['cast']} of {n}: {r['counts']} (decrypted)"
                        if r.get("missing"):
                            extra += f"   {r['missing']} missing"
                        print(
                            f"  {kind:8} {run + 1:3}   {r.get('total', max(lat)):9.1f}   "
                            f"{statistics.median(lat):9.1f} {p99(lat):8.1f}   {r['cpu']:12.2f}"
                            + extra
                        )
                if args.bare:
                    b, e = (statistics.median(p99s[k]) for k in ("bare", "ecabinet"))
                    print(f"  p99, median of runs: bare {b:.1f}, eCabinet {e:.1f}: {b / e:.2f}x")
    print(f"\nload after: {os.getloadavg()}")


def _reset_postgres(url: str) -> None:
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    engine.dispose()


if __name__ == "__main__":
    main()
