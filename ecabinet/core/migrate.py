"""Run the Alembic migrations programmatically (``ecabinet migrate``).

One migration runs at a time per database: on PostgreSQL a session advisory lock held
on a connection of its own for the whole run, on SQLite an exclusive lock on a file
beside the database. Several processes started at once (replicas of a deployment each
running ``ecabinet migrate``) then wait for one another, and the later ones find the
schema up to date.

A downgrade across a revision whose ``downgrade()`` drops data is refused while that data
exists, unless the caller allows the loss: each revision lists what its downgrade drops
in a module-level ``destroys`` (see :class:`Loss` for the form of an entry) and, for
what it drops that is computed from data it keeps or carried over, ``rebuilt``
(tests/test_migration_downgrades.py checks both against what each downgrade drops).
"""

from __future__ import annotations

import fcntl
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.script import Script, ScriptDirectory
from sqlalchemy import Connection, Engine, inspect, text
from sqlalchemy.engine.reflection import Inspector

from ecabinet.core import errors

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"
LOCK_KEY = int.from_bytes(b"ecabmigr", "big")
"""The PostgreSQL advisory lock key of migrations (a fixed 64-bit number)."""

log = logging.getLogger(__name__)


def alembic_config(engine: Engine) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["engine"] = engine
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the database schema to ``revision`` (idempotent), one process at a time."""
    with migration_lock(engine):
        command.upgrade(alembic_config(engine), revision)


def current(engine: Engine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


@dataclass(frozen=True)
class Loss:
    """Rows a downgrade would destroy. An entry of a revision's ``destroys`` reads
    ``table`` (the table is dropped: its rows), ``table.column`` (the column is dropped:
    the rows where it is set) or either followed by ``WHERE condition`` (only the rows
    matching it are lost; a ``table WHERE …`` alone is a delete of those rows)."""

    revision: str
    entry: str
    rows: int

    @property
    def table(self) -> str:
        return self.entry.split(" WHERE ", 1)[0].split(".", 1)[0]


def migrate_to(engine: Engine, revision: str = "head", *, allow_data_loss: bool = False) -> str:
    """Bring the schema up or down to ``revision`` (an id, a unique prefix of one, ``head``
    or ``base``), one process at a time. A downgrade that would destroy rows is refused
    (``migrate.data_loss``, naming the tables and row counts) unless ``allow_data_loss``;
    what it destroys is then logged. Returns ``"upgrade"``, ``"downgrade"`` or ``"none"``."""
    config = alembic_config(engine)
    with migration_lock(engine):
        steps = _downgrade_steps(ScriptDirectory.from_config(config), current(engine), revision)
        if steps is None:
            command.upgrade(config, revision)
            return "upgrade"
        if not steps:
            return "none"
        losses = data_losses(engine, steps)
        if losses and not allow_data_loss:
            raise data_loss(losses)
        for loss in losses:
            log.warning("downgrade destroys %s: %d rows (%s)", loss.entry, loss.rows, loss.revision)
        command.downgrade(config, revision)
        return "downgrade"


def _downgrade_steps(
    script: ScriptDirectory, now: str | None, revision: str
) -> list[Script] | None:
    """The revisions whose downgrade runs from ``now`` to ``revision``, newest first, or
    ``None`` when ``revision`` is not below ``now`` (an upgrade, or nothing to do)."""
    if now is None:
        return None
    target = None if revision == "base" else script.get_revision(revision)
    if target is not None and target.revision == now:
        return []
    steps: list[Script] = []
    step: Script | None = script.get_revision(now)
    while step is not None and (target is None or step.revision != target.revision):
        steps.append(step)
        down = step.down_revision
        assert down is None or isinstance(down, str), "the migrations form one line"
        step = script.get_revision(down) if down else None
    if target is not None and step is None:
        return None
    return steps


def data_losses(engine: Engine, steps: list[Script]) -> list[Loss]:
    """What the downgrades of ``steps`` would destroy in this database now (entries that
    hold no rows left out)."""
    losses: list[Loss] = []
    with engine.connect() as conn:
        schema = inspect(conn)
        tables = set(schema.get_table_names())
        for step in steps:
            for entry in getattr(step.module, "destroys", []):
                rows = _rows(conn, schema, tables, entry)
                if rows:
                    losses.append(Loss(step.revision, entry, rows))
    return losses


def _rows(conn: Connection, schema: Inspector, tables: set[str], entry: str) -> int:
    target, _, condition = entry.partition(" WHERE ")
    table, _, column = target.partition(".")
    if table not in tables:
        return 0
    where = []
    if column:
        if column not in {c["name"] for c in schema.get_columns(table)}:
            return 0
        where.append(f'"{column}" IS NOT NULL')
    if condition:
        where.append(f"({condition})")
    # The names and conditions come from the migrations' own code, never from outside.
    query = f'SELECT count(*) FROM "{table}"'  # noqa: S608
    query += " WHERE " + " AND ".join(where) if where else ""
    return int(conn.execute(text(query)).scalar_one())


def data_loss(losses: list[Loss]) -> errors.Conflict:
    """The refusal of a downgrade that would destroy ``losses``."""
    listed = "; ".join(f"{loss.entry}: {loss.rows} (revision {loss.revision})" for loss in losses)
    tables = sorted({loss.table for loss in losses})
    return errors.Conflict(
        "migrate.data_loss",
        f"Hạ phiên bản cơ sở dữ liệu sẽ xóa dữ liệu của các bảng {', '.join(tables)}"
        f" ({listed}). Sao lưu rồi chạy lại với --allow-data-loss nếu thật sự muốn xóa.",
        f"The downgrade would destroy data in {', '.join(tables)} ({listed})."
        " Back up, then run again with --allow-data-loss to accept the loss.",
        {"losses": [{"revision": x.revision, "entry": x.entry, "rows": x.rows} for x in losses]},
    )


@contextmanager
def migration_lock(engine: Engine) -> Iterator[None]:
    """Hold the database's migration lock (waiting for another holder to finish)."""
    if engine.dialect.name == "postgresql":
        with _pg_lock(engine):
            yield
        return
    path = engine.url.database
    if engine.dialect.name != "sqlite" or not path or path == ":memory:":
        yield
        return
    with open(f"{path}.migrate-lock", "a+b") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            log.warning("waiting for another migration of %s to finish", path)
            fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


@contextmanager
def _pg_lock(engine: Engine) -> Iterator[None]:
    # A session lock on a connection of its own, outside any transaction: the migration
    # runs on another connection and commits as it goes; the lock ends with unlock (or
    # with the connection, should the process die).
    conn = engine.connect().execution_options(isolation_level="AUTOCOMMIT")
    try:
        key = {"key": LOCK_KEY}
        if not conn.execute(text("SELECT pg_try_advisory_lock(:key)"), key).scalar_one():
            log.warning("waiting for another migration of this database to finish")
            conn.execute(text("SELECT pg_advisory_lock(:key)"), key)
        try:
            yield
        finally:
            conn.execute(text("SELECT pg_advisory_unlock(:key)"), key)
    except BaseException:
        conn.invalidate()  # never hand a connection that may hold the lock back to the pool
        raise
    finally:
        conn.close()
