"""The S3 server dies in the middle of an upload: a clear error, and no row points at nothing."""

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import Engine
from sqlmodel import select

from ecabinet.app import create_app
from ecabinet.core.db import session_scope
from ecabinet.core.files import StoredFile
from ecabinet.core.storage import open_store
from tests.conftest import make_settings
from tests.factories import PASSWORD, make_world
from tests.support.live import serve
from tests.support.s3server import S3Server


@pytest.mark.s3
def test_s3_dies_mid_upload(tmp_path: Path, database_url: str, engine: Engine) -> None:
    server = S3Server(tmp_path / "s3")
    server.start()
    try:
        settings = make_settings(
            tmp_path / "data", database_url, storage_url=server.storage_url("ecabinet")
        )
        store = open_store(settings)
        world = make_world(engine)
        with (
            serve(create_app(settings, engine=engine, store=store)) as base,
            httpx.Client(base_url=base, timeout=60) as client,
        ):
            r = client.post("/api/v1/auth/login", json={"username": "clerk", "password": PASSWORD})
            csrf = r.json()["csrf_token"]
            ok = client.post(
                f"/api/v1/files?agency_id={world.province.id}&filename=ok.pdf",
                content=b"%PDF-1.7 ok",
                headers={"X-CSRF-Token": csrf},
            )
            assert ok.status_code == 201

            def body() -> Iterator[bytes]:
                for i in range(64):
                    if i == 20:
                        server.stop()
                    yield bytes([i]) * (1024 * 1024)

            r = client.post(
                f"/api/v1/files?agency_id={world.province.id}&filename=big.pdf",
                content=body(),
                headers={"X-CSRF-Token": csrf, "Content-Type": "application/pdf"},
            )
            assert r.status_code == 503
            assert r.json()["code"] == "storage.unavailable"
            assert r.json()["message"]["vi"] and r.json()["message"]["en"]
            ready = client.get("/readyz")
            assert ready.status_code == 200 and ready.json()["status"] == "degraded"
            assert ready.json()["checks"]["storage"]["status"] == "unavailable"

        with session_scope(engine, write=False) as s:
            rows = s.exec(select(StoredFile)).all()
        assert [r.filename for r in rows] == ["ok.pdf"]
        server.start()
        for row in rows:  # every row still points at a blob that is there
            assert store.stat(row.sha256) is not None
    finally:
        server.stop()
