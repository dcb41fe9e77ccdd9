"""An empty database of the engine under test, for a test that needs its own."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, text


@contextmanager
def own_database(data: Path, prefix: str = "ecabinet_b") -> Iterator[str]:
    """A SQLite file in ``data``, or a new PostgreSQL database with
    ECABINET_TEST_DB=postgres (dropped afterwards); yields its URL."""
    from tests.conftest import POSTGRES_URL, TEST_DB

    if TEST_DB != "postgres":
        yield f"sqlite:///{data / 'live.db'}"
        return
    name = f"{prefix}_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield POSTGRES_URL.rsplit("/", 1)[0] + "/" + name
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
