"""Finding 7: the agency's seal is applied only by the issue step of an outgoing document,
by the minutes and conclusion-notice flows, or by an explicit, audited copy step (sao y,
sao lục) — never to any file a clerk can see."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from pypdf import PdfReader
from sqlalchemy import Engine
from sqlmodel import col, select

from documents.models import Document, DocumentFile
from ecabinet.core.audit import AuditEntry
from ecabinet.core.db import session_scope
from ecabinet.core.files import StoredFile
from tests.documents.office import Office, office_app
from tests.signing.checks import pdfsig
from tests.support.credentials import PIN, Issuer
from tests.support.signing_app import SigningApp, signing_app


@pytest.fixture
def app(tmp_path: Path, database_url: str, engine: Engine, ca: Issuer) -> Iterator[SigningApp]:
    with signing_app(SigningApp, tmp_path, database_url, engine, [ca.ca.root]) as app:
        yield app


@pytest.fixture
def office(tmp_path: Path, database_url: str, engine: Engine, ca: Issuer) -> Iterator[Office]:
    with office_app(tmp_path, database_url, engine, (ca.ca.root,)) as found:
        yield found


def _files(engine: Engine) -> int:
    with session_scope(engine, write=False) as s:
        return len(s.exec(select(StoredFile)).all())


def test_f07_a_clerk_cannot_seal_an_arbitrary_file(
    app: SigningApp, ca: Issuer, pdf: bytes, engine: Engine
) -> None:
    seal = app.add_pkcs12(ca, agency_id=app.world.province.id)
    file_id = app.upload(pdf)  # any file the clerk can see
    r = app.sign("clerk", file_id, credential_id=seal)
    assert r.status_code == 422, r.text
    assert r.json()["code"] == "credential.seal_not_here"
    assert "sao y" in r.json()["message"]["vi"] and "copy" in r.json()["message"]["en"]
    r = app.post(
        "clerk",
        "/api/v1/signatures/batch",
        json={"credential_id": seal, "file_ids": [file_id], "pin": PIN},
    )
    assert r.status_code == 422 and r.json()["code"] == "credential.seal_not_here"
    assert _files(engine) == 1


def test_f07_issue_applies_the_seal_with_the_clerks_pin(
    office: Office, ca: Issuer, pdf: bytes
) -> None:
    leader = office.credential(ca, user_id=office.ids["p.leader"])
    office.credential(ca, agency_id=office.agencies["p"].id)
    doc_id = office.draft(pdf).json()["id"]
    office.step("p.spec", doc_id, "submit")
    office.step("p.head", doc_id, "review", leader_id=office.ids["p.leader"])
    office.step("p.leader", doc_id, "approve")
    r = office.step("p.leader", doc_id, "sign", credential_id=leader, pin=PIN)
    assert r.status_code == 200, r.text
    r = office.step("p.clerk", doc_id, "issue")
    assert r.status_code == 422 and r.json()["code"] == "credential.activation_required"
    r = office.step("p.clerk", doc_id, "issue", pin="000000")
    assert r.status_code == 403 and r.json()["code"] == "credential.wrong_pin"
    detail = office.detail("p.clerk", doc_id).json()["document"]
    assert (detail["state"], detail["number"]) == ("signed", None)  # no number taken
    r = office.step("p.clerk", doc_id, "issue", pin=PIN)
    assert r.status_code == 200 and r.json()["number_symbol"] == "01/QĐ-UBND", r.text


def test_f07_the_copy_step(
    office: Office, ca: Issuer, pdf: bytes, engine: Engine, tmp_path: Path
) -> None:
    doc_id = office.issue_signed(ca, pdf)
    url = f"/api/v1/documents/{doc_id}/copies"
    # Only a clerk of the agency holding the document, with the seal's PIN.
    for who, status in (("p.spec", 403), ("p.leader", 403), ("d.clerk", 404)):
        r = office.post(who, url, json={"form": "sao-y", "pin": PIN})
        assert r.status_code == status, (who, r.text)
    r = office.post("p.clerk", url, json={"form": "sao-y"})
    assert r.status_code == 422 and r.json()["code"] == "credential.activation_required"
    r = office.post("p.clerk", url, json={"form": "sao-y", "pin": "000000"})
    assert r.status_code == 403 and r.json()["code"] == "credential.wrong_pin"
    r = office.post("p.clerk", url, json={"form": "ban-sao", "pin": PIN})
    assert r.status_code == 422
    with session_scope(engine, write=False) as s:
        assert s.exec(select(DocumentFile).where(DocumentFile.kind == "copy")).all() == []

    r = office.post("p.clerk", url, json={"form": "sao-y", "pin": PIN})
    assert r.status_code == 201, r.text
    copy = r.json()
    assert copy["kind"] == "copy" and copy["signed"] and "SAO Y" in copy["note"]
    r = office.post("p.clerk", url, json={"form": "sao-luc", "pin": PIN})
    assert r.status_code == 201 and "SAO LỤC" in r.json()["note"]
    files = office.detail("p.clerk", doc_id).json()["files"]
    assert [f["kind"] for f in files].count("copy") == 2
    content = office.get(
        "p.clerk", f"/api/v1/documents/{doc_id}/files/{copy['id']}/content"
    ).content
    path = tmp_path / "copy.pdf"
    path.write_bytes(content)
    assert pdfsig(path).count("Signature is Valid") == 3  # leader, seal, copy
    reader = PdfReader(io.BytesIO(content))
    fields = [f for f in (reader.get_fields() or {}).values() if f.get("/FT") == "/Sig"]
    assert fields[-1]["/V"]["/Reason"] == "SAO Y"
    # At the top right of the first page, no image.
    first = reader.pages[0]
    widget = next(
        a.get_object()
        for a in first.get("/Annots", [])
        if a.get_object().get("/T") == fields[-1]["/T"]
    )
    x1, y1, _, _ = (float(v) for v in widget["/Rect"])
    width, height = float(first.mediabox.width), float(first.mediabox.height)
    assert x1 > width / 2 and y1 > height * 0.8
    with session_scope(engine, write=False) as s:
        actions = [e.action for e in s.exec(select(AuditEntry).order_by(col(AuditEntry.id)))]
        document = s.get(Document, doc_id)
        assert document is not None and document.state == "issued"
    assert actions.count("document.copy") == 2
