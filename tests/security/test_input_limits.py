"""Findings 12 and 13: hostile request bodies, ids and text never cost a 500 or a
gigabyte (on SQLite and PostgreSQL alike: run under both ``ECABINET_TEST_DB``)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from pydantic import BaseModel
from sqlalchemy import Engine
from starlette.requests import Request
from starlette.testclient import TestClient

from ecabinet.api.framework import AppContext, Call
from ecabinet.core import errors
from ecabinet.core.settings import Settings
from ecabinet.core.storage import ObjectStore
from tests.documents.office import Office, office_app
from tests.factories import login, make_world

CHUNK = 64 * 1024
BIG = [2**31, 2**63, 10**30]
JSON = {"Content-Type": "application/json"}


@pytest.fixture
def office(tmp_path: Path, database_url: str, engine: Engine) -> Iterator[Office]:
    with office_app(tmp_path, database_url, engine) as app:
        yield app


class _Name(BaseModel):
    name: str


def test_f12_json_limit_is_enforced_while_reading(
    settings: Settings, engine: Engine, store: ObjectStore
) -> None:
    """A chunked body (no Content-Length) over the JSON limit stops being read at the
    limit: the server never buffers the rest (up to the 200 MB upload limit)."""
    limit = settings.max_json_bytes
    sent = 0

    async def receive() -> dict[str, object]:
        nonlocal sent
        sent += CHUNK
        return {"type": "http.request", "body": b" " * CHUNK, "more_body": sent < 16 * limit}

    scope = {"type": "http", "method": "POST", "path": "/", "headers": [], "query_string": b""}
    call = Call(Request(scope, receive), AppContext(settings, engine, store), None)
    with pytest.raises(errors.TooLarge):
        asyncio.run(call.body(_Name))
    assert sent <= limit + CHUNK


def test_f12_declared_length_over_the_limit_is_refused_unread(app_client: TestClient) -> None:
    r = app_client.post(
        "/api/v1/auth/login",
        content=b"{" + b" " * 1_100_000 + b"}",
        headers={"Content-Type": "application/json"},
    )
    assert r.status_code == 413 and r.json()["code"] == "request.too_large"
    assert r.json()["message"]["vi"] and r.json()["message"]["en"]


@pytest.mark.parametrize("depth", [65, 100_000])
def test_f13_deep_json_is_a_422(app_client: TestClient, depth: int) -> None:
    body = b"[" * depth + b"]" * depth
    r = app_client.post(
        "/api/v1/auth/login", content=body, headers={"Content-Type": "application/json"}
    )
    assert r.status_code == 422, r.text
    assert r.json()["code"] == "request.too_deep"


def test_f13_moderate_nesting_is_still_read(app_client: TestClient) -> None:
    body = b'{"username": "a", "password": "b", "x": ' + b"[" * 30 + b"]" * 30 + b"}"
    r = app_client.post(
        "/api/v1/auth/login", content=body, headers={"Content-Type": "application/json"}
    )
    assert r.status_code == 422 and r.json()["code"] == "request.invalid"  # the extra field


@pytest.mark.parametrize("big", BIG)
def test_f13_huge_path_ids_are_404(office: Office, big: int) -> None:
    for url in [
        f"/api/v1/documents/{big}",
        f"/api/v1/meetings/{big}",
        f"/api/v1/users/{big}",
        f"/api/v1/documents/1/files/{big}/content",
    ]:
        r = office.get("p.clerk", url)
        assert r.status_code == 404, (url, r.text)
    r = office.get("p.clerk", f"/api/v1/public/log/entries/{big}")
    assert r.status_code == 404, r.text


@pytest.mark.parametrize("big", BIG)
def test_f13_huge_body_ids_are_422(office: Office, big: int) -> None:
    r = office.draft(None, type_id=big)
    assert r.status_code == 422, r.text
    r = office.draft(None, drafting_unit_id=big)
    assert r.status_code == 422, r.text
    r = office.post("p.admin", "/api/v1/tokens", json={"name": "t", "expires_in_days": big})
    assert r.status_code == 422, r.text


@pytest.mark.parametrize("big", BIG)
def test_f13_huge_query_ids_are_422(office: Office, big: int) -> None:
    for url in [
        f"/api/v1/documents?agency_id={big}",
        f"/api/v1/documents?type_id={big}",
        f"/api/v1/audit?before={big}",
    ]:
        r = office.get("p.admin" if "audit" in url else "p.clerk", url)
        assert r.status_code == 422, (url, r.text)


def test_f13_nul_in_query_filters_is_422(office: Office) -> None:
    for url in [
        "/api/v1/documents?signer=a%00b",
        "/api/v1/documents?q=quy%00et",
        "/api/v1/documents?urgency=%00",
        "/api/v1/public/documents?q=a%00",
        "/api/v1/public/documents?nguoi_ky=%00",
    ]:
        r = office.get("p.clerk", url)
        assert r.status_code == 422, (url, r.text)
        assert r.json()["code"] == "request.bad_text"
    r = office.client.get("/cong-khai?q=a%00")
    assert r.status_code == 422


def test_f13_nul_in_path_is_404_or_422(office: Office) -> None:
    r = office.get("p.clerk", "/api/v1/files/%00abc")
    assert r.status_code in (404, 422), r.text


@pytest.mark.parametrize("bad", ["a\u0000b", "\ud800"])
def test_f13_nul_and_lone_surrogates_in_json_are_422(office: Office, bad: str) -> None:
    # json.dumps escapes both as \\u0000 and \\ud800: valid JSON, hostile text.
    raw = json.dumps({"name": bad}).encode()
    r = office.post("p.admin", "/api/v1/tokens", content=raw, headers=JSON)
    assert r.status_code == 422, r.text
    assert r.json()["code"] == "request.bad_text"
    r = office.post("p.admin", "/api/v1/tokens", json={"name": "ok"})
    assert r.status_code == 201, r.text


def test_f13_login_with_nul_is_422_without_login(app_client: TestClient, engine: Engine) -> None:
    make_world(engine)
    r = app_client.post("/api/v1/auth/login", json={"username": "admin\u0000", "password": "x"})
    assert r.status_code == 422
    login(app_client, "admin")


def _package(pdf: bytes, **changes: object) -> bytes:
    import datetime as dt

    from documents.edxml import Attachment, DocumentMessage, Organ, build_document

    base: dict[str, object] = {
        "sender": Organ(organ_id="000.00.00.H01", name="UBND tỉnh Bên Ngoài"),
        "recipients": (Organ(organ_id="000.00.00.H99", name="UBND tỉnh Thử Nghiệm"),),
        "code_number": "12",
        "code_notation": "QĐ-UBND",
        "promulgation_date": dt.date(2026, 3, 5),
        "subject": "Về việc điều động cán bộ",
        "attachments": (Attachment(name="qd.pdf", content_type="application/pdf", data=pdf),),
    }
    return build_document(DocumentMessage(**(base | changes)))  # type: ignore[arg-type]


@pytest.mark.parametrize("big", [2**31, 2**63, 10**30])
def test_f13_huge_numbers_in_an_edxml_package_are_no_500(
    office: Office, pdf: bytes, big: int
) -> None:
    url = f"/api/v1/documents/import-edxml?agency_id={office.agencies['p'].id}"
    xml = {"Content-Type": "application/xml"}
    r = office.post("p.clerk", url, content=_package(pdf, code_number=str(big)), headers=xml)
    assert r.status_code == 201, r.text
    assert r.json()["number"] is None
