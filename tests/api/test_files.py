import hashlib
import os

from sqlalchemy import Engine
from sqlmodel import select
from starlette.testclient import TestClient

from ecabinet.core.audit import AuditEntry
from ecabinet.core.db import session_scope
from ecabinet.core.files import StoredFile
from tests.factories import login, make_world


def _upload(
    client: TestClient,
    csrf: str,
    agency_id: int,
    data: bytes,
    name: str = "Quyết định số 12.pdf",
    ctype: str = "application/pdf",
) -> dict:
    r = client.post(
        f"/api/v1/files?agency_id={agency_id}&filename={name}",
        content=data,
        headers={"X-CSRF-Token": csrf, "Content-Type": ctype},
    )
    assert r.status_code == 201, r.text
    return dict(r.json())


def test_upload_download_range_etag(app_client: TestClient, engine: Engine) -> None:
    world = make_world(engine)
    assert world.province.id is not None
    csrf = login(app_client, "clerk")
    data = os.urandom(300_000)
    meta = _upload(app_client, csrf, world.province.id, data)
    assert meta["sha256"] == hashlib.sha256(data).hexdigest() and meta["size"] == len(data)
    assert meta["filename"] == "Quyết định số 12.pdf"

    r = app_client.get(f"/api/v1/files/{meta['id']}/content")
    assert r.status_code == 200 and r.content == data
    assert r.headers["etag"] == f'"{meta["sha256"]}"'
    assert "filename*=UTF-8''Quy%E1%BA%BFt" in r.headers["content-disposition"]
    assert r.headers["content-disposition"].startswith("inline")

    r = app_client.get(f"/api/v1/files/{meta['id']}/content", headers={"Range": "bytes=100-199"})
    assert r.status_code == 206 and r.content == data[100:200]
    assert r.headers["content-range"] == f"bytes 100-199/{len(data)}"
    r = app_client.get(f"/api/v1/files/{meta['id']}/content", headers={"Range": "bytes=-10"})
    assert r.status_code == 206 and r.content == data[-10:]
    r = app_client.get(
        f"/api/v1/files/{meta['id']}/content", headers={"Range": f"bytes={len(data)}-"}
    )
    assert r.status_code == 416 and r.headers["content-range"] == f"bytes */{len(data)}"
    r = app_client.get(
        f"/api/v1/files/{meta['id']}/content", headers={"If-None-Match": f'"{meta["sha256"]}"'}
    )
    assert r.status_code == 304

    link = app_client.get(f"/api/v1/files/{meta['id']}/link").json()
    assert link["url"].endswith(f"/api/v1/files/{meta['id']}/content")
    with session_scope(engine, write=False) as s:
        assert "file.upload" in [e.action for e in s.exec(select(AuditEntry))]


def test_files_of_other_agencies_are_not_found(app_client: TestClient, engine: Engine) -> None:
    world = make_world(engine)
    assert world.province.id is not None
    csrf = login(app_client, "clerk")
    meta = _upload(app_client, csrf, world.province.id, b"%PDF-1.7 secret")
    login(app_client, "dept.specialist")
    for suffix in ("", "/content", "/link"):
        r = app_client.get(f"/api/v1/files/{meta['id']}{suffix}")
        assert r.status_code == 404, suffix
    assert app_client.get("/api/v1/files/not-a-uuid").status_code == 404


def test_upload_refusals(app_client: TestClient, engine: Engine) -> None:
    world = make_world(engine)
    csrf = login(app_client, "dept.specialist")
    h = {"X-CSRF-Token": csrf, "Content-Type": "application/pdf"}
    r = app_client.post(
        f"/api/v1/files?agency_id={world.province.id}&filename=a.pdf", content=b"x", headers=h
    )
    assert r.status_code == 403  # the province is visible, but not theirs to upload to
    r = app_client.post("/api/v1/files?agency_id=999&filename=a.pdf", content=b"x", headers=h)
    assert r.status_code == 404
    r = app_client.post("/api/v1/files?agency_id=abc&filename=a.pdf", content=b"x", headers=h)
    assert r.status_code == 422 and r.json()["code"] == "request.bad_query"
    r = app_client.post(
        f"/api/v1/files?agency_id={world.department.id}&filename=", content=b"x", headers=h
    )
    assert r.status_code == 422 and r.json()["code"] == "file.bad_name"
    r = app_client.post(
        f"/api/v1/files?agency_id={world.department.id}&filename=a.pdf",
        content=b"x",
        headers={**h, "Content-Type": "not a type"},
    )
    assert r.status_code == 422 and r.json()["code"] == "file.bad_content_type"
    r = app_client.post(
        f"/api/v1/files?agency_id={world.department.id}&filename=../../etc/passwd",
        content=b"x",
        headers=h,
    )
    assert r.status_code == 201 and r.json()["filename"] == "passwd"


def test_upload_over_the_limit_leaves_nothing(tmp_path, database_url, engine: Engine) -> None:
    from ecabinet.app import create_app
    from ecabinet.core.storage import open_store
    from tests.conftest import make_settings

    settings = make_settings(tmp_path / "small", database_url, max_upload_bytes="1M")
    store = open_store(settings)
    world = make_world(engine)
    with TestClient(create_app(settings, engine=engine, store=store)) as client:
        csrf = login(client, "clerk")

        def chunks():
            for _ in range(40):
                yield b"z" * 65536

        r = client.post(
            f"/api/v1/files?agency_id={world.province.id}&filename=big.bin",
            content=chunks(),
            headers={"X-CSRF-Token": csrf},
        )
        assert r.status_code == 413
        assert r.json()["code"] in ("request.too_large", "upload.too_large")
    assert list(store.iter_keys()) == []
    with session_scope(engine, write=False) as s:
        assert s.exec(select(StoredFile)).all() == []
