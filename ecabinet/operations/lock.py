"""One maintenance lock per deployment: a backup (shared) and a storage sweep (exclusive)
never run at once, so a sweep cannot delete a blob a backup's snapshot still refers to."""

from __future__ import annotations

import fcntl
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Engine, text

from ecabinet.core.db import check
from ecabinet.core.settings import Settings

LOCK_ID = 0x0EC4_B1_0B
"""The PostgreSQL advisory lock key (any number no other part of the app uses)."""


@contextmanager
def maintenance_lock(engine: Engine, settings: Settings, *, exclusive: bool) -> Iterator[None]:
    """Hold the lock (waiting for it) while the block runs: a PostgreSQL advisory lock held
    by one connection, or on SQLite a file lock beside the database in the data folder."""
    if settings.is_sqlite:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        with open(settings.data_dir / ".maintenance.lock", "a+") as f:
            fcntl.flock(f, fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH)
            try:
                yield
            finally:
                fcntl.flock(f, fcntl.LOCK_UN)
        return
    fn = "pg_advisory_lock" if exclusive else "pg_advisory_lock_shared"
    check(engine)  # a database that cannot be reached is a clear 'unavailable'
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text(f"SELECT {fn}(:key)"), {"key": LOCK_ID})
        try:
            yield
        finally:
            conn.execute(text(f"SELECT {fn.replace('lock', 'unlock')}(:key)"), {"key": LOCK_ID})
