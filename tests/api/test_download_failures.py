"""A download completes or fails visibly. The S3 server away before the first byte: a 503
with the JSON error (whole file, range, HEAD, the public PDF). The S3 server killed in the
middle: the connection is cut short of its Content-Length, never a complete-looking 200."""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import Engine

from ecabinet.app import create_app
from ecabinet.core.storage import open_store
from tests.conftest import make_settings
from tests.documents.office import office_app
from tests.factories import PASSWORD, make_world
from tests.support.live import serve
from tests.support.s3server import S3Server

pytestmark = pytest.mark.s3
BIG = 32 * 1024 * 1024
"""Larger than what the sockets between S3, the app and the client buffer."""


@pytest.fixture
def s3(tmp_path: Path) -> Iterator[S3Server]:
    server = S3Server(tmp_path / "s3")
    server.start()
    yield server
    server.stop()


@pytest.fixture
def site(
    tmp_path: Path, database_url: str, engine: Engine, s3: S3Server
) -> Iterator[tuple[httpx.Client, dict[str, int]]]:
    """The app on S3 under uvicorn, logged in as the clerk, with a small and a large file."""
    settings = make_settings(
        tmp_path / "data",
        database_url,
        storage_url=s3.storage_url("ecabinet"),
        reminder_minutes="0",
    )
    world = make_world(engine)
    app = create_app(settings, engine=engine, store=open_store(settings))
    with serve(app) as base, httpx.Client(base_url=base, timeout=60) as client:
        r = client.post("/api/v1/auth/login", json={"username": "clerk", "password": PASSWORD})
        client.headers["X-CSRF-Token"] = r.json()["csrf_token"]
        ids = {}
        for name, data in (("small", os.urandom(52_750)), ("big", os.urandom(BIG))):
            r = client.post(
                f"/api/v1/files?agency_id={world.province.id}&filename={name}.pdf",
                content=data,
                headers={"Content-Type": "application/pdf"},
            )
            assert r.status_code == 201, r.text
            ids[name] = r.json()["id"]
        yield client, ids


def _is_503(r: httpx.Response) -> None:
    assert r.status_code == 503, r.status_code
    if r.request.method != "HEAD":
        assert r.json()["code"] == "storage.unavailable"
        assert r.json()["message"]["vi"] and r.json()["message"]["en"]
    assert int(r.headers["Retry-After"]) > 0


def test_s3_down_is_503_before_the_body(
    site: tuple[httpx.Client, dict[str, int]], s3: S3Server, caplog: pytest.LogCaptureFixture
) -> None:
    client, ids = site
    url = f"/api/v1/files/{ids['small']}/content"
    assert client.get(url).content  # served while S3 is up
    s3.stop()
    caplog.clear()
    _is_503(client.get(url))
    _is_503(client.get(url, headers={"Range": "bytes=100-200"}))
    _is_503(client.head(url))
    lines = [r for r in caplog.records if "storage.unavailable" in r.getMessage()]
    assert len(lines) == 3 and not [r for r in caplog.records if r.exc_info]

    ready = client.get("/readyz")  # lists and search still work: degraded, not down
    assert ready.status_code == 200
    assert ready.json()["status"] == "degraded"
    assert ready.json()["checks"]["storage"]["status"] == "unavailable"
    assert ready.json()["checks"]["database"]["status"] == "ok"
    assert client.get("/api/v1/files/" + str(ids["small"])).status_code == 200

    s3.start()
    assert len(client.get(url).content) == 52_750
    assert client.get("/readyz").json()["status"] == "ok"


@pytest.mark.parametrize("ranged", [False, True])
def test_s3_killed_mid_download_cuts_the_connection(
    site: tuple[httpx.Client, dict[str, int]],
    s3: S3Server,
    ranged: bool,
    caplog: pytest.LogCaptureFixture,
) -> None:
    client, ids = site
    headers = {"Range": f"bytes=1000-{BIG - 1000}"} if ranged else {}
    got = 0
    with (
        pytest.raises(httpx.RemoteProtocolError),
        client.stream("GET", f"/api/v1/files/{ids['big']}/content", headers=headers) as r,
    ):
        assert r.status_code == (206 if ranged else 200)
        declared = int(r.headers["Content-Length"])
        for chunk in r.iter_raw(64 * 1024):
            if not got:
                s3.stop()  # killed with the rest of the object still to send
            got += len(chunk)
    assert 0 < got < declared  # the client saw the short read as an error
    cut = [r for r in caplog.records if "download cut short" in r.getMessage()]
    assert len(cut) == 1 and cut[0].levelno == logging.WARNING
    assert not [r for r in caplog.records if r.exc_info], "no traceback in the log"


def test_public_pdf_with_s3_down_is_503(
    tmp_path: Path, database_url: str, engine: Engine, s3: S3Server, pdf: bytes
) -> None:
    with office_app(tmp_path, database_url, engine, storage_url=s3.storage_url("public")) as office:
        doc_id = int(office.issue_on_paper(pdf, abstract="Quyết định công khai").json()["id"])
        assert office.step("p.clerk", doc_id, "publish").status_code == 200
        slug = office.client.get("/api/v1/public/documents").json()["items"][0]["slug"]
        url = f"/api/v1/public/documents/{slug}/pdf"
        assert office.client.get(url).content == pdf
        s3.stop()
        _is_503(office.client.get(url))
        _is_503(office.client.get(url, headers={"Range": "bytes=0-99"}))
        assert office.client.get("/api/v1/public/documents").status_code == 200
        page = office.client.get(f"/cong-khai/{slug}")  # served, without its report
        assert page.status_code == 200 and "<li>—</li>" in page.text
        s3.start()
        page = office.client.get(f"/cong-khai/{slug}")  # the dash was not kept
        assert page.status_code == 200 and "<li>—</li>" not in page.text
