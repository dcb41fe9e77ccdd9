"""``ecabinet backup`` and ``restore``: a round trip on the engine under test, with the
local store and with S3, while a writer keeps registering files; a damaged or incomplete
backup is refused before anything is written."""

from __future__ import annotations

import json
import shutil
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, text
from sqlmodel import select

from ecabinet.cli import main
from ecabinet.core import errors, migrate
from ecabinet.core.db import make_engine, session_scope
from ecabinet.core.files import StoredFile
from ecabinet.core.settings import Settings
from ecabinet.core.storage import ObjectStore, open_store
from ecabinet.operations import database
from ecabinet.operations.backup import backup
from ecabinet.operations.restore import restore
from tests.conftest import TEST_DB, make_settings
from tests.factories import World, make_world, stored_file
from tests.support.databases import own_database
from tests.support.s3server import S3Server


def _register(engine: Engine, store: ObjectStore, world: World, n: int) -> None:
    stored_file(engine, store, world.province.id, f"%PDF-1.7 văn bản {n} {uuid.uuid4()}".encode())


class Writer(threading.Thread):
    """Registers files until stopped."""

    def __init__(self, engine: Engine, store: ObjectStore, world: World) -> None:
        super().__init__(daemon=True)
        self.engine, self.store, self.world = engine, store, world
        self.stop = threading.Event()
        self.written = 0
        self.started_writing = threading.Event()
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            while not self.stop.is_set():
                _register(self.engine, self.store, self.world, self.written)
                self.written += 1
                if self.written == 3:
                    self.started_writing.set()
        except BaseException as exc:
            self.error = exc
            self.started_writing.set()


def _storage_url(kind: str, request: pytest.FixtureRequest, name: str) -> dict[str, str]:
    if kind == "local":
        return {}
    server: S3Server = request.getfixturevalue("s3_server")
    return {"storage_url": server.storage_url(f"{name}-{uuid.uuid4().hex[:10]}")}


@pytest.fixture(params=["local", pytest.param("s3", marks=pytest.mark.s3)])
def store_kind(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def target(tmp_path: Path) -> Iterator[str]:
    """An empty database for the restore, of the engine under test."""
    folder = tmp_path / "target-db"
    folder.mkdir()
    with own_database(folder, "ecabinet_r") as url:
        yield url


def _expected_format(engine: Engine) -> str:
    """SQLite's file; on PostgreSQL, pg_dump's custom format when its major version is
    the server's (Makefile: postgresql-client), else the CSV tables."""
    if engine.dialect.name == "sqlite":
        return "sqlite"
    with engine.connect() as conn:
        server = str(conn.execute(text("SHOW server_version")).scalar_one())
    tool = database.pg_tool_version("pg_dump")
    return "pg_dump" if tool.split(".")[0] == server.split(".")[0] else "rows"


def _count(engine: Engine) -> int:
    with session_scope(engine, write=False) as session:
        return int(session.exec(select(func.count()).select_from(StoredFile)).one())


def test_round_trip_while_a_writer_runs(
    tmp_path: Path, database_url: str, target: str, store_kind: str, request: pytest.FixtureRequest
) -> None:
    source = make_settings(
        tmp_path / "source", database_url, **_storage_url(store_kind, request, "src")
    )
    engine, store = make_engine(source), open_store(source)
    world = make_world(engine)
    for n in range(5):
        _register(engine, store, world, n)
    writer = Writer(engine, store, world)
    writer.start()
    assert writer.started_writing.wait(60)
    try:
        made = backup(engine, store, source, tmp_path / "backup")
    finally:
        writer.stop.set()
        writer.join(60)
    assert writer.error is None
    total = _count(engine)
    engine.dispose()

    manifest = json.loads((tmp_path / "backup" / "manifest.json").read_text())
    assert manifest["schema_revision"] == made.snapshot.revision
    assert manifest["database"]["format"] == _expected_format(engine)
    assert {"key_encryption_key", "publication_log_key", "secret_key"} <= {
        s["name"] for s in manifest["secrets"]
    }
    assert all(len(v["sha256"]) == 64 for v in manifest["files"].values())

    restored = make_settings(
        tmp_path / "restored", target, **_storage_url(store_kind, request, "dst")
    )
    target_engine, target_store = make_engine(restored), open_store(restored)
    report = restore(target_engine, target_store, restored, tmp_path / "backup")
    assert report.ok, report.summary()
    # The snapshot holds the rows that existed when it was taken: some of the writer's,
    # not those written after it; every one of them has its blob.
    kept = _count(target_engine)
    assert 5 + 3 <= kept <= total
    assert made.objects == kept
    with session_scope(target_engine, write=False) as session:
        for row in session.exec(select(StoredFile)):
            assert target_store.read_bytes(row.sha256)
    assert (tmp_path / "restored" / "key_encryption_key").read_text() == (
        tmp_path / "source" / "key_encryption_key"
    ).read_text()
    assert "[OK] stored files" in report.summary()
    target_engine.dispose()


@pytest.fixture
def made(tmp_path: Path, settings: Settings, engine: Engine, store: ObjectStore) -> Path:
    world = make_world(engine)
    for n in range(3):
        _register(engine, store, world, n)
    backup(engine, store, settings, tmp_path / "backup")
    return tmp_path / "backup"


def _target(tmp_path: Path, url: str) -> tuple[Settings, Engine, ObjectStore]:
    settings = make_settings(tmp_path / "restored", url)
    return settings, make_engine(settings), open_store(settings)


def test_a_tampered_backup_is_refused_before_anything_is_written(
    tmp_path: Path, made: Path, target: str
) -> None:
    settings, engine, store = _target(tmp_path, target)
    body = json.loads((made / "manifest.json").read_text())
    name = next(n for n in body["files"] if n.startswith("objects/"))
    body["files"][name]["sha256"] = "0" * 64
    (made / "manifest.json").write_text(json.dumps(body))
    with pytest.raises(errors.IntegrityFailure) as refused:
        restore(engine, store, settings, made)
    assert refused.value.code == "restore.bad_backup"
    assert name in refused.value.en
    assert database.tables_of(engine) == []
    assert list(store.iter_keys()) == []
    engine.dispose()


def test_a_changed_database_file_is_refused(tmp_path: Path, made: Path, target: str) -> None:
    settings, engine, store = _target(tmp_path, target)
    dump = next(p for p in (made / "database").rglob("*") if p.is_file())
    with open(dump, "ab") as f:
        f.write(b"\0")
    with pytest.raises(errors.IntegrityFailure, match="does not match its SHA-256"):
        restore(engine, store, settings, made)
    assert database.tables_of(engine) == []
    engine.dispose()


def test_a_missing_secret_is_named(tmp_path: Path, made: Path, target: str) -> None:
    settings, engine, store = _target(tmp_path, target)
    (made / "secrets" / "key_encryption_key").unlink()
    with pytest.raises(errors.IntegrityFailure) as refused:
        restore(engine, store, settings, made)
    assert refused.value.code == "restore.missing_secret"
    assert "key_encryption_key" in refused.value.en and "key_encryption_key" in refused.value.vi
    assert database.tables_of(engine) == []
    engine.dispose()


def test_a_non_empty_target_needs_force(tmp_path: Path, made: Path, target: str) -> None:
    settings, engine, store = _target(tmp_path, target)
    assert restore(engine, store, settings, made).ok
    other_data_dir = make_settings(tmp_path / "other", target)
    with pytest.raises(errors.Conflict) as refused:
        restore(engine, store, other_data_dir, made)
    assert refused.value.code == "restore.target_not_empty"
    assert "table" in refused.value.en
    assert restore(engine, store, settings, made, force=True).ok
    engine.dispose()


def test_a_backup_folder_must_be_empty(
    tmp_path: Path, settings: Settings, engine: Engine, store: ObjectStore
) -> None:
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "x").write_text("x")
    with pytest.raises(errors.Conflict):
        backup(engine, store, settings, tmp_path / "full")


@pytest.mark.skipif(TEST_DB != "postgres", reason="the CSV format is PostgreSQL's")
def test_rows_format_round_trip(
    tmp_path: Path, settings: Settings, engine: Engine, store: ObjectStore, target: str
) -> None:
    world = make_world(engine)
    for n in range(3):
        _register(engine, store, world, n)
    made = backup(engine, store, settings, tmp_path / "rows", fmt="rows")
    assert made.snapshot.format == "rows"
    restored, target_engine, target_store = _target(tmp_path, target)
    report = restore(target_engine, target_store, restored, tmp_path / "rows")
    assert report.ok, report.summary()
    assert _count(target_engine) == 3
    # The sequences follow the ids loaded: the next row gets a new one.
    _register(target_engine, target_store, world, 99)
    with target_engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM agency")).scalar() == 2
    target_engine.dispose()


def test_cli_backup_and_restore(
    tmp_path: Path,
    database_url: str,
    target: str,
    cli_env: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    engine = make_engine(make_settings(tmp_path / "data", database_url))
    make_world(engine)
    engine.dispose()
    assert main(["backup", str(tmp_path / "b")]) == 0
    assert "backup written" in capsys.readouterr().out
    monkeypatch.setenv("ECABINET_DATA_DIR", str(tmp_path / "data2"))
    monkeypatch.setenv("ECABINET_DATABASE_URL", target)
    assert main(["restore", str(tmp_path / "b")]) == 0
    out = capsys.readouterr().out
    assert "[OK] audit verify" in out and "restore verified" in out
    assert main(["restore", str(tmp_path / "b")]) == 1  # not empty any more
    shutil.rmtree(tmp_path / "b" / "secrets")
    assert main(["restore", "--force", str(tmp_path / "b")]) == 1
    assert "key_encryption_key" in capsys.readouterr().err


@pytest.mark.skipif(TEST_DB == "postgres", reason="PostgreSQL takes SQLite backups too")
def test_a_postgresql_backup_is_refused_by_sqlite_before_anything_is_written(
    tmp_path: Path, made: Path, target: str
) -> None:
    settings, engine, store = _target(tmp_path, target)
    body = json.loads((made / "manifest.json").read_text())
    body["database"]["format"] = "pg_dump"
    (made / "manifest.json").write_text(json.dumps(body))
    with pytest.raises(errors.InvalidInput) as refused:
        restore(engine, store, settings, made)
    assert refused.value.code == "restore.unsupported"
    assert database.tables_of(engine) == []
    engine.dispose()


@pytest.mark.skipif(TEST_DB != "postgres", reason="restores a SQLite backup onto PostgreSQL")
def test_a_sqlite_backup_restores_onto_postgresql(tmp_path: Path, target: str) -> None:
    source = make_settings(tmp_path / "source", f"sqlite:///{tmp_path / 'source.db'}")
    engine, store = make_engine(source), open_store(source)
    migrate.upgrade(engine)
    world = make_world(engine)
    for n in range(3):
        _register(engine, store, world, n)
    backup(engine, store, source, tmp_path / "b")
    engine.dispose()
    restored, target_engine, target_store = _target(tmp_path, target)
    report = restore(target_engine, target_store, restored, tmp_path / "b")
    assert report.ok, report.summary()  # the audit chain hashes the same times and flags
    assert _count(target_engine) == 3
    _register(target_engine, target_store, world, 99)  # the sequences follow the ids
    assert _count(target_engine) == 4
    target_engine.dispose()


def test_another_key_encryption_key_in_the_environment_is_refused_even_with_force(
    tmp_path: Path, made: Path, target: str
) -> None:
    settings = make_settings(tmp_path / "restored", target, key_encryption_key="k" * 40)
    engine, store = make_engine(settings), open_store(settings)
    with pytest.raises(errors.Conflict, match="ECABINET_KEY_ENCRYPTION_KEY"):
        restore(engine, store, settings, made, force=True)
    assert database.tables_of(engine) == []
    engine.dispose()
