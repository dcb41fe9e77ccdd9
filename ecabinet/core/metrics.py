"""The process's Prometheus metrics (prometheus-client), defined once here.

Counters and histograms are kept as work happens; figures that live elsewhere (queues in
the database, the connection pool, readiness) are read when ``/metrics`` is scraped
(:mod:`ecabinet.api.metrics_page`).

Several processes (``ecabinet serve --workers N``): with ``PROMETHEUS_MULTIPROC_DIR``
set in the environment before start, prometheus-client keeps every process's values in
files there and ``/metrics``, whichever process answers, adds them up. Gauges say how:
``livesum`` adds the living processes' values, ``liveall`` keeps one series per process
(label ``pid``). ``ecabinet serve`` empties the folder before the processes start (before
this module is imported: prometheus-client opens its files at once); each process removes
its live gauges when it stops (:func:`process_stopped`).
"""

from __future__ import annotations

import os
from collections.abc import Callable

from prometheus_client import Counter, Gauge, Histogram, disable_created_metrics
from sqlalchemy import event
from sqlmodel import Session

# A ``_created`` series beside each counter and histogram doubles them for nothing.
disable_created_metrics()  # type: ignore[no-untyped-call]

LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)

HTTP_REQUESTS = Counter(
    "ecabinet_http_requests",
    "HTTP requests answered, by route template and status.",
    ["method", "route", "status"],
)
HTTP_LATENCY = Histogram(
    "ecabinet_http_request_duration_seconds",
    "Time from a request's arrival to the end of its response, by route template.",
    ["method", "route"],
    buckets=LATENCY_BUCKETS,
)
DB_POOL_SIZE = Gauge(
    "ecabinet_db_pool_size", "Connections the pool keeps open.", multiprocess_mode="liveall"
)
DB_POOL_MAX = Gauge(
    "ecabinet_db_pool_max",
    "Most connections the pool hands out at once (size plus overflow).",
    multiprocess_mode="liveall",
)
DB_POOL_CHECKED_OUT = Gauge(
    "ecabinet_db_pool_checked_out",
    "Connections in use by a transaction.",
    multiprocess_mode="liveall",
)
DB_POOL_OVERFLOW = Gauge(
    "ecabinet_db_pool_overflow",
    "Connections open beyond the pool's size.",
    multiprocess_mode="liveall",
)
STORE_LATENCY = Histogram(
    "ecabinet_store_operation_duration_seconds",
    "Object store calls, by operation (a stream: until its last chunk).",
    ["operation"],
    buckets=LATENCY_BUCKETS,
)
STORE_ERRORS = Counter(
    "ecabinet_store_errors",
    "Object store calls that failed because the store did (not a missing blob).",
    ["operation"],
)
SOCKETS = Gauge(
    "ecabinet_realtime_sockets",
    "Socket.IO connections, by namespace.",
    ["namespace"],
    multiprocess_mode="livesum",
)
ROOMS = Gauge(
    "ecabinet_realtime_meeting_rooms",
    "Meeting rooms with at least one socket (per process, added up).",
    multiprocess_mode="livesum",
)
EVENTS = Counter(
    "ecabinet_realtime_events",
    "Socket.IO events broadcast to a room, by event name (rate(): events per second).",
    ["event"],
)
DELIVERIES = Counter(
    "ecabinet_realtime_deliveries",
    "Socket.IO event packets queued on this process's sockets.",
)
BALLOTS = Counter("ecabinet_ballots_cast", "Ballots counted in meeting votes.")
SIGNATURES = Counter(
    "ecabinet_signatures",
    "Signed files registered (officials' signatures and agency seals), by PAdES level.",
    ["level"],
)
PUBLICATION_CONTRADICTIONS = Counter(
    "ecabinet_publication_contradictions",
    "Fields of a publication row found to contradict the publication log (someone changed"
    " the database or the store by hand), by field; the page showed the log's facts.",
    ["field"],
)
# Series at 0 from the start, so that increase() sees the first one (the fields SQL edits
# first; the others appear when they happen).
for _field in ("entry", "file", "sha256", "state", "reason", "abstract"):
    PUBLICATION_CONTRADICTIONS.labels(field=_field)
SCHEDULER_LEADER = Gauge(
    "ecabinet_scheduler_leader",
    "1 in the process that runs scheduled work (reminders, e-mail, SMS), else 0.",
    multiprocess_mode="livesum",
)


def multiprocess() -> bool:
    """Whether prometheus-client keeps values in ``PROMETHEUS_MULTIPROC_DIR`` (it reads
    the variable itself, when it is first imported)."""
    from prometheus_client import values

    return bool(values.ValueClass.__name__ == "MmapedValue")


def process_stopped() -> None:
    """Forget this process's live gauges (several processes only)."""
    if multiprocess():
        from prometheus_client.multiprocess import mark_process_dead

        mark_process_dead(os.getpid())  # type: ignore[no-untyped-call]


_AFTER_COMMIT = "ecabinet.metrics.after_commit"


def after_commit(session: Session, bump: Callable[[], None]) -> None:
    """Run ``bump`` (a counter's increment) once the session's transaction commits, and
    never if it rolls back: a ballot refused at the last moment is not counted."""
    pending: list[Callable[[], None]] | None = session.info.get(_AFTER_COMMIT)
    if pending is None:
        pending = session.info[_AFTER_COMMIT] = []

        def committed(_session: Session) -> None:
            for bump_one in pending:
                bump_one()
            pending.clear()

        def rolled_back(_session: Session, _transaction: object) -> None:
            pending.clear()

        event.listen(session, "after_commit", committed)
        event.listen(session, "after_soft_rollback", rolled_back)
    pending.append(bump)
