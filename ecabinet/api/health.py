"""Liveness and readiness (see docs/operations.md, "Health and readiness").

- ``/healthz``: the process answers. It touches no dependency, so an outage of the
  database, the object store or Redis never gets a live process restarted.
- ``/readyz``: each dependency's status and latency. Only the database is essential:
  without it nothing works, and the answer is 503 (take the process out of the load
  balancer). An object store or Redis that is away leaves lists, search and the meeting
  room's reads working: the answer is 200 with ``"status": "degraded"``.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import anyio
import anyio.to_thread
from sqlalchemy import Engine
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from ecabinet.core import db, errors
from ecabinet.core.settings import Settings
from ecabinet.core.storage import ObjectStore

PROBE_TIMEOUT = 2.5
"""Seconds a dependency has to answer a probe: ``/readyz`` answers within this whatever
hangs (compose's health check gives it 3 s)."""
ESSENTIAL = frozenset({"database"})


def probes(settings: Settings, engine: Engine, store: ObjectStore) -> dict[str, Callable[[], None]]:
    """Each dependency's probe: raises :class:`errors.Unavailable` when it is away."""
    found: dict[str, Callable[[], None]] = {
        "database": lambda: db.check(engine),
        "storage": store.check,
    }
    if settings.redis_url:
        url = settings.redis_url
        found["redis"] = lambda: redis_check(url)
    return found


def readiness(settings: Settings, engine: Engine, store: ObjectStore) -> dict[str, str]:
    """Each dependency's state now, ``ok`` or its error code, probed one after the other
    (for ``/metrics``, which runs in a worker thread)."""
    states: dict[str, str] = {}
    for name, probe in probes(settings, engine, store).items():
        try:
            probe()
            states[name] = "ok"
        except errors.DomainError as exc:
            states[name] = exc.code
    return states


def routes(settings: Settings, engine: Engine, store: ObjectStore) -> list[BaseRoute]:
    async def healthz(_request: Request) -> Response:
        return JSONResponse({"status": "ok"})

    async def readyz(_request: Request) -> Response:
        checks = await probe_all(probes(settings, engine, store))
        return JSONResponse(verdict(checks), status_code=200 if ready(checks) else 503)

    return [
        Route("/healthz", healthz, methods=["GET"]),
        Route("/readyz", readyz, methods=["GET"]),
    ]


async def probe_all(probes: dict[str, Callable[[], None]]) -> dict[str, dict[str, Any]]:
    """Run every probe at once, each in a worker thread bounded by :data:`PROBE_TIMEOUT`;
    ``{name: {"status": "ok"|"unavailable", "latency_ms": ..., "code"?: ...}}``."""
    checks: dict[str, dict[str, Any]] = {}

    async def run(name: str, probe: Callable[[], None]) -> None:
        started = time.perf_counter()
        result: dict[str, Any] = {"status": "unavailable", "code": f"{name}.timeout"}
        with anyio.move_on_after(PROBE_TIMEOUT):
            try:
                await anyio.to_thread.run_sync(probe, abandon_on_cancel=True)
                result = {"status": "ok"}
            except errors.DomainError as exc:
                result = {"status": "unavailable", "code": exc.code}
        result["latency_ms"] = round((time.perf_counter() - started) * 1000, 1)
        checks[name] = result

    async with anyio.create_task_group() as tg:
        for name, probe in probes.items():
            tg.start_soon(run, name, probe)
    return {name: checks[name] for name in probes}


def ready(checks: dict[str, dict[str, Any]]) -> bool:
    """Ready while every essential dependency answers."""
    return all(checks[name]["status"] == "ok" for name in ESSENTIAL if name in checks)


def verdict(checks: dict[str, dict[str, Any]]) -> dict[str, Any]:
    if not ready(checks):
        status = "unavailable"
    elif all(c["status"] == "ok" for c in checks.values()):
        status = "ok"
    else:
        status = "degraded"
    return {"status": status, "checks": checks}


def redis_check(url: str) -> None:
    """Readiness of Redis: a PING within :data:`PROBE_TIMEOUT`."""
    import redis

    client: Any = redis.Redis.from_url(
        url, socket_timeout=PROBE_TIMEOUT, socket_connect_timeout=PROBE_TIMEOUT
    )
    try:
        client.ping()
    except Exception as exc:
        raise errors.Unavailable(
            "redis.unavailable",
            "Redis tạm thời không truy cập được.",
            "Redis cannot be reached right now.",
            {"service": "redis"},
        ) from exc
    finally:
        client.close()
