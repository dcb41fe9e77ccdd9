"""A login flood and the writers beside it, over HTTP against uvicorn.

    .venv/bin/python bench/login.py [--logins 200] [--parallel 40] [--postgres URL]

Sends ``--logins`` wrong-password logins, ``--parallel`` at a time, each for a name of its
own from one of 50 loopback addresses (so every one is checked with argon2 and written,
none cut short by the throttle), while another thread commits one small audited write
after another, as any service does. Printed: the logins' median and p95 and rate, how many
answers were 5xx, and the other writer's commits during the flood (count, median, p95,
longest), on SQLite and, with --postgres, on PostgreSQL (a database created and dropped
for the run). Decision 0013: before it, argon2 ran inside the SQLite write transaction and
the other writer waited behind every login.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

ADDRESSES = [f"127.0.0.{n}" for n in range(2, 52)]


def p95(values: list[float]) -> float:
    return sorted(values)[max(0, int(len(values) * 0.95) - 1)]


def ms(values: list[float]) -> str:
    if not values:
        return "none"
    return (
        f"median {statistics.median(values) * 1000:.0f} ms, p95 {p95(values) * 1000:.0f} ms,"
        f" longest {max(values) * 1000:.0f} ms"
    )


async def flood(base: str, logins: int, parallel: int) -> list[tuple[int, float]]:
    import httpx

    clients = [
        httpx.AsyncClient(
            base_url=base, timeout=300, transport=httpx.AsyncHTTPTransport(local_address=a)
        )
        for a in ADDRESSES
    ]
    gate = asyncio.Semaphore(parallel)

    async def one(n: int) -> tuple[int, float]:
        async with gate:
            started = time.perf_counter()
            r = await clients[n % len(clients)].post(
                "/api/v1/auth/login", json={"username": f"ghost{n}", "password": "wrong-pass-1"}
            )
            return r.status_code, time.perf_counter() - started

    try:
        return await asyncio.gather(*(one(n) for n in range(logins)))
    finally:
        for client in clients:
            await client.aclose()


def run(database_url: str | None, tmp: Path, logins: int, parallel: int) -> None:
    from ecabinet.app import create_app
    from ecabinet.core import audit, migrate
    from ecabinet.core.db import make_engine, session_scope
    from ecabinet.core.settings import Settings
    from ecabinet.core.storage import open_store
    from tests.support.live import serve

    env = {"ECABINET_DATA_DIR": str(tmp / "app"), "ECABINET_LOG_LEVEL": "WARNING"}
    if database_url:
        env["ECABINET_DATABASE_URL"] = database_url
    settings = Settings.from_env(env).with_secret()
    engine = make_engine(settings)
    migrate.upgrade(engine)
    writer_engine = make_engine(settings)
    done = threading.Event()
    commits: list[float] = []

    def write() -> None:
        n = 0
        while not done.is_set():
            started = time.perf_counter()
            with session_scope(writer_engine) as s:
                audit.record(s, audit.Actor.system("bench"), "bench.write", "bench", n)
            commits.append(time.perf_counter() - started)
            n += 1
            time.sleep(0.005)

    app = create_app(settings, engine=engine, store=open_store(settings))
    with serve(app) as base:
        writer = threading.Thread(target=write)
        writer.start()
        started = time.perf_counter()
        try:
            answers = asyncio.run(flood(base, logins, parallel))
        finally:
            wall = time.perf_counter() - started
            done.set()
            writer.join()
    engine.dispose()
    writer_engine.dispose()
    statuses = [s for s, _ in answers]
    print(f"  logins: {ms([t for _, t in answers])}; {logins / wall:.0f} per second")
    print(f"  answers: {sorted(set(statuses))}, 5xx: {sum(s >= 500 for s in statuses)}")
    print(f"  other writer, {len(commits)} commits: {ms(commits)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--logins", type=int, default=200)
    parser.add_argument("--parallel", type=int, default=40)
    parser.add_argument("--postgres", help="e.g. postgresql+psycopg://postgres@127.0.0.1/test")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        print("SQLite")
        run(None, Path(tmp) / "sqlite", args.logins, args.parallel)
    if args.postgres:
        from sqlalchemy import create_engine, text

        name = f"bench_login_{uuid.uuid4().hex[:8]}"
        admin = create_engine(args.postgres, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        try:
            with tempfile.TemporaryDirectory() as tmp:
                print("PostgreSQL")
                url = args.postgres.rsplit("/", 1)[0] + "/" + name
                run(url, Path(tmp), args.logins, args.parallel)
        finally:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()


if __name__ == "__main__":
    main()
