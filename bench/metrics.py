"""What watching costs: the per-request overhead of the request id, metrics and access
line (ecabinet.api.observe), and the time of one ``/metrics`` scrape.

    .venv/bin/python bench/metrics.py [--requests 3000] [--rounds 5]

The app is called in-process through ASGI (no network, no server), on a fresh SQLite
data folder: ``GET /healthz`` (a route that does nothing, so that the overhead shows) and
``GET /api/v1/documents/{id}`` unauthenticated (a templated route), each ``--requests``
times per round, with and without :class:`~ecabinet.api.observe.Observe`; the access lines
go to a null stream in JSON. Printed: the median over the rounds of the mean microseconds
per request, and the median of ``--rounds`` scrapes of ``/metrics``.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


async def _call(app: Any, path: str, headers: list[tuple[bytes, bytes]]) -> int:
    status = 0

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": headers,
        "client": ("127.0.0.1", 5000),
        "server": ("127.0.0.1", 8000),
        "state": {},
    }
    await app(scope, receive, send)
    return status


async def _per_request(app: Any, path: str, n: int) -> float:
    headers = [(b"host", b"bench")]
    start = time.perf_counter()
    for i in range(n):
        await _call(app, path.format(i=i), headers)
    return (time.perf_counter() - start) / n * 1e6


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=3000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()

    from ecabinet.app import create_app
    from ecabinet.core import logs, migrate
    from ecabinet.core.db import make_engine
    from ecabinet.core.settings import Settings

    logs.configure("INFO", "json", io.StringIO())
    data = Path(tempfile.mkdtemp(prefix="bench-metrics-"))
    settings = Settings.from_env(
        {"ECABINET_DATA_DIR": str(data), "ECABINET_REMINDER_MINUTES": "0"}
    ).with_secret()
    engine = make_engine(settings)
    migrate.upgrade(engine)
    observed = create_app(settings, engine=engine)
    bare = create_app(settings, engine=engine)
    bare.observe = None  # type: ignore[attr-defined]

    async def run() -> None:
        for path in ("/healthz", "/api/v1/documents/{i}"):
            rows: dict[str, list[float]] = {"with": [], "without": []}
            for _ in range(args.rounds):
                rows["without"].append(await _per_request(bare, path, args.requests))
                rows["with"].append(await _per_request(observed, path, args.requests))
            w, wo = statistics.median(rows["with"]), statistics.median(rows["without"])
            print(f"{path:<28} without {wo:7.1f} µs  with {w:7.1f} µs  overhead {w - wo:6.1f} µs")
        scrapes = []
        for _ in range(args.rounds):
            start = time.perf_counter()
            await _call(observed, "/metrics", [(b"host", b"bench")])
            scrapes.append((time.perf_counter() - start) * 1000)
        print(f"/metrics scrape (SQLite, this process): median {statistics.median(scrapes):.1f} ms")

    asyncio.run(run())
    engine.dispose()


if __name__ == "__main__":
    main()
