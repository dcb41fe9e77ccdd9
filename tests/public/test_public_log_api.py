"""The publication log over HTTP without login: a published document's entry, its
inclusion proof and a consistency proof, checked with the RFC's definitions written in
tests/public/test_merkle.py, and the head's signature with the served public key."""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import load_pem_public_key
from sqlalchemy import Engine

from tests.documents.office import Office, office_app
from tests.public.test_merkle import mth, path, proof


@pytest.fixture
def office(tmp_path: Path, database_url: str, engine: Engine) -> Iterator[Office]:
    with office_app(tmp_path, database_url, engine) as app:
        yield app


def _published(office: Office, pdf: bytes, abstract: str) -> int:
    doc_id = int(office.issue_on_paper(pdf, abstract=abstract).json()["id"])
    assert office.step("p.clerk", doc_id, "publish").status_code == 200
    return doc_id


def test_proofs_over_http_without_login(office: Office, pdf: bytes) -> None:
    copies = [pdf + f"\n% bản {n}\n".encode() for n in range(3)]  # three different files
    ids = [_published(office, copies[n], f"Quyết định về việc công khai số {n}") for n in range(3)]
    r = office.step("p.clerk", ids[1], "withdraw", reason="Ban hành không đúng thẩm quyền")
    assert r.status_code == 200
    office.client.post("/api/v1/auth/logout", headers={"X-CSRF-Token": office._csrf})
    office._who = None
    anon = office.client

    head = anon.get("/api/v1/public/log/head").json()
    assert head["tree_size"] == 4
    key = load_pem_public_key(head["public_key"].encode())
    assert isinstance(key, Ed25519PublicKey)
    key.verify(base64.b64decode(head["signature"]), head["signed"].encode())
    assert f":{head['tree_size']}:{head['root_hash']}:" in head["signed"]

    entries = [
        anon.get(f"/api/v1/public/log/entries/{n}").json()["payload"].encode() for n in range(4)
    ]
    assert mth(entries).hex() == head["root_hash"]
    first = json.loads(entries[0])
    assert first["kind"] == "publish" and first["document_id"] == ids[0]
    assert first["sha256"] == hashlib.sha256(copies[0]).hexdigest()
    assert json.loads(entries[3])["kind"] == "withdraw"
    for n in range(4):
        p = anon.get(f"/api/v1/public/log/proof?seq={n}").json()
        assert [bytes.fromhex(h) for h in p["audit_path"]] == path(n, entries)
    c = anon.get("/api/v1/public/log/consistency?first=2&second=4").json()
    assert [bytes.fromhex(h) for h in c["audit_path"]] == proof(2, entries)

    assert anon.get("/api/v1/public/log/proof?seq=4").status_code == 404
    assert anon.get("/api/v1/public/log/proof?seq=0&size=9").status_code == 422
    assert anon.get("/api/v1/public/log/proof?seq=x").status_code == 422
    assert anon.get("/api/v1/public/log/consistency?first=3&second=2").status_code == 422
    assert anon.get("/api/v1/public/log/entries/99").status_code == 404


def test_verify_says_whether_the_province_published_this_file(office: Office, pdf: bytes) -> None:
    copies = [pdf + f"\n% bản {n}\n".encode() for n in range(2)]
    ids = [_published(office, copies[n], f"Chỉ thị số {n}") for n in range(2)]
    assert (
        office.step("p.clerk", ids[1], "expire", reason="Hết thời hạn thực hiện").status_code == 200
    )
    office.client.post("/api/v1/auth/logout", headers={"X-CSRF-Token": office._csrf})
    anon = office.client

    def verify(data: bytes) -> dict[str, object]:
        r = anon.post(
            "/api/v1/public/verify", content=data, headers={"Content-Type": "application/pdf"}
        )
        assert r.status_code == 200, r.text
        body: dict[str, object] = r.json()
        return body

    one = verify(copies[0])
    assert one["published"] == {
        "document_id": ids[0],
        "slug": one["published"]["slug"],  # type: ignore[index]
        "state": "published",
        "ended_on": None,
        "reason": "",
        "log_seq": 0,
    }
    two = verify(copies[1])["published"]
    assert two["state"] == "expired" and two["reason"] == "Hết thời hạn thực hiện"  # type: ignore[index]
    tampered = copies[0].replace(b"Quy", b"Qux", 1) if b"Quy" in copies[0] else copies[0] + b" "
    assert verify(tampered)["published"] is None
    assert verify(pdf)["published"] is None  # the original bytes were never published
    r = anon.post("/api/v1/public/verify", content=b"", headers={"Content-Type": "application/pdf"})
    assert r.status_code == 422 and r.json()["code"] == "validate.empty"
