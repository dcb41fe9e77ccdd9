"""One scheduler among all the processes of a deployment (decision 0020).

Every process serves requests; exactly one at a time also runs the scheduled work
(reminders, the meetings' one-hour notices, e-mail and SMS). The processes elect it with
a lock the operating system or the database releases by itself when its holder dies:

- on PostgreSQL, a session-level advisory lock held on a connection of its own (kept
  out of the pool; its ``application_name`` names the holder's host and process id);
- on SQLite, whose processes all share one machine, an exclusive ``flock`` of
  ``<data_dir>/scheduler.lock`` (the file names the holder).

The others try again every ``scheduler_takeover_seconds``; the leader checks as often
that its lock is still held and stops its work when it is not. A killed leader is thus
replaced within that interval. Electing one process keeps the work (and the connections
to the mail server and the SMSC) in one place; that no message goes twice does not rest
on it: each message is claimed in the database before it is sent
(:mod:`documents.notification_delivery`), so even two leaders for a moment — a
partitioned leader still finishing a round — would not send one message twice.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import socket
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import IO, Any, Protocol

import anyio
import anyio.to_thread
from sqlalchemy import Connection, Engine, create_engine, text
from sqlalchemy.pool import NullPool

from ecabinet.core import metrics
from ecabinet.core.db import postgres_connect_args
from ecabinet.core.settings import Settings

log = logging.getLogger("ecabinet.scheduler")

LOCK_KEY = 0x0ECAB1_5C4ED
"""The advisory lock's key (advisory locks are per database, so one deployment's)."""
LOCK_FILE = "scheduler.lock"

_leading = False


def is_leader() -> bool:
    """Whether this process runs the scheduled work now (for ``/metrics``)."""
    return _leading


def _set_leading(leading: bool) -> None:
    global _leading
    _leading = leading
    metrics.SCHEDULER_LEADER.set(1 if leading else 0)


def holder_name() -> str:
    """How a lock names its holder: ``host:pid``."""
    return f"{socket.gethostname()}:{os.getpid()}"


class Lock(Protocol):
    """A lock one process of the deployment holds; freed when the process dies."""

    def acquire(self) -> bool:
        """Take the lock if it is free (never waits); whether this process holds it."""

    def held(self) -> bool:
        """Whether the lock is still this process's (the database may have lost it)."""

    def release(self) -> None:
        """Let the lock go (and close whatever held it)."""


class PostgresLock:
    """A session-level advisory lock on a connection of its own."""

    def __init__(self, settings: Settings) -> None:
        args = postgres_connect_args(settings)
        idle = max(1, settings.scheduler_takeover_seconds)
        args |= {
            "application_name": f"ecabinet-scheduler {holder_name()}"[:63],
            # The connection is idle between checks: keepalives notice a vanished server
            # (client side) and let the server drop the lock of a vanished host (server
            # side, below) within about three takeover intervals, not hours.
            "keepalives": 1,
            "keepalives_idle": idle,
            "keepalives_interval": idle,
            "keepalives_count": 3,
        }
        self._engine: Engine = create_engine(
            settings.database_url,
            poolclass=NullPool,
            isolation_level="AUTOCOMMIT",
            connect_args=args,
        )
        self._idle = idle
        self._conn: Connection | None = None

    def acquire(self) -> bool:
        try:
            if self._conn is None:
                self._conn = self._engine.connect()
                for name, value in (
                    ("tcp_keepalives_idle", self._idle),
                    ("tcp_keepalives_interval", self._idle),
                    ("tcp_keepalives_count", 3),
                ):
                    self._conn.execute(text(f"SET {name} = {int(value)}"))
            got = self._conn.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": LOCK_KEY})
            return bool(got.scalar_one())
        except Exception:
            self.release()  # a broken connection is not kept for the next try
            raise

    def held(self) -> bool:
        if self._conn is None:
            return False
        try:
            row = self._conn.execute(
                text(
                    "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'"
                    " AND pid = pg_backend_pid() AND granted"
                    " AND ((classid::bigint << 32) | objid::bigint) = :k"
                ),
                {"k": LOCK_KEY},
            )
            return bool(row.scalar_one())
        except Exception:
            self.release()
            raise

    def release(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:  # closing the session frees its advisory locks
            with contextlib.suppress(Exception):
                conn.close()
        self._engine.dispose()


class FileLock:
    """An exclusive ``flock`` of a file in the data folder (SQLite: one machine)."""

    def __init__(self, path: Path) -> None:
        self._path = path
        self._file: IO[str] | None = None

    def acquire(self) -> bool:
        if self._file is None:
            self._path.parent.mkdir(parents=True, exist_ok=True)
            self._file = self._path.open("a+", encoding="utf-8")
        try:
            fcntl.flock(self._file, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        self._file.seek(0)
        self._file.truncate()
        self._file.write(holder_name() + "\n")
        self._file.flush()
        return True

    def held(self) -> bool:
        return self._file is not None  # a flock lasts as long as the open file

    def release(self) -> None:
        file, self._file = self._file, None
        if file is not None:
            file.close()  # frees the flock


def lock_for(settings: Settings) -> Lock:
    """The scheduler lock of the configured database."""
    if settings.is_sqlite:
        return FileLock(settings.data_dir / LOCK_FILE)
    return PostgresLock(settings)


async def lead(lock: Lock, work: Callable[[], Coroutine[Any, Any, None]], *, every: float) -> None:
    """Forever: try to take ``lock`` every ``every`` seconds; while this process holds it,
    run ``work`` (which runs until cancelled) and check every ``every`` seconds that the
    lock is still held, cancelling ``work`` when it is not. A failing database is logged
    in one line per try, never raised. Cancelling ``lead`` releases the lock."""
    try:
        while True:
            if not await anyio.to_thread.run_sync(_try, lock.acquire, "take"):
                await anyio.sleep(every)
                continue
            log.info("this process (%s) now runs the scheduled work", holder_name())
            _set_leading(True)
            try:
                async with anyio.create_task_group() as group:
                    group.start_soon(work)
                    while True:
                        await anyio.sleep(every)
                        if not await anyio.to_thread.run_sync(_try, lock.held, "check"):
                            break
                    group.cancel_scope.cancel()
            finally:
                _set_leading(False)
            log.warning("this process lost the scheduler lock; standing by")
            await anyio.to_thread.run_sync(lock.release)
    finally:
        _set_leading(False)
        with anyio.CancelScope(shield=True):
            await anyio.to_thread.run_sync(lock.release)


def _try(step: Callable[[], bool], what: str) -> bool:
    try:
        return step()
    except Exception as exc:  # the database is down: one line, no traceback
        log.warning("cannot %s the scheduler lock: %s", what, _one_line(exc))
        return False


def _one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    return f"{type(exc).__name__}: {text[:200]}"
