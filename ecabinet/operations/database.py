"""The database part of a backup: a consistent snapshot taken while writers run, and
its restore.

- SQLite: the online backup API copies the database in one read transaction.
- PostgreSQL: one REPEATABLE READ, READ ONLY transaction exports its snapshot; ``pg_dump``
  (custom format) dumps exactly that snapshot when its major version is the server's,
  else each table is copied out as CSV (``COPY … TO STDOUT``) inside the transaction.
  The blobs the snapshot refers to are read in the same transaction.
"""

from __future__ import annotations

import re
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, MetaData, create_engine, inspect, select, text
from sqlmodel import Session, SQLModel

from ecabinet.core import migrate
from ecabinet.operations import errors
from ecabinet.operations.references import referenced

SQLITE_FILE = "ecabinet.db"
PG_DUMP_FILE = "ecabinet.pgdump"
ROWS_DIR = "rows"
DERIVED = frozenset({"alembic_version", "document_search"})
"""Tables the rows format leaves out: the schema revision (the restore migrates to it) and
the search index a trigger rebuilds from ``document_text``."""


@dataclass(frozen=True)
class Snapshot:
    """What the database dump holds."""

    format: str
    """``sqlite``, ``pg_dump`` or ``rows``."""
    revision: str | None
    """The Alembic revision of the snapshot's schema."""
    referenced: frozenset[str]
    """Every blob the snapshot's rows refer to."""
    server_version: str = ""
    """PostgreSQL's version (empty for SQLite)."""
    tool_version: str = ""
    """``pg_dump --version`` for that format."""


def dump(engine: Engine, folder: Path, fmt: str = "auto") -> Snapshot:
    """Write a consistent snapshot of the database into ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    if engine.dialect.name == "sqlite":
        return _dump_sqlite(engine, folder)
    with engine.connect() as conn:
        conn = conn.execution_options(isolation_level="REPEATABLE READ", postgresql_readonly=True)
        with conn.begin():
            snapshot_id = str(conn.execute(text("SELECT pg_export_snapshot()")).scalar_one())
            server = str(conn.execute(text("SHOW server_version")).scalar_one())
            tool = pg_tool_version("pg_dump")
            use_dump = fmt == "pg_dump" or (fmt == "auto" and _major(tool) == _major(server))
            if use_dump:
                _pg_dump(engine, snapshot_id, folder / PG_DUMP_FILE)
            else:
                _copy_out(conn, folder / ROWS_DIR)
            revision = conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
            with Session(bind=conn) as session:
                refs = frozenset(referenced(session))
    return Snapshot(
        "pg_dump" if use_dump else "rows",
        revision,
        refs,
        server_version=server,
        tool_version=tool if use_dump else "",
    )


def _dump_sqlite(engine: Engine, folder: Path) -> Snapshot:
    source = sqlite3.connect(engine.url.database or "")
    target = sqlite3.connect(folder / SQLITE_FILE)
    try:
        with target:
            source.backup(target)  # every page in one step: one read transaction
    finally:
        source.close()
        target.close()
    copy = create_engine(f"sqlite:///{folder / SQLITE_FILE}")
    try:
        revision = migrate.current(copy)
        with Session(copy) as session:
            refs = frozenset(referenced(session))
    finally:
        copy.dispose()
    return Snapshot("sqlite", revision, refs)


def pg_tool_version(tool: str) -> str:
    """``15.20`` from ``pg_dump (PostgreSQL) 15.20 (Debian …)``; empty when absent."""
    found = shutil.which(tool)
    if found is None:
        return ""
    out = subprocess.run([found, "--version"], capture_output=True, text=True, check=False)
    match = re.search(r"(\d+(?:\.\d+)*)", out.stdout)
    return match.group(1) if match else ""


def _major(version: str) -> int | None:
    match = re.match(r"(\d+)", version)
    return int(match.group(1)) if match else None


def _libpq(engine: Engine) -> tuple[str, dict[str, str]]:
    """A libpq URL for the command-line tools, with the password in the environment
    (never on a command line others can read)."""
    url = engine.url
    env = {"PGPASSWORD": url.password} if url.password else {}
    plain = url.set(drivername="postgresql", password=None).render_as_string(hide_password=False)
    return plain, env


def _run(args: list[str], env: dict[str, str]) -> None:
    import os

    done = subprocess.run(
        args, capture_output=True, text=True, check=False, env={**os.environ, **env}
    )
    if done.returncode != 0:
        raise errors.tool_failed(Path(args[0]).name, done.stderr.strip()[-2000:])


def _pg_dump(engine: Engine, snapshot_id: str, path: Path) -> None:
    url, env = _libpq(engine)
    _run(
        [
            shutil.which("pg_dump") or "pg_dump",
            "--format=custom",
            f"--snapshot={snapshot_id}",
            "--no-owner",
            "--no-privileges",
            f"--file={path}",
            f"--dbname={url}",
        ],
        env,
    )


def _tables(conn: Connection) -> list[str]:
    rows = conn.execute(
        text(
            "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() ORDER BY tablename"
        )
    )
    return [str(r[0]) for r in rows]


def _copy_out(conn: Connection, folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    raw: Any = conn.connection.driver_connection
    for table in _tables(conn):
        if table in DERIVED:
            continue
        sql = f'COPY "{table}" TO STDOUT (FORMAT csv, HEADER)'
        with open(folder / f"{table}.csv", "wb") as f, raw.cursor() as cur, cur.copy(sql) as copy:
            for data in copy:
                f.write(data)


# -- restore ---------------------------------------------------------------------------


def tables_of(engine: Engine) -> list[str]:
    """The tables the target database holds (empty: a new database)."""
    return sorted(inspect(engine).get_table_names())


def check_restorable(engine: Engine, snapshot_format: str, dumped_with: str = "") -> None:
    """Refuse, before anything is written, a snapshot this target cannot load: another
    engine, or a ``pg_restore`` older than the ``pg_dump`` (``dumped_with``) that made it."""
    if snapshot_format != "sqlite" and engine.dialect.name != "postgresql":
        raise errors.unsupported(
            "khôi phục bản sao lưu PostgreSQL vào SQLite",
            "restoring a PostgreSQL backup onto SQLite",
        )
    if snapshot_format == "pg_dump":
        tool = pg_tool_version("pg_restore")
        if not tool or (_major(tool) or 0) < (_major(dumped_with) or 0):
            raise errors.unsupported(
                f"pg_restore {tool or '(không có)'} cũ hơn pg_dump {dumped_with} đã tạo bản sao",
                f"pg_restore {tool or '(absent)'} is older than the pg_dump {dumped_with}"
                " that made the backup",
            )


def restore(engine: Engine, folder: Path, snapshot_format: str, revision: str | None) -> None:
    """Load a snapshot (checked by :func:`check_restorable`) into the target database,
    which must be empty (or cleared by :func:`clear`)."""
    if snapshot_format == "sqlite" and engine.dialect.name == "sqlite":
        _restore_sqlite(engine, folder / SQLITE_FILE)
    elif snapshot_format == "sqlite":
        _sqlite_into(engine, folder / SQLITE_FILE, revision)
    elif snapshot_format == "pg_dump":
        url, env = _libpq(engine)
        _run(
            [
                shutil.which("pg_restore") or "pg_restore",
                "--no-owner",
                "--no-privileges",
                "--exit-on-error",
                "--single-transaction",
                f"--dbname={url}",
                str(folder / PG_DUMP_FILE),
            ],
            env,
        )
    else:
        _copy_in(engine, folder / ROWS_DIR, revision)


def clear(engine: Engine) -> None:
    """Empty the target database (``restore --force``)."""
    if engine.dialect.name == "sqlite":
        engine.dispose()
        path = Path(engine.url.database or "")
        for suffix in ("", "-wal", "-shm"):
            Path(str(path) + suffix).unlink(missing_ok=True)
        return
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


def _restore_sqlite(engine: Engine, source_path: Path) -> None:
    engine.dispose()
    path = Path(engine.url.database or "")
    path.parent.mkdir(parents=True, exist_ok=True)
    for suffix in ("-wal", "-shm"):
        Path(str(path) + suffix).unlink(missing_ok=True)
    source = sqlite3.connect(source_path)
    target = sqlite3.connect(path)
    try:
        with target:
            source.backup(target)
    finally:
        source.close()
        target.close()


def _sqlite_into(engine: Engine, path: Path, revision: str | None) -> None:
    """A SQLite snapshot into PostgreSQL: the schema migrated to the snapshot's revision,
    then every table read through the app's models (so times come back as UTC, flags as
    booleans) and inserted in dependency order; the search index follows by trigger."""
    import ecabinet.app  # noqa: F401  (every table in SQLModel.metadata)

    if revision is None:
        raise errors.bad_backup("không rõ phiên bản lược đồ", "its schema revision is unknown")
    if not path.is_file():
        raise errors.bad_backup(f"thiếu {path.name}", f"{path.name} is missing")
    source = create_engine(f"sqlite:///{path}")
    try:
        found = inspect(source)
        tables = [t for t in SQLModel.metadata.sorted_tables if found.has_table(t.name)]
        for table in tables:
            extra = {c["name"] for c in found.get_columns(table.name)} - set(table.columns.keys())
            if extra:  # data the models do not know would be lost
                raise errors.unsupported(
                    f"cột {table.name}.{sorted(extra)[0]} không có trong phiên bản này",
                    f"column {table.name}.{sorted(extra)[0]} is unknown to this version",
                )
        migrate.upgrade(engine, revision)
        present = set(tables_of(engine))
        with engine.begin() as conn, source.connect() as reading:
            names = ", ".join(f'"{t.name}"' for t in tables if t.name in present)
            conn.execute(text(f"TRUNCATE {names} CASCADE"))  # reference rows of migrations
            for table in tables:
                columns = [table.c[c["name"]] for c in found.get_columns(table.name)]
                query = select(*columns)
                rows = reading.execution_options(yield_per=1000).execute(query)
                for batch in rows.partitions():
                    conn.execute(table.insert(), [dict(r._mapping) for r in batch])
                for column in table.primary_key.columns:
                    _follow_sequence(conn, table.name, column.name)
    finally:
        source.dispose()


def _copy_in(engine: Engine, folder: Path, revision: str | None) -> None:
    if revision is None:
        raise errors.bad_backup("không rõ phiên bản lược đồ", "its schema revision is unknown")
    migrate.upgrade(engine, revision)
    meta = MetaData()
    meta.reflect(engine)
    ordered = [t for t in meta.sorted_tables if t.name not in DERIVED]
    with engine.begin() as conn:
        names = ", ".join(f'"{t.name}"' for t in meta.sorted_tables if t.name != "alembic_version")
        conn.execute(text(f"TRUNCATE {names} CASCADE"))  # reference rows the migrations made
        raw: Any = conn.connection.driver_connection
        for table in ordered:
            path = folder / f"{table.name}.csv"
            if not path.exists():
                continue
            with open(path, "rb") as f:
                header = f.readline().decode().strip()
                columns = ", ".join(f'"{c}"' for c in header.split(",") if c)
                with raw.cursor() as cur:
                    sql = f'COPY "{table.name}" ({columns}) FROM STDIN (FORMAT csv)'
                    with cur.copy(sql) as copy:
                        while chunk := f.read(1024 * 1024):
                            copy.write(chunk)
        for table in ordered:
            for column in table.primary_key.columns:
                _follow_sequence(conn, table.name, column.name)


def _follow_sequence(conn: Connection, table: str, column: str) -> None:
    """Move a serial column's sequence past the largest id loaded."""
    sequence = conn.execute(
        text("SELECT pg_get_serial_sequence(:t, :c)"), {"t": f'"{table}"', "c": column}
    ).scalar()
    if sequence is None:
        return
    largest = conn.execute(text(f'SELECT max("{column}") FROM "{table}"')).scalar()  # noqa: S608
    if largest is not None:
        conn.execute(text("SELECT setval(CAST(:s AS regclass), :v)"), {"s": sequence, "v": largest})
