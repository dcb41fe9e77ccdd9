"""Database engine and sessions (SQLite by default, PostgreSQL when configured)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy import exc as sa_exc
from sqlalchemy.pool import NullPool, QueuePool
from sqlmodel import Session

from ecabinet.core import errors
from ecabinet.core.settings import Settings

POOL_TIMEOUT = 5
"""Seconds a request waits for a pooled PostgreSQL connection before it is answered 503:
with the database hung, every connection is stuck connecting, and the requests behind them
must not queue for SQLAlchemy's default 30 s on top of the connect timeout."""

POOL_PATIENCE = 30
"""Seconds a request waits for a pooled connection at most while connections keep coming
back to the pool (a burst on a working database, :class:`PatientPool`)."""


class PatientPool(QueuePool):
    """A queue pool that tells a busy database from one that is away. A request that has
    waited :data:`POOL_TIMEOUT` for a connection waits on while some connection came back
    within that time (a burst larger than the pool queues behind a register's lock, say:
    CI answered one of 200 parallel issues 503), up to :data:`POOL_PATIENCE`; when none
    came back (every connection stuck connecting to a hung database) it gives up and the
    request is answered 503 as before."""

    _returned = 0.0

    def _do_return_conn(self, record: Any) -> None:
        self._returned = time.monotonic()
        super()._do_return_conn(record)

    def _do_get(self) -> Any:
        start = time.monotonic()
        while True:
            try:
                return super()._do_get()
            except sa_exc.TimeoutError:
                now = time.monotonic()
                idle = now - self._returned > self._timeout
                if idle or now - start > POOL_PATIENCE:
                    raise


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
        pool_timeout=POOL_TIMEOUT,
        poolclass=PatientPool,
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
    """A session whose transaction commits on success and rolls back on any error; a
    database that cannot be reached (see :func:`is_outage`) comes out as
    :func:`unavailable`, so every caller (HTTP, sockets, public pages) answers it alike.

    ``write=False`` is for read-only work: on SQLite it does not take the write lock.
    """
    bind = engine.execution_options(sqlite_immediate=True) if write else engine
    with Session(bind, expire_on_commit=False) as session:
        session.info[WRITE] = write
        try:
            yield session
            session.commit()
        except BaseException as exc:
            outage = is_outage(exc)
            try:
                session.rollback()
            except Exception:  # a connection that is gone cannot roll back either
                if not outage:
                    raise
            if outage:
                raise unavailable() from exc
            raise


def check(engine: Engine) -> None:
    """Readiness: raise :class:`errors.Unavailable` when the database cannot be reached."""
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception as exc:
        raise unavailable() from exc


def unavailable() -> errors.Unavailable:
    """The database cannot be reached or did not answer in time (503, ``Retry-After``)."""
    return errors.Unavailable(
        "database.unavailable",
        "Cơ sở dữ liệu tạm thời không truy cập được. Vui lòng thử lại sau.",
        "The database cannot be reached right now. Try again later.",
        {"service": "database", "retry_after": errors.RETRY_AFTER},
    )


_PG_OUTAGE_CLASSES = ("08", "53", "57P")
"""SQLSTATE prefixes of a database that is away rather than of a bad statement:
connection exceptions, insufficient resources (too many connections, disk full), and
the server shutting down or not yet accepting connections."""
_PG_OUTAGE_STATES = frozenset({"57014"})
"""Query cancelled: the statement timeout."""
_SQLITE_OUTAGES = frozenset({"SQLITE_CANTOPEN", "SQLITE_BUSY", "SQLITE_IOERR", "SQLITE_FULL"})


def is_outage(exc: BaseException) -> bool:
    """Whether ``exc`` says the database is away (refused, unreachable, timed out, gone
    mid-transaction, out of connections) rather than that a statement is wrong.

    Deadlocks and serialization failures are not outages: they are bugs in lock order,
    kept as 500s with their traceback."""
    if isinstance(exc, sa_exc.DisconnectionError | sa_exc.TimeoutError):
        return True  # a dead pooled connection; no connection free in pool_timeout
    if isinstance(exc, sa_exc.DBAPIError):
        if exc.connection_invalidated:
            return True
        if not isinstance(exc, sa_exc.OperationalError | sa_exc.InterfaceError):
            return False
        return _driver_outage(exc.orig)
    return _driver_outage(exc)


def _driver_outage(orig: BaseException | None) -> bool:
    module = type(orig).__module__
    if module.startswith("psycopg"):
        import psycopg

        if isinstance(orig, psycopg.InterfaceError):  # the connection is closed
            return True
        if not isinstance(orig, psycopg.OperationalError):
            return False
        state = orig.sqlstate
        return state is None or state in _PG_OUTAGE_STATES or state.startswith(_PG_OUTAGE_CLASSES)
    if module == "sqlite3":
        import sqlite3

        name = getattr(orig, "sqlite_errorname", "")
        return isinstance(orig, sqlite3.OperationalError) and (
            name in _SQLITE_OUTAGES or "unable to open database" in str(orig)
        )
    return False
