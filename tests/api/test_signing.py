"""Signing stored files as the logged-in official, batch signing, and validation reports
(own files, and the public endpoint with its limits)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine
from sqlmodel import select

from ecabinet.core import metrics
from ecabinet.core.audit import AuditEntry
from ecabinet.core.db import session_scope
from ecabinet.core.files import StoredFile
from tests.factories import login
from tests.signing.checks import pdfsig
from tests.support.credentials import PIN, Issuer
from tests.support.signing_app import SigningApp, signing_app


@dataclass
class Setup(SigningApp):
    leader_key: str = ""
    seal_key: str = ""


@pytest.fixture
def setup(tmp_path: Path, database_url: str, engine: Engine, ca: Issuer) -> Iterator[Setup]:
    with signing_app(
        Setup,
        tmp_path,
        database_url,
        engine,
        [ca.ca.root],
        validate_per_minute="4",
        validate_max_bytes="300K",
    ) as app:
        app.leader_key = app.add_pkcs12(
            ca, "Nguyễn Văn Lãnh", user_id=app.world.people["leader"].id
        )
        app.seal_key = app.add_pkcs12(ca, agency_id=app.world.province.id)
        yield app


def _upload(setup: Setup, data: bytes, name: str = "qd.pdf") -> str:
    return setup.upload(data, name)


def _sign(setup: Setup, who: str, file_id: str, **body: object) -> dict[str, Any]:
    r = setup.sign(who, file_id, **body)
    assert r.status_code == 201, r.text
    out: dict[str, Any] = r.json()
    return out


def test_leader_signs_then_a_second_signature_locks(
    setup: Setup, pdf: bytes, engine: Engine
) -> None:
    original = _upload(setup, pdf)
    signed = _sign(
        setup, "leader", original, credential_id=setup.leader_key, box=[330, 60, 530, 150]
    )
    assert signed["filename"] == "qd (đã ký).pdf" and signed["id"] != original
    # (The agency's seal is applied by the issue step, never here: tests/security.)
    locked = _sign(
        setup, "leader", signed["id"], credential_id=setup.leader_key, certify=2, field="Lần 2"
    )
    content = setup.client.get(f"/api/v1/files/{locked['id']}/content").content
    (setup.tmp / "locked.pdf").write_bytes(content)
    report = pdfsig(setup.tmp / "locked.pdf")
    assert report.count("Signature is Valid") == 2, report
    assert report.count("ETSI.CAdES.detached") == 2
    r = setup.client.get(f"/api/v1/files/{locked['id']}/signatures")
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["indication"] == "TOTAL-PASSED" and body["all_passed"]
    first, second = body["signatures"]
    assert (
        first["field"] == "Nguyễn Văn Lãnh" and first["signer"]["common_name"] == "Nguyễn Văn Lãnh"
    )
    assert second["field"] == "Lần 2" and second["permission"] == 2
    text = setup.client.get(f"/api/v1/files/{locked['id']}/signatures?format=text").text
    assert "Kết luận: HỢP LỆ" in text and "Người ký: Nguyễn Văn Lãnh" in text
    with session_scope(engine, write=False) as s:
        signs = s.exec(select(AuditEntry).where(AuditEntry.action == "file.sign")).all()
    assert [e.object_id for e in signs] == [signed["id"], locked["id"]]
    assert "Nguyễn Văn Lãnh" in signs[0].summary


def test_nobody_signs_with_someone_elses_key(setup: Setup, pdf: bytes, engine: Engine) -> None:
    file_id = _upload(setup, pdf)
    for who, expected in (("clerk", 404), ("admin", 403), ("dept.specialist", 404)):
        csrf = login(setup.client, who)
        r = setup.client.post(
            f"/api/v1/files/{file_id}/sign",
            json={"credential_id": setup.leader_key},
            headers={"X-CSRF-Token": csrf},
        )
        # The specialist cannot even see the file; the clerk cannot see the leader's key.
        assert r.status_code == expected, (who, r.text)
    csrf = login(setup.client, "leader")  # nor a seal: only the agency's clerks apply it
    r = setup.client.post(
        f"/api/v1/files/{file_id}/sign",
        json={"credential_id": setup.seal_key},
        headers={"X-CSRF-Token": csrf},
    )
    assert r.status_code == 404
    with session_scope(engine, write=False) as s:
        assert len(s.exec(select(StoredFile)).all()) == 1


def test_batch_signing(setup: Setup, pdf: bytes) -> None:
    ids = [_upload(setup, pdf, f"vb{i}.pdf") for i in range(3)]
    csrf = login(setup.client, "leader")
    signatures = metrics.SIGNATURES.labels("B-B")
    before = signatures._value.get()
    r = setup.client.post(
        "/api/v1/signatures/batch",
        json={"credential_id": setup.leader_key, "file_ids": ids, "page": -1, "pin": PIN},
        headers={"X-CSRF-Token": csrf},
    )
    assert r.status_code == 201, r.text
    assert signatures._value.get() == before + 3  # ecabinet_signatures_total{level="B-B"}
    out = r.json()["files"]
    assert [f["filename"] for f in out] == [f"vb{i} (đã ký).pdf" for i in range(3)]
    for f in out:
        report = setup.client.get(f"/api/v1/files/{f['id']}/signatures").json()
        assert report["indication"] == "TOTAL-PASSED"
    r = setup.client.post(
        "/api/v1/signatures/batch",
        json={"credential_id": setup.leader_key, "file_ids": [ids[0], ids[0]], "pin": PIN},
        headers={"X-CSRF-Token": csrf},
    )
    assert r.status_code == 422 and r.json()["code"] == "signature.bad_batch"


def test_bad_sign_requests(setup: Setup, pdf: bytes, engine: Engine) -> None:
    good = _upload(setup, pdf)
    not_pdf = _upload(setup, b"%PDF-1.7 but not really", "fake.pdf")
    csrf = login(setup.client, "leader")
    h = {"X-CSRF-Token": csrf}
    url = f"/api/v1/files/{good}/sign"
    for body in (
        {"credential_id": setup.leader_key, "page": 0},
        {"credential_id": setup.leader_key, "box": [500, 100, 300, 200]},
        {"credential_id": setup.leader_key, "level": "B-X"},
        {"credential_id": setup.leader_key, "certify": 7},
        {"credential_id": setup.leader_key, "surprise": 1},
        {},
    ):
        r = setup.client.post(url, json=body, headers=h)
        assert r.status_code == 422 and r.json()["code"] == "request.invalid", body
        assert r.json()["message"]["vi"] and r.json()["message"]["en"]
    key = {"credential_id": setup.leader_key, "pin": PIN}
    r = setup.client.post(url, json=key | {"page": 9}, headers=h)
    assert r.status_code == 422 and r.json()["code"] == "signature.bad_page"
    r = setup.client.post(url, json=key | {"level": "B-T"}, headers=h)
    assert r.status_code == 422 and r.json()["code"] == "tsa.missing"
    r = setup.client.post(f"/api/v1/files/{not_pdf}/sign", json=key, headers=h)
    assert r.status_code == 422 and r.json()["code"] == "pdf.invalid"
    r = setup.client.post(
        "/api/v1/files/00000000-0000-0000-0000-000000000000/sign", json=key, headers=h
    )
    assert r.status_code == 404
    with session_scope(engine, write=False) as s:
        assert len(s.exec(select(StoredFile)).all()) == 2  # nothing was added


def test_public_validation_with_its_limits(setup: Setup, pdf: bytes) -> None:
    signed = _sign(setup, "leader", _upload(setup, pdf), credential_id=setup.leader_key)
    data = setup.client.get(f"/api/v1/files/{signed['id']}/content").content
    setup.client.cookies.clear()  # anonymous from here on
    url = "/api/v1/signatures/validate"
    h = {"Content-Type": "application/pdf"}
    r = setup.client.post(url, content=data, headers=h)
    assert r.status_code == 200, r.text
    assert r.json()["indication"] == "TOTAL-PASSED"
    r = setup.client.post(url + "?format=text", content=data, headers=h)
    assert r.headers["content-type"].startswith("text/plain") and "HỢP LỆ" in r.text
    r = setup.client.post(url, content=b"hello", headers=h)
    assert r.status_code == 422 and r.json()["code"] == "pdf.invalid"
    r = setup.client.post(url, content=b"x" * 400_000, headers=h)
    assert r.status_code == 413 and r.json()["code"] == "validate.too_large"
    r = setup.client.post(url, content=data, headers=h)  # the fourth in this minute
    assert r.status_code == 200
    r = setup.client.post(url, content=data, headers=h)
    assert r.status_code == 429 and r.json()["code"] == "validate.rate_limited"
    assert int(r.headers["Retry-After"]) > 0 and r.json()["message"]["vi"]
