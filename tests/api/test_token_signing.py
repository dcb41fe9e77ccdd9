"""Two-step signing over HTTP with an official's USB token (SoftHSM2 here): the server
prepares the file and answers the bytes to sign, the token signs them in the test (the
official's side), the server embeds the signature. The key never leaves the token."""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.serialization import Encoding
from sqlalchemy import Engine
from sqlmodel import select
from starlette.testclient import TestClient

from ecabinet.app import create_app
from ecabinet.core.audit import AuditEntry
from ecabinet.core.db import session_scope
from ecabinet.core.files import StoredFile
from ecabinet.core.storage import open_store
from ecabinet.core.types import utcnow
from ecabinet.demo.ca import DemoCA
from ecabinet.demo.images import signature_png
from ecabinet.signatures.models import PendingSignature
from signing.pkcs11 import Pkcs11KeySource, open_pkcs11
from tests.conftest import make_settings
from tests.factories import login, make_world
from tests.signing.checks import pdfsig
from tests.signing.conftest import PASSWORD
from tests.support.credentials import PASSPHRASE, PIN, Issuer
from tests.support.pki import Pki, running_pki
from tests.support.render import count, render
from tests.support.signing_app import SigningApp, signing_app
from tests.support.softhsm import DEVICE_ID, SoftHsm, make_softhsm

BOX = (330.0, 60.0, 530.0, 160.0)


@pytest.fixture(scope="session")
def softhsm(tmp_path_factory: pytest.TempPathFactory, demo_ca: DemoCA) -> SoftHsm:
    return make_softhsm(tmp_path_factory, demo_ca, PASSWORD)


@dataclass
class Setup(SigningApp):
    token_key: str = ""
    """The leader's token credential (certificate only)."""
    hsm: SoftHsm | None = None

    @property
    def token(self) -> SoftHsm:
        assert self.hsm is not None
        return self.hsm

    def prepare(self, file_id: str, who: str = "leader", **body: Any) -> dict[str, Any]:
        r = self.post(
            who,
            f"/api/v1/files/{file_id}/sign/prepare",
            json={"credential_id": self.token_key} | body,
        )
        assert r.status_code == 201, r.text
        out: dict[str, Any] = r.json()
        return out

    def complete(self, pending_id: str, signature: bytes | str, who: str = "leader") -> Any:
        text = signature if isinstance(signature, str) else base64.b64encode(signature).decode()
        return self.post(
            who, f"/api/v1/signatures/pending/{pending_id}/complete", json={"signature": text}
        )


def _pem(*certs: Any) -> str:
    return "".join(c.public_bytes(Encoding.PEM).decode() for c in certs)


@pytest.fixture
def setup(
    tmp_path: Path, database_url: str, engine: Engine, softhsm: SoftHsm, ca: Issuer
) -> Iterator[Setup]:
    roots = [softhsm.chain[-1], ca.ca.root]
    with signing_app(Setup, tmp_path, database_url, engine, roots) as app:
        app.hsm = softhsm
        leader = app.world.people["leader"].id
        r = app.post(
            "admin",
            "/api/v1/signing-credentials/token",
            json={
                "certificate_pem": _pem(softhsm.device_certificate),
                "chain_pem": _pem(*softhsm.chain),
                "user_id": leader,
                "label": "USB token",
            },
        )
        assert r.status_code == 201, r.text
        assert r.json()["kind"] == "token" and r.json()["user_id"] == leader
        app.token_key = r.json()["id"]
        yield app


def _token(hsm: SoftHsm) -> Pkcs11KeySource:
    """The official's side: their token, opened with their PIN."""
    return open_pkcs11(
        hsm.module,
        token_label=hsm.token,
        pin=hsm.pin,
        key_id=DEVICE_ID,
        certificate=hsm.device_certificate,
        chain=hsm.chain,
    )


def _sign_digest(hsm: SoftHsm, prepared: dict[str, Any]) -> bytes:
    digest = base64.b64decode(prepared["digest"])
    assert digest == hashlib.sha256(base64.b64decode(prepared["to_be_signed"])).digest()
    with _token(hsm) as key:
        return key.sign_digest(digest)


def test_prepare_sign_on_the_token_complete(setup: Setup, pdf: bytes, engine: Engine) -> None:
    source = setup.upload(pdf)
    # The official puts their own signature image on their token credential.
    r = setup.post(
        "leader",
        f"/api/v1/signing-credentials/{setup.token_key}/image",
        content=signature_png("Nguyễn Văn Lãnh"),
        headers={"Content-Type": "image/png"},
    )
    assert r.status_code == 200, r.text
    prepared = setup.prepare(source, box=list(BOX), reason="Phê duyệt")
    assert prepared["digest_algorithm"] == "sha256" and prepared["field"] == "Nguyễn Văn Lãnh"
    assert (
        14 * 60
        < (datetime.fromisoformat(prepared["expires_at"]) - utcnow()).total_seconds()
        <= 15 * 60
    )
    with _token(setup.token) as key:  # this time the token hashes the data itself
        signature = key.sign(base64.b64decode(prepared["to_be_signed"]))
    r = setup.complete(prepared["pending_id"], signature)
    assert r.status_code == 201, r.text
    signed = r.json()
    assert signed["filename"] == "qd (đã ký).pdf" and signed["id"] != source
    report = setup.client.get(f"/api/v1/files/{signed['id']}/signatures").json()
    assert report["indication"] == "TOTAL-PASSED" and report["all_passed"], report
    (only,) = report["signatures"]
    assert only["signer"]["common_name"] == "Nguyễn Văn Lãnh" and only["field"] == prepared["field"]
    content = setup.client.get(f"/api/v1/files/{signed['id']}/content").content
    assert content.startswith(pdf)  # an incremental update of the very bytes prepared
    (setup.tmp / "signed.pdf").write_bytes(content)
    assert "Signature Validation: Signature is Valid." in pdfsig(setup.tmp / "signed.pdf")
    # The signature image is drawn in the box, in blue; nowhere else.
    page = render(setup.tmp, content)
    assert count(page, BOX, "blue") > 300
    assert count(page, (30.0, 200.0, 560.0, 700.0), "blue") == 0
    assert count(render(setup.tmp, pdf, "before"), BOX, "blue") == 0
    # Single use: the pending row is gone, a second completion finds nothing.
    r = setup.complete(prepared["pending_id"], signature)
    assert r.status_code == 404 and r.json()["code"] == "signature.pending_not_found"
    with session_scope(engine, write=False) as s:
        assert s.exec(select(PendingSignature)).all() == []
        audited = {
            (e.action, e.object_id)
            for e in s.exec(select(AuditEntry).where(AuditEntry.action.startswith("file.sign")))  # type: ignore[attr-defined]
        }
    assert audited == {("file.sign_prepare", source), ("file.sign", signed["id"])}


def test_only_the_preparer_completes(setup: Setup, pdf: bytes) -> None:
    prepared = setup.prepare(setup.upload(pdf))
    signature = _sign_digest(setup.token, prepared)
    for who in ("clerk", "admin", "dept.specialist"):
        r = setup.complete(prepared["pending_id"], signature, who=who)
        assert r.status_code == 404 and r.json()["code"] == "signature.pending_not_found", who
        assert r.json()["message"]["vi"] and r.json()["message"]["en"]
    for unknown in ("00000000-0000-0000-0000-000000000000", "not-a-uuid"):
        assert setup.complete(unknown, signature).status_code == 404
    assert setup.complete(prepared["pending_id"], signature).status_code == 201


def test_an_expired_request_is_refused(setup: Setup, pdf: bytes, engine: Engine) -> None:
    prepared = setup.prepare(setup.upload(pdf))
    signature = _sign_digest(setup.token, prepared)
    with session_scope(engine) as s:
        row = s.get(PendingSignature, prepared["pending_id"])
        assert row is not None
        row.expires_at = utcnow() - timedelta(seconds=1)
        s.add(row)
    r = setup.complete(prepared["pending_id"], signature)
    assert r.status_code == 409 and r.json()["code"] == "signature.pending_expired"
    # Expired rows are swept when the next signing is prepared.
    setup.prepare(setup.upload(pdf, "other.pdf"))
    with session_scope(engine, write=False) as s:
        assert s.get(PendingSignature, prepared["pending_id"]) is None


def test_signatures_that_do_not_fit_are_refused(setup: Setup, pdf: bytes, engine: Engine) -> None:
    prepared = setup.prepare(setup.upload(pdf))
    good = _sign_digest(setup.token, prepared)
    with _token(setup.token) as key:
        other_data = key.sign_digest(hashlib.sha256(b"another document").digest())
    for bad, code in (
        ("không phải base64!", "signature.bad_base64"),
        ("", "request.invalid"),
        (base64.b64encode(b"\x30\x00").decode(), "key.signature_mismatch"),
        (other_data, "key.signature_mismatch"),
        (good[:-1], "key.signature_mismatch"),
    ):
        r = setup.complete(prepared["pending_id"], bad)
        assert r.status_code == 422 and r.json()["code"] == code, (bad, r.text)
    with session_scope(engine, write=False) as s:
        assert len(s.exec(select(StoredFile)).all()) == 1  # nothing was added
    # A refused signature uses nothing up: the right one still completes.
    assert setup.complete(prepared["pending_id"], good).status_code == 201


def test_deleting_the_credential_drops_its_pending_signatures(
    setup: Setup, pdf: bytes, engine: Engine
) -> None:
    prepared = setup.prepare(setup.upload(pdf))
    signature = _sign_digest(setup.token, prepared)
    csrf = login(setup.client, "admin")
    r = setup.client.delete(
        f"/api/v1/signing-credentials/{setup.token_key}", headers={"X-CSRF-Token": csrf}
    )
    assert r.status_code == 204, r.text
    with session_scope(engine, write=False) as s:
        assert s.exec(select(PendingSignature)).all() == []
    assert setup.complete(prepared["pending_id"], signature).status_code == 404


def test_a_changed_source_or_pending_row_is_caught(
    setup: Setup, pdf: bytes, engine: Engine
) -> None:
    source = setup.upload(pdf)
    other = setup.upload(pdf + b"\n% another revision\n", "other.pdf")
    prepared = setup.prepare(source)
    signature = _sign_digest(setup.token, prepared)
    with session_scope(engine) as s:
        row, moved = s.get(StoredFile, source), s.get(StoredFile, other)
        assert row is not None and moved is not None
        kept, row.sha256 = row.sha256, moved.sha256  # the row now names other bytes
        s.add(row)
    r = setup.complete(prepared["pending_id"], signature)
    assert r.status_code == 409 and r.json()["code"] == "signature.source_changed"
    with session_scope(engine) as s:
        row = s.get(StoredFile, source)
        pending = s.get(PendingSignature, prepared["pending_id"])
        assert row is not None and pending is not None
        row.sha256 = kept
        at = pending.contents_end - len(pdf) + 10  # inside the covered part of the update
        pending.tail = pending.tail[:at] + bytes([pending.tail[at] ^ 1]) + pending.tail[at + 1 :]
        s.add_all([row, pending])
    r = setup.complete(prepared["pending_id"], signature)
    assert r.status_code == 500 and r.json()["code"] == "signature.pending_damaged"


def test_token_credentials_sign_only_in_two_steps(setup: Setup, pdf: bytes, ca: Issuer) -> None:
    file_id = setup.upload(pdf)
    r = setup.post(
        "leader", f"/api/v1/files/{file_id}/sign", json={"credential_id": setup.token_key}
    )
    assert r.status_code == 422 and r.json()["code"] == "credential.on_token"
    issued = ca.pkcs12("Nguyễn Văn Lãnh")
    r = setup.post(
        "admin",
        "/api/v1/signing-credentials",
        json={
            "pkcs12": base64.b64encode(issued.data).decode(),
            "passphrase": PASSPHRASE,
            "pin": PIN,
            "user_id": setup.world.people["leader"].id,
        },
    )
    assert r.status_code == 201, r.text
    url = f"/api/v1/files/{file_id}/sign/prepare"
    r = setup.post("leader", url, json={"credential_id": r.json()["id"]})
    assert r.status_code == 422 and r.json()["code"] == "credential.not_token"
    # Nobody else prepares with the leader's token; a level above B-B needs a TSA.
    for who, status in (("clerk", 404), ("admin", 403)):
        r = setup.post(who, url, json={"credential_id": setup.token_key})
        assert r.status_code == status, (who, r.text)
    r = setup.post("leader", url, json={"credential_id": setup.token_key, "level": "B-T"})
    assert r.status_code == 422 and r.json()["code"] == "tsa.missing"


def test_registering_token_certificates(setup: Setup) -> None:
    url = "/api/v1/signing-credentials/token"
    leader = setup.world.people["leader"].id
    cert = _pem(setup.token.device_certificate)
    r = setup.post("leader", url, json={"certificate_pem": cert, "user_id": leader})
    assert r.status_code == 403  # an admin registers it, as for PKCS#12 files
    for body, status, code in (
        (
            {"certificate_pem": cert, "chain_pem": _pem(*setup.token.chain), "user_id": leader},
            409,
            "credential.duplicate",
        ),
        ({"certificate_pem": cert, "user_id": leader}, 422, "credential.untrusted"),
        (
            {
                "certificate_pem": "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n",
                "user_id": leader,
            },
            422,
            "credential.bad_pem",
        ),
        ({"certificate_pem": "hello", "user_id": leader}, 422, "credential.bad_pem"),
        (
            {"certificate_pem": cert + _pem(setup.token.chain[0]), "user_id": leader},
            422,
            "credential.one_certificate",
        ),
        (
            {"certificate_pem": _pem(setup.token.chain[0]), "user_id": leader},
            422,
            "credential.not_for_signing",
        ),
        (
            {
                "certificate_pem": cert,
                "chain_pem": "garbage-----BEGIN CERTIFICATE-----\n",
                "user_id": leader,
            },
            422,
            "credential.bad_pem",
        ),
        ({"certificate_pem": cert, "user_id": 9999}, 404, "user.not_found"),
    ):
        r = setup.post("admin", url, json=body)
        assert (r.status_code, r.json()["code"]) == (status, code), (body, r.text)
        assert r.json()["message"]["vi"] and r.json()["message"]["en"]
    login(setup.client, "leader")
    (mine,) = setup.client.get("/api/v1/signing-credentials").json()["items"]
    assert mine["kind"] == "token" and mine["subject"].startswith("CN=Nguyễn Văn Lãnh,")


@pytest.fixture(scope="module")
def live_pki(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Pki]:
    with running_pki(tmp_path_factory.mktemp("pki")) as live:
        yield live


def test_b_t_time_stamps_the_token_signature(
    tmp_path: Path, database_url: str, engine: Engine, softhsm: SoftHsm, live_pki: Pki, pdf: bytes
) -> None:
    trust = tmp_path / "trust"
    trust.mkdir()
    (trust / "token-root.pem").write_text(_pem(softhsm.chain[-1]))
    (trust / "tsa-root.pem").write_bytes(live_pki.root_pem())
    settings = make_settings(
        tmp_path / "data", database_url, trust_anchors_dir=str(trust), tsa_url=live_pki.tsa_url
    )
    world = make_world(engine)
    with TestClient(create_app(settings, engine=engine, store=open_store(settings))) as client:
        setup = Setup(client, world, "", softhsm, tmp_path)
        r = setup.post(
            "admin",
            "/api/v1/signing-credentials/token",
            json={
                "certificate_pem": _pem(softhsm.device_certificate),
                "chain_pem": _pem(*softhsm.chain),
                "user_id": world.people["leader"].id,
            },
        )
        assert r.status_code == 201, r.text
        setup.token_key = r.json()["id"]
        prepared = setup.prepare(setup.upload(pdf), level="B-T")
        r = setup.complete(prepared["pending_id"], _sign_digest(softhsm, prepared))
        assert r.status_code == 201, r.text
        report = client.get(f"/api/v1/files/{r.json()['id']}/signatures").json()
    assert report["indication"] == "TOTAL-PASSED", report
    (only,) = report["signatures"]
    assert only["pades_level"] == "B-T" and only["timestamp_time"] is not None
