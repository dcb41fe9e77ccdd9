"""Database engine and sessions (SQLite by default, PostgreSQL when configured)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.pool import NullPool, QueuePool
from sqlmodel import Session

from ecabinet.core import errors
from ecabinet.core.settings import Settings


def make_engine(settings: Settings) -> Engine:
    """Create the engine for the configured database, with SQLite tuned for concurrent use."""
    if settings.is_sqlite:
        path = settings.database_url.removeprefix("sqlite:///")
        on_disk = bool(path) and path != ":memory:"
        if on_disk:
            settings.data_dir.mkdir(parents=True, exist_ok=True)
        engine = create_engine(
            settings.database_url,
            connect_args={"timeout": 30, "check_same_thread": False},
            # Kept open between transactions: opening a file and setting it up costs
            # about 1.5 ms, as much as a small transaction (a tablet joining a meeting).
            poolclass=QueuePool if on_disk else NullPool,
            **({"pool_size": 8, "max_overflow": 40, "pool_timeout": 60} if on_disk else {}),
        )
        event.listen(engine, "connect", _sqlite_on_connect)
        event.listen(engine, "begin", _sqlite_on_begin)
        return engine
    return create_engine(
        settings.database_url,
        pool_pre_ping=True,
        pool_size=settings.db_pool_size,
        max_overflow=settings.db_max_overflow,
        # A server that does not answer fails the checkout instead of hanging a request.
        pool_timeout=settings.db_connect_timeout + 5,
        connect_args=postgres_connect_args(settings),
    )


def postgres_connect_args(settings: Settings) -> dict[str, Any]:
    """libpq parameters of every PostgreSQL connection: the connect and statement
    timeouts of the settings, and one plan per query.

    psycopg prepares a statement run five times on a connection, and PostgreSQL may then
    plan it once for any value: a full-text search's generic plan walked every row for a
    rare word (bench/public.py: 8 -> 22-38 ms, decision 0010). Each query is planned with
    its values instead (about 0.1-1 ms).
    """
    options = ["-c plan_cache_mode=force_custom_plan"]
    if settings.db_statement_timeout > 0:
        options.append(f"-c statement_timeout={round(settings.db_statement_timeout * 1000)}")
    return {"connect_timeout": settings.db_connect_timeout, "options": " ".join(options)}


def _sqlite_on_connect(dbapi_connection: Any, _record: Any) -> None:
    # Let SQLAlchemy own transactions: pysqlite's own BEGIN handling would defer the
    # write lock and turn concurrent writers into "database is locked" errors.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def _sqlite_on_begin(connection: Any) -> None:
    # Writers take the write lock at BEGIN, so read-then-write transactions (numbering,
    # the audit chain) queue on busy_timeout instead of failing on lock upgrade in WAL
    # mode; readers stay deferred and run beside them.
    if connection.get_execution_options().get("sqlite_immediate"):
        connection.exec_driver_sql("BEGIN IMMEDIATE")
    else:
        connection.exec_driver_sql("BEGIN")


WRITE = "ecabinet.write"
"""``session.info`` key: the transaction was opened to write (see :func:`writing`)."""


def writing(session: Session) -> bool:
    """Whether the session's transaction was opened to write: services lock the rows they
    will change first, so that every writer takes its locks in the same order."""
    return bool(session.info.get(WRITE))


@contextmanager
def session_scope(engine: Engine, *, write: bool = True) -> Iterator[Session]:
    """A session whose transaction commits on success and rolls back on any error.

    ``write=False`` is for read-only work: on SQLite it does not take the write lock.
    """
    bind = engine.execution_options(sqlite_immediate=True) if write else engine
    with Session(bind, expire_on_commit=False) as session:
        session.info[WRITE] = write
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


def check(engine: Engine) -> None:
    """Readiness: raise :class:`errors.Unavailable` when the database cannot be reached."""
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception as exc:
        raise errors.Unavailable(
            "database.unavailable",
            "Không kết nối được cơ sở dữ liệu.",
            "The database cannot be reached.",
        ) from exc
