"""A mixed API load against real ``ecabinet serve --workers N`` processes on PostgreSQL.

    .venv/bin/python bench/load_mix.py                               # 1, 2 and 4 workers
    .venv/bin/python bench/load_mix.py --workers 1 --seconds 5       # a quick check
    .venv/bin/python bench/load_mix.py --postgres postgresql+psycopg://postgres@host/postgres

Run by hand, never as a test (issue 15, "Figures for the note"). It creates a database
``ecab_load_<pid>`` on ``--postgres`` (dropped at the end), runs ``ecabinet migrate`` and
``ecabinet demo`` into it with a temporary data folder (local object store there), then for
each worker count starts ``ecabinet serve --workers N`` on a free loopback port, waits for
``/readyz``, sends ``--warmup`` seconds of load (not counted) and ``--seconds`` of load
(counted: the requests that start in it, each to its end) from ``--concurrency``
coroutines over async httpx, and stops the server. Requests per second are over the counted
wall time, until the last counted request ends.

The mix, per operation: 94 % reads by the demo officials (the document list with and
without a search term, a document's detail, the work queue, the meetings list, a meeting,
the notifications), 4 % a clerk uploading a small PDF and registering it as an incoming
document (two requests), 2 % a leader signing a PDF with the demo signing PIN (a file
they uploaded once before the run; each signature is a new file). Every request's latency is
kept by kind: ``read``, ``upload`` (the upload and the registration), ``sign``. Any answer
that is not 2xx/3xx, and any transport failure, is an error, printed by status and route;
no 4xx is expected here, so none counts as a success.

The load generator runs on the same machine as the server and takes CPU from it; its own
share is printed as ``client CPU`` (of one core) so the figures can be read with that in
mind.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import os
import random
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
KINDS = ("read", "upload", "sign")
SEARCH_TERMS = ("báo cáo", "kế hoạch", "quyết định", "chuyển đổi số", "ngân sách")
_numbers = itertools.count(1)  # number symbols of the registered documents, across runs


# ---------------------------------------------------------------- database and server


def ecabinet_command() -> list[str]:
    script = Path(sys.executable).parent / "ecabinet"
    if script.exists():
        return [str(script)]
    return [sys.executable, "-c", "import sys; from ecabinet.cli import main; sys.exit(main())"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def run_cli(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        [*ecabinet_command(), *args], env=env, capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise SystemExit(f"ecabinet {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout


def demo_users(printed: str) -> list[str]:
    """The logins ``ecabinet demo`` prints, after its "Demo logins" line."""
    _, _, logins = printed.partition("Demo logins")
    return re.findall(r"^  (\S+)\s", logins, flags=re.MULTILINE)


@contextlib.contextmanager
def served(env: dict[str, str], workers: int, log: Path):  # type: ignore[no-untyped-def]
    """``ecabinet serve --workers N`` on a free port, ready; its base URL."""
    import httpx

    port = free_port()
    command = [*ecabinet_command(), "serve", "--host", "127.0.0.1", "--port", str(port)]
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [*command, "--workers", str(workers)],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            if proc.poll() is not None:
                raise SystemExit(f"the server stopped ({proc.returncode}):\n{log.read_text()}")
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"{base}/readyz", timeout=5).status_code == 200:
                    break
            if time.monotonic() > deadline:
                raise SystemExit(f"no /readyz 200 within 90 s:\n{log.read_text()}")
            time.sleep(0.3)
        yield base
    finally:
        proc.send_signal(signal.SIGTERM)  # uvicorn's supervisor stops its workers
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)  # the group we started, nothing else
            proc.wait()


# ---------------------------------------------------------------- the load


def small_pdf(n: int) -> bytes:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", size=12)
    pdf.cell(text=f"Cong van den so {n} (bench/load_mix.py)")
    return bytes(pdf.output())


@dataclass
class Session:
    """A logged-in demo official: their client (cookie jar), CSRF token and what they do."""

    username: str
    client: Any  # httpx.AsyncClient
    csrf: str
    user_id: int
    clerk_of: int | None = None  # agency where they register incoming documents
    leader_of: int | None = None  # agency where they sign
    credential_id: str = ""
    to_sign: str = ""  # a file of theirs they sign again and again
    fresh: bool = False  # signing a file twice refused: sign a fresh upload each time
    documents: list[int] = field(default_factory=list)
    meetings: list[int] = field(default_factory=list)

    def headers(self) -> dict[str, str]:
        return {"X-CSRF-Token": self.csrf}


@dataclass
class Record:
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: Counter[tuple[str, str]] = field(default_factory=Counter)
    operations: Counter[str] = field(default_factory=Counter)
    counting: bool = False

    def add(self, counted: bool, kind: str, route: str, status: str, seconds: float) -> None:
        """One request's outcome; ``counted``: it started after the warm-up."""
        if not counted:
            return
        if status.isdigit() and 200 <= int(status) < 400:
            self.latencies[kind].append(seconds)
        else:
            self.errors[(status, route)] += 1


async def call(
    record: Record, kind: str, route: str, s: Session, method: str, url: str, **kw: Any
) -> Any:
    """One request, timed and recorded; the response, or None when it failed."""
    import httpx

    if method != "GET":
        kw["headers"] = s.headers() | kw.get("headers", {})
    counted, started = record.counting, time.perf_counter()
    try:
        r = await s.client.request(method, url, **kw)
    except httpx.HTTPError as exc:
        failed = f"exc:{type(exc).__name__}"
        record.add(counted, kind, route, failed, time.perf_counter() - started)
        return None
    record.add(counted, kind, route, str(r.status_code), time.perf_counter() - started)
    return r if 200 <= r.status_code < 400 else None


async def log_in(base: str, username: str, password: str) -> Session:
    import httpx

    client = httpx.AsyncClient(base_url=base, timeout=120)
    r = await client.post("/api/v1/auth/login", json={"username": username, "password": password})
    if r.status_code != 200:
        raise SystemExit(f"login of {username} failed: {r.status_code} {r.text}")
    me = r.json()
    s = Session(username, client, me["csrf_token"], me["user"]["id"])
    for m in me["memberships"]:
        if "clerk" in m["roles"] and s.clerk_of is None:
            s.clerk_of = m["agency"]["id"]
        if "leader" in m["roles"] and s.leader_of is None:
            s.leader_of = m["agency"]["id"]
    return s


async def upload(record: Record, kind: str, s: Session, agency_id: int) -> str | None:
    n = next(_numbers)
    r = await call(
        record,
        kind,
        "POST /files",
        s,
        "POST",
        f"/api/v1/files?agency_id={agency_id}&filename=cong-van-{n}.pdf",
        content=small_pdf(n),
        headers={"Content-Type": "application/pdf"},
    )
    return None if r is None else str(r.json()["id"])


async def prepare(sessions: list[Session], pin: str) -> None:
    """What each official reads, and for each leader with a personal key a file to sign
    (signed twice here: the bench signs it again and again)."""
    scratch = Record(counting=True)
    for s in sessions:
        r = await s.client.get("/api/v1/documents?limit=50")
        s.documents = [d["id"] for d in r.json()["items"]]
        r = await s.client.get("/api/v1/meetings")
        s.meetings = [m["id"] for m in r.json()["items"]]
        if s.leader_of is None:
            continue
        r = await s.client.get("/api/v1/signing-credentials")
        own = [
            c["id"]
            for c in r.json()["items"]
            if c["kind"] == "personal" and c["user_id"] == s.user_id and not c["disabled_at"]
        ]
        if not own:
            s.leader_of = None
            continue
        s.credential_id = own[0]
        s.to_sign = await upload(scratch, "sign", s, s.leader_of) or ""
        for attempt in range(2):
            r = await s.client.post(
                f"/api/v1/files/{s.to_sign}/sign",
                json={"credential_id": s.credential_id, "pin": pin},
                headers=s.headers(),
            )
            if attempt == 1 and 400 <= r.status_code < 500:
                s.fresh = True
                print(f"  {s.username}: a second signature refused ({r.status_code}): fresh files")
            elif r.status_code != 201:
                raise SystemExit(f"{s.username} cannot sign: {r.status_code} {r.text}")
    if scratch.errors:
        raise SystemExit(f"uploads before the run failed: {dict(scratch.errors)}")


async def read(record: Record, s: Session, rng: random.Random) -> None:
    pick = rng.randrange(7)
    if pick == 0:
        await call(record, "read", "GET /documents", s, "GET", "/api/v1/documents?limit=20")
    elif pick == 1:
        q = rng.choice(SEARCH_TERMS)
        await call(
            record, "read", "GET /documents?q=", s, "GET", "/api/v1/documents",
            params={"q": q, "limit": 20},
        )  # fmt: skip
    elif pick == 2 and s.documents:
        doc = rng.choice(s.documents)
        await call(record, "read", "GET /documents/{id}", s, "GET", f"/api/v1/documents/{doc}")
    elif pick == 3:
        await call(record, "read", "GET /work-queue", s, "GET", "/api/v1/work-queue")
    elif pick == 4:
        await call(record, "read", "GET /meetings", s, "GET", "/api/v1/meetings")
    elif pick == 5 and s.meetings:
        m = rng.choice(s.meetings)
        await call(record, "read", "GET /meetings/{id}", s, "GET", f"/api/v1/meetings/{m}")
    else:
        await call(record, "read", "GET /notifications", s, "GET", "/api/v1/notifications")


async def register(record: Record, s: Session, type_id: int) -> None:
    assert s.clerk_of is not None
    file_id = await upload(record, "upload", s, s.clerk_of)
    if file_id is None:
        return
    n = next(_numbers)
    body = {
        "agency_id": s.clerk_of,
        "type_id": type_id,
        "abstract": f"V/v báo cáo tình hình thực hiện nhiệm vụ (bench {n})",
        "number_symbol": f"{n}/UBND-VP",
        "issuing_agency_name": "Ủy ban nhân dân huyện Châu Thành",
        "issued_on": "2026-11-02",
        "file_id": file_id,
        "register_now": True,
    }
    await call(
        record, "upload", "POST /documents/incoming", s, "POST", "/api/v1/documents/incoming",
        json=body,
    )  # fmt: skip


async def sign(record: Record, s: Session, pin: str) -> None:
    assert s.leader_of is not None
    file_id = await upload(record, "upload", s, s.leader_of) if s.fresh else s.to_sign
    if file_id is None:
        return
    await call(
        record, "sign", "POST /files/{id}/sign", s, "POST", f"/api/v1/files/{file_id}/sign",
        json={"credential_id": s.credential_id, "pin": pin},
    )  # fmt: skip


async def load(
    base: str, args: argparse.Namespace, users: list[str]
) -> tuple[Record, float, float]:
    """Log in, prepare, warm up, then count ``args.seconds`` of load; the record, the
    counted wall seconds (until the last request started in time ends) and the client's
    CPU seconds per wall second over them."""
    from ecabinet.demo import DEMO_PIN
    from ecabinet.demo.seed import DEMO_PASSWORD

    sessions = [await log_in(base, u, DEMO_PASSWORD) for u in users if u != "admin"]
    await prepare(sessions, DEMO_PIN)
    clerks = [s for s in sessions if s.clerk_of is not None]
    leaders = [s for s in sessions if s.leader_of is not None]
    if not clerks or not leaders:
        raise SystemExit("the demo has no clerk or no leader with a signing key")
    r = await clerks[0].client.get("/api/v1/document-types")
    type_id = next(t["id"] for t in r.json()["items"] if t["code"] == "CV")
    record = Record()
    stop = time.monotonic() + args.warmup + args.seconds

    async def worker(i: int) -> None:
        rng = random.Random(args.seed * 1000 + i)
        reader = sessions[i % len(sessions)]
        while time.monotonic() < stop:
            roll = rng.random() * 100
            if roll < args.sign_percent:
                record.operations["sign"] += record.counting
                await sign(record, rng.choice(leaders), DEMO_PIN)
            elif roll < args.sign_percent + args.upload_percent:
                record.operations["upload"] += record.counting
                await register(record, rng.choice(clerks), type_id)
            else:
                record.operations["read"] += record.counting
                await read(record, reader, rng)

    tasks = [asyncio.create_task(worker(i)) for i in range(args.concurrency)]
    await asyncio.sleep(args.warmup)
    record.counting = True
    cpu, wall = time.process_time(), time.monotonic()
    await asyncio.gather(*tasks)
    elapsed = time.monotonic() - wall
    cpu_share = (time.process_time() - cpu) / elapsed
    for s in sessions:
        await s.client.aclose()
    return record, elapsed, cpu_share


# ---------------------------------------------------------------- the table


def percentile(sorted_values: list[float], p: float) -> float:
    """Nearest rank, in milliseconds."""
    if not sorted_values:
        return float("nan")
    rank = max(1, -(-len(sorted_values) * p // 100))
    return sorted_values[int(rank) - 1] * 1000


def rows(workers: int, record: Record, seconds: float, cpu: float) -> list[str]:
    errors = sum(record.errors.values())
    out = []
    for kind in ("all", *KINDS):
        values = sorted(
            itertools.chain.from_iterable(record.latencies.values())
            if kind == "all"
            else record.latencies[kind]
        )
        p50, p95, p99 = (percentile(values, p) for p in (50, 95, 99))
        kind_errors = (
            errors
            if kind == "all"
            else sum(n for (_, route), n in record.errors.items() if _kind_of(route) == kind)
        )
        out.append(
            f"{workers:>7} {kind:<6} {len(values):>8} {len(values) / seconds:>8.1f}"
            f" {p50:>8.1f} {p95:>8.1f} {p99:>8.1f} {kind_errors:>6}"
            + (f"   client CPU {cpu:.0%}" if kind == "all" else "")
        )
    return out


def _kind_of(route: str) -> str:
    if route.endswith("/sign"):
        return "sign"
    if route.startswith("POST"):
        return "upload"
    return "read"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--workers", default="1,2,4", help="worker counts, e.g. 1,2,4")
    parser.add_argument("--seconds", type=float, default=30.0, help="counted load per run")
    parser.add_argument("--warmup", type=float, default=3.0, help="uncounted load first")
    parser.add_argument("--concurrency", type=int, default=16, help="requests in flight")
    parser.add_argument("--upload-percent", type=float, default=4.0)
    parser.add_argument("--sign-percent", type=float, default=2.0)
    parser.add_argument("--seed", type=int, default=15)
    parser.add_argument("--postgres", default=POSTGRES, help="a server's maintenance database")
    parser.add_argument("--redis", help="redis:// URL for the processes (default: none)")
    args = parser.parse_args()
    counts = [int(n) for n in args.workers.split(",")]

    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    load1, load5, load15 = os.getloadavg()
    print(f"nproc {os.cpu_count()}, load average {load1:.2f} {load5:.2f} {load15:.2f}")
    print(
        f"{args.seconds:g} s per run after {args.warmup:g} s warm-up, concurrency"
        f" {args.concurrency}, mix {100 - args.upload_percent - args.sign_percent:g} % reads,"
        f" {args.upload_percent:g} % upload+register, {args.sign_percent:g} % signing"
    )
    name = f"ecab_load_{os.getpid()}"
    admin = create_engine(args.postgres, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        with tempfile.TemporaryDirectory(prefix="ecab-load-") as tmp:
            env = os.environ | {
                "ECABINET_DATABASE_URL": make_url(args.postgres)
                .set(database=name)
                .render_as_string(hide_password=False),
                "ECABINET_DATA_DIR": str(Path(tmp) / "data"),
                "ECABINET_DEMO_MODE": "true",
                "ECABINET_REMINDER_MINUTES": "0",
                "ECABINET_LOG_LEVEL": "WARNING",
            }
            env.pop("ECABINET_STORAGE_URL", None)  # the local store in the data folder
            env.pop("ECABINET_REDIS_URL", None)
            if args.redis:
                env |= {"ECABINET_REDIS_URL": args.redis, "ECABINET_REDIS_CHANNEL": name}
            run_cli(env, "migrate")
            users = demo_users(run_cli(env, "demo"))
            table = []
            for workers in counts:
                with served(env, workers, Path(tmp) / f"serve-{workers}.log") as base:
                    record, elapsed, cpu = asyncio.run(load(base, args, users))
                table += rows(workers, record, elapsed, cpu)
                ops = ", ".join(f"{k} {record.operations[k]}" for k in KINDS)
                print(f"workers {workers}: operations {ops}")
                for (status, route), n in sorted(record.errors.items()):
                    print(f"  error {status} {route}: {n}")
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
    print()
    print(f"{'workers':>7} {'kind':<6} {'requests':>8} {'req/s':>8}"
          f" {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'errors':>6}")  # fmt: skip
    print("\n".join(table))


if __name__ == "__main__":
    main()
