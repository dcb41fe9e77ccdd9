"""``/metrics``: the Prometheus text exposition, for Prometheus only.

Who may read it: with ``ECABINET_METRICS_TOKEN`` set, a request carrying
``Authorization: Bearer <token>`` (Prometheus's ``authorization`` setting); without one,
only a request from this machine (a loopback address) that no proxy forwarded (none of
the forwarding headers): a reverse proxy on the same host forwards the internet from
loopback too. Anyone else gets a 401 or 403.

What is read at scrape time, from this process: the database pool, each dependency's
readiness and the queues of mail and SMS in the database (two cheap counts each).
"""

from __future__ import annotations

import hmac
import ipaddress
import logging
import time
from collections.abc import Callable, Iterator
from typing import Any

import anyio.to_thread
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy import Engine
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from documents.notification_delivery import queue_sizes
from ecabinet.api.framework import AppContext
from ecabinet.core import errors, metrics
from ecabinet.core.db import session_scope

log = logging.getLogger("ecabinet.metrics")
FORWARDING_HEADERS = ("forwarded", "x-forwarded-for", "x-real-ip", "x-forwarded-host")
Readiness = Callable[[AppContext], dict[str, str]]


def route(ctx: AppContext, readiness: Readiness) -> Route:
    """The ``GET /metrics`` route of the app built on ``ctx``."""
    scraped = CollectorRegistry(auto_describe=False)
    scraped.register(_AtScrape(ctx, readiness))

    async def page(request: Request) -> Response:
        allow(request, ctx.settings.metrics_token)
        body = await anyio.to_thread.run_sync(lambda: exposition(ctx.engine, scraped))
        return Response(body, media_type=CONTENT_TYPE_LATEST, headers={"Cache-Control": "no-store"})

    return Route("/metrics", page, methods=["GET"])


def allow(request: Request, token: str | None) -> None:
    """Refuse whoever is not Prometheus (see the module's docstring)."""
    if token is not None:
        scheme, _, sent = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not hmac.compare_digest(sent.strip(), token):
            raise errors.NotAuthenticated(
                "metrics.token_required",
                "Cần mã truy cập của Prometheus để đọc số liệu giám sát.",
                "Reading the metrics needs Prometheus's bearer token.",
            )
        return
    host = request.client.host if request.client else ""
    forwarded = any(name in request.headers for name in FORWARDING_HEADERS)
    if forwarded or not _loopback(host):
        raise errors.PermissionDenied(
            "metrics.forbidden",
            "Số liệu giám sát chỉ đọc được từ chính máy chủ này (hoặc đặt ECABINET_METRICS_TOKEN).",
            "The metrics are served to this machine only (or set ECABINET_METRICS_TOKEN).",
        )


def _loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class PoolGauges:
    """Sets the pool's gauges after a request, at most every :attr:`every` seconds."""

    every = 1.0

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.last = 0.0

    def __call__(self) -> None:
        now = time.monotonic()
        if now - self.last >= self.every:
            self.last = now
            refresh_pool(self.engine)


def refresh_pool(engine: Engine) -> None:
    """Set the database pool's gauges from the pool (a queue pool; others have none)."""
    pool: Any = engine.pool
    if not hasattr(pool, "checkedout"):
        return
    size = pool.size()
    metrics.DB_POOL_SIZE.set(size)
    metrics.DB_POOL_MAX.set(size + max(0, getattr(pool, "_max_overflow", 0)))
    metrics.DB_POOL_CHECKED_OUT.set(pool.checkedout())
    metrics.DB_POOL_OVERFLOW.set(max(0, pool.overflow()))


def exposition(engine: Engine, scraped: CollectorRegistry) -> bytes:
    """The text of ``/metrics``: every process's metrics (several processes: added up
    from ``PROMETHEUS_MULTIPROC_DIR``) and what is read now."""
    refresh_pool(engine)
    now = generate_latest(scraped)  # first: its readiness probe times the store
    if metrics.multiprocess():
        from prometheus_client import multiprocess

        kept = CollectorRegistry()
        multiprocess.MultiProcessCollector(kept)  # type: ignore[no-untyped-call]
        return generate_latest(kept) + now
    return generate_latest(REGISTRY) + now


class _AtScrape(Collector):
    """Figures that live elsewhere, read when Prometheus asks."""

    def __init__(self, ctx: AppContext, readiness: Readiness) -> None:
        self.ctx = ctx
        self.readiness = readiness

    def collect(self) -> Iterator[GaugeMetricFamily]:
        ready = GaugeMetricFamily(
            "ecabinet_ready",
            "1 when the dependency answers (as /readyz reports).",
            labels=["check"],
        )
        for check, outcome in self.readiness(self.ctx).items():
            ready.add_metric([check], 1.0 if outcome == "ok" else 0.0)
        yield ready
        queue = GaugeMetricFamily(
            "ecabinet_notification_queue",
            "Notification messages waiting to be sent, by channel (e-mail, SMS).",
            labels=["channel"],
        )
        try:
            with session_scope(self.ctx.engine, write=False) as session:
                sizes = queue_sizes(session)
        except Exception:  # the database is down: ecabinet_ready says so
            log.warning("metrics: the notification queues could not be counted")
            sizes = {}
        for channel, size in sizes.items():
            queue.add_metric([channel], float(size))
        yield queue
