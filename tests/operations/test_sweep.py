"""``ecabinet storage sweep``: unreferenced blobs and temporary uploads older than the
grace period go, referenced and young ones stay; a dry run removes nothing; unfinished
S3 multipart uploads are aborted."""

from __future__ import annotations

import io
import os
import time
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlmodel import select

from ecabinet.cli import main
from ecabinet.core.audit import AuditEntry
from ecabinet.core.db import make_engine, session_scope
from ecabinet.core.settings import Settings
from ecabinet.core.storage import ObjectStore, open_store
from ecabinet.core.storage_local import LocalStore
from ecabinet.core.storage_s3 import S3Store
from ecabinet.core.types import utcnow
from ecabinet.operations.references import BLOB_COLUMNS
from ecabinet.operations.sweep import sweep
from tests.conftest import make_settings
from tests.factories import make_world, stored_file
from tests.support.s3server import S3Server

DAY = 24 * 3600


def _age(store: LocalStore, sha256: str, seconds: float) -> None:
    path = store.root / "blobs" / sha256[:2] / sha256
    then = time.time() - seconds
    os.utime(path, (then, then))


def _referenced(engine: Engine, store: ObjectStore, data: bytes) -> str:
    return stored_file(engine, store, make_world(engine).province.id, data)


def test_old_orphans_go_referenced_and_young_ones_stay(
    tmp_path: Path, settings: Settings, engine: Engine
) -> None:
    store = open_store(settings)
    assert isinstance(store, LocalStore)
    kept = _referenced(engine, store, b"referenced")
    old = store.put_bytes(b"orphan from a crash").sha256
    young = store.put_bytes(b"upload on its way to its row").sha256
    _age(store, kept, 3 * DAY)
    _age(store, old, 2 * DAY)
    _age(store, young, 3600)
    leftover = store.tmp / uuid.uuid4().hex
    leftover.write_bytes(b"half an upload")
    os.utime(leftover, (time.time() - 2 * DAY,) * 2)
    fresh_leftover = store.tmp / uuid.uuid4().hex
    fresh_leftover.write_bytes(b"an upload under way")

    dry = sweep(engine, store, settings, dry_run=True)
    assert (dry.orphans.count, dry.temporary.count, dry.young_orphans.count) == (1, 1, 1)
    assert sorted(store.iter_keys()) == sorted([kept, old, young]) and leftover.exists()

    report = sweep(engine, store, settings)
    assert report.orphans.count == 1 and report.orphans.bytes == len(b"orphan from a crash")
    assert report.temporary.count == 1 and report.referenced == 1
    assert sorted(store.iter_keys()) == sorted([kept, young])
    assert not leftover.exists() and fresh_leftover.exists()
    with session_scope(engine, write=False) as session:
        entry = session.exec(select(AuditEntry).where(AuditEntry.action == "storage.sweep")).one()
    assert "1 unreferenced blob(s)" in entry.summary


def test_storing_an_old_blob_again_restarts_its_grace(settings: Settings, engine: Engine) -> None:
    store = open_store(settings)
    assert isinstance(store, LocalStore)
    sha = store.put_bytes(b"the same content, uploaded again").sha256
    _age(store, sha, 2 * DAY)
    store.put_bytes(b"the same content, uploaded again")  # its row is on its way
    assert sweep(engine, store, settings).orphans.count == 0
    assert list(store.iter_keys()) == [sha]


@pytest.mark.s3
def test_s3_sweep_aborts_unfinished_multipart_uploads(
    tmp_path: Path, database_url: str, s3_server: S3Server
) -> None:
    settings = make_settings(
        tmp_path, database_url, storage_url=s3_server.storage_url(f"sw-{uuid.uuid4().hex[:10]}")
    )
    engine = make_engine(settings)
    store = open_store(settings)
    assert isinstance(store, S3Store)
    kept = _referenced(engine, store, b"referenced")
    orphan = store.put_bytes(b"orphan").sha256
    # What a process killed in the middle of a large upload leaves: a multipart upload
    # with a part, never completed nor aborted, and a temporary object.
    client = store.client
    upload_id = client._create_multipart_upload(store.bucket, "tmp/killed", {})
    client._upload_part(store.bucket, "tmp/killed", b"x" * 5 * 1024 * 1024, None, upload_id, 1)
    client.put_object(store.bucket, "tmp/left", io.BytesIO(b"half"), 4)
    later = utcnow() + timedelta(hours=25)  # S3 keeps its own times: sweep from tomorrow

    dry = sweep(engine, store, settings, dry_run=True, now=later)
    assert (dry.orphans.count, dry.temporary.count, dry.multipart.count) == (1, 1, 1)
    assert not sweep(engine, store, settings).orphans.count  # all young today

    report = sweep(engine, store, settings, now=later)
    assert (report.orphans.count, report.temporary.count, report.multipart.count) == (1, 1, 1)
    assert list(store.iter_keys()) == [kept]
    assert list(store.list_leftovers()) == []
    assert orphan not in set(store.iter_keys())
    engine.dispose()


def test_every_blob_column_is_listed() -> None:
    """Each model column named like a blob hash is one the sweep reads."""
    from sqlmodel import SQLModel

    import ecabinet.app  # noqa: F401  (every table)

    named = {
        (t.name, c.name)
        for t in SQLModel.metadata.tables.values()
        for c in t.columns
        if c.name == "sha256" or c.name.endswith("_sha256")
    }
    assert ("stored_file", "sha256") in named and ("publication", "sha256") in named
    assert named <= set(BLOB_COLUMNS)


def test_cli_dry_run(database_url: str, cli_env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    store = open_store(make_settings(cli_env, database_url))
    assert isinstance(store, LocalStore)
    sha = store.put_bytes(b"orphan").sha256
    _age(store, sha, 2 * 3600)
    assert main(["storage", "sweep", "--grace", "1", "--dry-run"]) == 0
    assert "would remove 1 unreferenced blob(s)" in capsys.readouterr().out
    assert list(store.iter_keys()) == [sha]
    assert main(["storage", "sweep", "--grace", "1"]) == 0
    assert list(store.iter_keys()) == []
