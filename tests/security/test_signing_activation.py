"""Finding 5: only the holder signs with their key (sole control, CEN EN 419 241 SCAL2).

Each signature or batch needs the holder's activation data (the credential's PIN, and a
TOTP code when the official enrolled one); the stored key is wrapped under the KEK *and*
the PIN, so the server alone cannot open it; wrong PINs lock the credential (not the
login) and an admin unlocks it, audited; API tokens carry scopes, and even ``sign``
needs the activation data.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import struct
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, text
from sqlmodel import col, select

from ecabinet.core import errors
from ecabinet.core.audit import Actor, AuditEntry
from ecabinet.core.db import session_scope
from ecabinet.core.files import StoredFile
from ecabinet.core.settings import Settings
from ecabinet.signatures import activation, credentials, totp
from ecabinet.signatures.activation import Activation
from ecabinet.signatures.models import SigningCredential
from ecabinet.signatures.vault import KeyVault, SealBroken
from tests.factories import login
from tests.support.credentials import PIN, Issuer
from tests.support.signing_app import SigningApp, signing_app

WRONG = "135797"


@dataclass
class Setup(SigningApp):
    leader_key: str = ""

    @property
    def settings(self) -> Settings:
        settings: Settings = self.client.app.state.ctx.settings  # type: ignore[attr-defined]
        return settings


@pytest.fixture
def setup(tmp_path: Path, database_url: str, engine: Engine, ca: Issuer) -> Iterator[Setup]:
    with signing_app(
        Setup, tmp_path, database_url, engine, [ca.ca.root], signing_pin_max_failures="3"
    ) as app:
        app.leader_key = app.add_pkcs12(ca, user_id=app.world.people["leader"].id)
        yield app


def _files(engine: Engine) -> int:
    with session_scope(engine, write=False) as s:
        return len(s.exec(select(StoredFile)).all())


def _audit(engine: Engine, action: str) -> list[AuditEntry]:
    with session_scope(engine, write=False) as s:
        query = select(AuditEntry).where(AuditEntry.action == action)
        return list(s.exec(query.order_by(col(AuditEntry.id))))


def _credential(engine: Engine, credential_id: str) -> SigningCredential:
    with session_scope(engine, write=False) as s:
        row = s.get(SigningCredential, credential_id)
        assert row is not None
        return row


def test_f05_a_token_alone_does_not_sign(setup: Setup, pdf: bytes, engine: Engine) -> None:
    file_id = setup.upload(pdf)
    url = f"/api/v1/files/{file_id}/sign"
    body = {"credential_id": setup.leader_key}
    ordinary = setup.token("leader")  # what every token was before: read and write
    scripted = setup.token("leader", ["read", "sign"])
    setup.client.cookies.clear()  # the token alone, as a script has it
    r = setup.client.post(url, json=body, headers=ordinary)
    assert r.status_code == 403, r.text
    assert r.json()["code"] == "token.scope"
    # Even a token allowed to sign carries no activation data: the holder's PIN is needed.
    r = setup.client.post(url, json=body, headers=scripted)
    assert r.status_code == 422, r.text
    assert r.json()["code"] == "credential.activation_required"
    assert _files(engine) == 1  # the upload only
    # The script that has the holder's PIN signs.
    r = setup.client.post(url, json=body | {"pin": PIN}, headers=scripted)
    assert r.status_code == 201, r.text


def test_f05_token_scopes_read_and_write(setup: Setup) -> None:
    reader = setup.token("clerk", ["read"])
    setup.client.cookies.clear()
    assert setup.client.get("/api/v1/signing-credentials", headers=reader).status_code == 200
    r = setup.client.post(
        f"/api/v1/files?agency_id={setup.world.province.id}&filename=a.pdf",
        content=b"%PDF-1.4\n",
        headers=reader | {"Content-Type": "application/pdf"},
    )
    assert r.status_code == 403 and r.json()["code"] == "token.scope"
    # A public route needs no scope: the reader validates a PDF as anyone may.
    r = setup.client.post(
        "/api/v1/signatures/validate",
        content=b"hello",
        headers=reader | {"Content-Type": "application/pdf"},
    )
    assert r.status_code == 422 and r.json()["code"] == "pdf.invalid"
    listed = setup.client.get("/api/v1/tokens", headers=reader).json()["items"]
    assert [t["scopes"] for t in listed] == [["read"]]
    # A token does not mint a wider one (a write token cannot make itself a sign token).
    writer = setup.token("clerk", ["read", "write"])
    setup.client.cookies.clear()
    r = setup.client.post(
        "/api/v1/tokens", json={"name": "y", "scopes": ["read", "sign"]}, headers=writer
    )
    assert r.status_code == 403 and r.json()["code"] == "token.scope_escalation"
    r = setup.post("clerk", "/api/v1/tokens", json={"name": "x", "scopes": ["root"]})
    assert r.status_code == 422 and r.json()["code"] == "token.bad_scope"
    r = setup.post("clerk", "/api/v1/tokens", json={"name": "x", "scopes": []})
    assert r.status_code == 422 and r.json()["code"] == "token.no_scope"


def test_f05_signing_without_activation_data_with_a_wrong_pin_and_after_lock(
    setup: Setup, pdf: bytes, engine: Engine
) -> None:
    """Refused, nothing signed, audited; the lock is the credential's, not the login's."""
    file_id = setup.upload(pdf)
    key = setup.leader_key
    r = setup.sign("leader", file_id, credential_id=key, pin=None)
    assert r.status_code == 422 and r.json()["code"] == "credential.activation_required"
    for left in (2, 1):
        r = setup.sign("leader", file_id, credential_id=key, pin=WRONG)
        assert r.status_code == 403, r.text
        assert r.json()["code"] == "credential.wrong_pin"
        assert r.json()["details"]["attempts_left"] == left
    r = setup.sign("leader", file_id, credential_id=key, pin=WRONG)  # the third: locked
    assert r.status_code == 409 and r.json()["code"] == "credential.locked", r.text
    r = setup.sign("leader", file_id, credential_id=key)  # even the right PIN now
    assert r.status_code == 409 and r.json()["code"] == "credential.locked"
    assert "khóa" in r.json()["message"]["vi"] and "locked" in r.json()["message"]["en"]
    assert _files(engine) == 1
    refused = [e.summary for e in _audit(engine, "signing_credential.activation_refused")]
    assert len(refused) == 2 and "no activation data" in refused[0] and "locked" in refused[1]
    assert len(_audit(engine, "signing_credential.activation_failed")) == 3
    assert len(_audit(engine, "signing_credential.lock")) == 1
    row = _credential(engine, key)
    assert row.pin_failures == 3 and row.locked_at is not None
    login(setup.client, "leader")  # three wrong PINs, and the login still works
    listed = setup.client.get("/api/v1/signing-credentials").json()["items"]
    assert [c["locked"] for c in listed] == [True]
    # The holder cannot unlock their own credential; an admin of its agency can.
    assert setup.post("leader", f"/api/v1/signing-credentials/{key}/unlock").status_code == 403
    r = setup.post("admin", f"/api/v1/signing-credentials/{key}/unlock")
    assert r.status_code == 200 and r.json()["locked"] is False, r.text
    assert len(_audit(engine, "signing_credential.unlock")) == 1
    assert setup.sign("leader", file_id, credential_id=key).status_code == 201


def test_f05_the_kek_and_the_database_alone_do_not_open_the_key(
    setup: Setup, ca: Issuer, engine: Engine
) -> None:
    row = _credential(engine, setup.leader_key)
    vault = KeyVault(setup.settings.key_encryption_key)
    with pytest.raises(SealBroken):
        vault.open(row.encrypted_key, credentials.associated(row))
    assert row.pin_kdf.startswith("argon2id$") and len(row.pin_salt or b"") == 16
    # With the PIN, the same row opens.
    user = setup.world.people["leader"]
    key = activation.open_key(
        engine,
        setup.settings,
        user,
        Actor(user.id, user.username),
        setup.leader_key,
        Activation(pin=PIN),
        activation.Purpose("test"),
    )
    assert key.certificate.subject.rfc4514_string().startswith("CN=Nguyễn Văn Lãnh,")


def test_f05_wrong_pins_are_counted_exactly_under_concurrency(
    tmp_path: Path, database_url: str, engine: Engine, ca: Issuer
) -> None:
    with signing_app(
        Setup, tmp_path, database_url, engine, [ca.ca.root], signing_pin_max_failures="50"
    ) as app:
        key = app.add_pkcs12(ca, user_id=app.world.people["leader"].id)
        user = app.world.people["leader"]

        def attempt(_: int) -> str:
            try:
                activation.open_key(
                    engine,
                    app.settings,
                    user,
                    Actor(user.id, user.username),
                    key,
                    Activation(pin=WRONG),
                    activation.Purpose("test"),
                )
            except errors.DomainError as exc:
                return exc.code
            return "opened"

        with ThreadPoolExecutor(max_workers=6) as pool:
            outcomes = list(pool.map(attempt, range(12)))
    assert outcomes == ["credential.wrong_pin"] * 12
    assert _credential(engine, key).pin_failures == 12
    assert len(_audit(engine, "signing_credential.activation_failed")) == 12


def test_f05_a_batch_is_activated_once(setup: Setup, pdf: bytes, engine: Engine) -> None:
    ids = [setup.upload(pdf, f"vb{i}.pdf") for i in range(3)]
    body: dict[str, Any] = {"credential_id": setup.leader_key, "file_ids": ids}
    r = setup.post("leader", "/api/v1/signatures/batch", json=body)
    assert r.status_code == 422 and r.json()["code"] == "credential.activation_required"
    assert _files(engine) == 3
    r = setup.post("leader", "/api/v1/signatures/batch", json=body | {"pin": PIN})
    assert r.status_code == 201, r.text
    assert len(r.json()["files"]) == 3
    (entry,) = _audit(engine, "signing_credential.activate")
    assert "3" in entry.summary and "file.sign" in entry.summary


def _code(secret: str, step: int) -> str:
    """RFC 6238 (HMAC-SHA1, 6 digits), written here apart from the server's."""
    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    mac = hmac.new(key, struct.pack(">Q", step), hashlib.sha1).digest()
    offset = mac[-1] & 0x0F
    value = struct.unpack(">I", mac[offset : offset + 4])[0] & 0x7FFFFFFF
    return f"{value % 1_000_000:06d}"


def test_f05_a_totp_code_as_second_factor(
    setup: Setup, pdf: bytes, engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    now = 1_790_000_000.0 - 1_790_000_000.0 % 30 + 10  # 10 s into a step
    monkeypatch.setattr(totp, "clock", lambda: now)
    step = int(now) // 30
    r = setup.post("leader", "/api/v1/signing-totp")
    assert r.status_code == 201, r.text
    uri, secret = r.json()["uri"], r.json()["secret"]
    assert uri.startswith("otpauth://totp/") and f"secret={secret}" in uri
    # Shown once: reading the enrolment again shows no secret.
    assert "secret" not in setup.client.get("/api/v1/signing-totp").json()
    r = setup.post("leader", "/api/v1/signing-totp/confirm", json={"otp": _code(secret, step - 1)})
    assert r.status_code == 200 and r.json()["confirmed"], r.text
    file_id = setup.upload(pdf)
    key = setup.leader_key
    r = setup.sign("leader", file_id, credential_id=key)
    assert r.status_code == 422 and r.json()["code"] == "credential.activation_required"
    assert r.json()["details"]["needs"] == ["pin", "otp"]
    r = setup.sign("leader", file_id, credential_id=key, otp=_code(secret, step + 5))
    assert r.status_code == 403 and r.json()["code"] == "credential.wrong_otp"
    r = setup.sign("leader", file_id, credential_id=key, otp=_code(secret, step))
    assert r.status_code == 201, r.text
    # Each code is used once.
    r = setup.sign("leader", file_id, credential_id=key, otp=_code(secret, step))
    assert r.status_code == 403 and r.json()["code"] == "credential.wrong_otp"
    assert _credential(engine, key).pin_failures == 1  # the success between reset it
    r = setup.sign("leader", file_id, credential_id=key, otp=_code(secret, step + 1))
    assert r.status_code == 201
    assert _credential(engine, key).pin_failures == 0


def test_f05_a_lost_phone_an_admin_removes_the_totp(
    setup: Setup, pdf: bytes, engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    now = 1_790_000_000.0 - 1_790_000_000.0 % 30 + 10
    monkeypatch.setattr(totp, "clock", lambda: now)
    secret = setup.post("leader", "/api/v1/signing-totp").json()["secret"]
    r = setup.post("leader", "/api/v1/signing-totp/confirm", json={"otp": _code(secret, 0)})
    assert r.status_code == 403 and r.json()["code"] == "totp.wrong_code"
    r = setup.post(
        "leader", "/api/v1/signing-totp/confirm", json={"otp": _code(secret, int(now) // 30)}
    )
    assert r.status_code == 200, r.text
    assert setup.post("leader", "/api/v1/signing-totp").status_code == 409  # remove first
    leader = setup.world.people["leader"].id
    url = f"/api/v1/users/{leader}/signing-totp"
    for who in ("leader", "clerk", "dept.admin"):  # not oneself, not a non-admin or outsider
        csrf = login(setup.client, who)
        assert setup.client.delete(url, headers={"X-CSRF-Token": csrf}).status_code == 403, who
    csrf = login(setup.client, "admin")
    assert setup.client.delete(url, headers={"X-CSRF-Token": csrf}).status_code == 204
    assert len(_audit(engine, "signing_totp.remove")) == 1
    file_id = setup.upload(pdf)
    assert setup.sign("leader", file_id, credential_id=setup.leader_key).status_code == 201


def test_f05_the_operator_unlocks_from_the_command_line(
    setup: Setup, engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ecabinet.cli import main

    with session_scope(engine) as s:
        s.execute(
            text("UPDATE signing_credential SET pin_failures = 3, locked_at = :at WHERE id = :id"),
            {"at": "2026-12-06 08:00:00.000000+00:00", "id": setup.leader_key},
        )
    settings = setup.settings
    monkeypatch.setenv("ECABINET_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("ECABINET_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("ECABINET_SECRET_KEY", settings.secret_key)
    assert main(["credential", "unlock", setup.leader_key]) == 0
    row = _credential(engine, setup.leader_key)
    assert row.locked_at is None and row.pin_failures == 0
    (entry,) = _audit(engine, "signing_credential.unlock")
    assert entry.actor_name == "cli" and "command line" in entry.summary
    assert main(["credential", "unlock", "no-such-id"]) == 1


def test_f05_the_holder_changes_the_pin(setup: Setup, pdf: bytes, engine: Engine) -> None:
    key = setup.leader_key
    url = f"/api/v1/signing-credentials/{key}/pin"
    r = setup.post("leader", url, json={"old_pin": WRONG, "new_pin": "97531864"})
    assert r.status_code == 403 and r.json()["code"] == "credential.wrong_pin"
    r = setup.post("leader", url, json={"old_pin": PIN, "new_pin": "12"})
    assert r.status_code == 422 and r.json()["code"] == "credential.pin_too_short"
    assert setup.post("admin", url, json={"old_pin": PIN, "new_pin": "97531864"}).status_code == 403
    r = setup.post("leader", url, json={"old_pin": PIN, "new_pin": "97531864"})
    assert r.status_code == 200, r.text
    assert len(_audit(engine, "signing_credential.pin_change")) == 1
    file_id = setup.upload(pdf)
    assert setup.sign("leader", file_id, credential_id=key).status_code == 403
    assert setup.sign("leader", file_id, credential_id=key, pin="97531864").status_code == 201


def test_f05_a_credential_from_before_the_pins_signs_after_its_holder_sets_one(
    setup: Setup, ca: Issuer, pdf: bytes, engine: Engine
) -> None:
    """A row sealed under the KEK only (as every row was before migration 0018) cannot
    sign until its holder sets a PIN; the server then rewraps it under KEK + PIN."""
    from cryptography.hazmat.primitives import serialization

    issued = ca.pkcs12("Nguyễn Văn Lãnh")
    der = issued.key.private_bytes(
        serialization.Encoding.DER,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    key = setup.leader_key
    vault = KeyVault(setup.settings.key_encryption_key)
    with session_scope(engine) as s:
        row = s.get(SigningCredential, key)
        assert row is not None
        # What migration 0018 leaves of an old row: the KEK-only ciphertext, no PIN yet.
        row.certificate_pem = issued.certificate.public_bytes(serialization.Encoding.PEM).decode()
        row.fingerprint = credentials.fingerprint(issued.certificate)
        row.encrypted_key = vault.seal(der, credentials.associated(row))
        row.key_wrap, row.pin_salt, row.pin_kdf = 1, None, ""
        s.add(row)
    file_id = setup.upload(pdf)
    r = setup.sign("leader", file_id, credential_id=key)
    assert r.status_code == 409 and r.json()["code"] == "credential.pin_not_set", r.text
    url = f"/api/v1/signing-credentials/{key}/pin"
    assert setup.post("admin", url, json={"new_pin": PIN}).status_code == 403
    r = setup.post("leader", url, json={"new_pin": PIN})
    assert r.status_code == 200, r.text
    (entry,) = _audit(engine, "signing_credential.pin_set")
    assert "KEK" in entry.summary
    row = _credential(engine, key)
    with pytest.raises(SealBroken):
        vault.open(row.encrypted_key, credentials.associated(row))
    # Set once: after that only a change (old PIN → new PIN) is possible.
    assert setup.post("leader", url, json={"new_pin": "11112222"}).status_code == 422
    assert setup.sign("leader", file_id, credential_id=key).status_code == 201


def test_f05_migration_keeps_old_credentials_and_tokens(tmp_path: Path) -> None:
    """0018 marks existing credentials as sealed under the KEK only (kept, usable once
    their holder sets a PIN) and gives existing tokens read and write, not sign."""
    from sqlalchemy import create_engine

    from ecabinet.core import migrate

    engine = create_engine(f"sqlite:///{tmp_path / 'old.db'}")
    migrate.upgrade(engine, "0016")
    at = "2026-11-20 08:00:00.000000+00:00"
    with engine.begin() as conn:
        for statement in [
            "INSERT INTO signing_credential (id, kind, user_id, agency_id, label, subject,"
            " issuer, serial, fingerprint, not_before, not_after, certificate_pem, chain_pem,"
            " encrypted_key, kek_id, created_at) VALUES ('c1', 'personal', 1, 1, '', 'CN=A',"
            " 'CN=B', '01', 'ff', :at, :at, 'pem', '', x'0102', 'k', :at)",
            "INSERT INTO api_token (id, user_id, name, prefix, token_hash, created_at)"
            " VALUES (1, 1, 'script', 'ecab_x', 'h', :at)",
        ]:
            conn.execute(text(statement), {"at": at})
    migrate.upgrade(engine)
    with engine.connect() as conn:
        row = conn.execute(
            text("SELECT encrypted_key, key_wrap, pin_failures, locked_at FROM signing_credential")
        ).one()
        scopes = conn.execute(text("SELECT scopes FROM api_token")).scalar_one()
    assert tuple(row) == (b"\x01\x02", 1, 0, None)
    assert scopes == "read write"
    engine.dispose()


def test_f05_totp_codes_follow_rfc_6238() -> None:
    """The RFC's own test vector (SHA-1, secret "12345678901234567890", T = 59 s)."""
    secret = base64.b32encode(b"12345678901234567890").decode()
    assert totp.code_at(secret, 59 // 30, digits=8) == "94287082"
    assert totp.code_at(secret, 1111111109 // 30, digits=8) == "07081804"
    for step in (0, 1, 56_666_666):
        assert _code(secret, step) == totp.code_at(secret, step)
