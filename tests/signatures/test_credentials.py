"""Signing credentials: uploads checked, keys sealed at rest (under the KEK and the
holder's PIN), used only by their owners with that PIN."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from sqlalchemy import Engine, text
from sqlmodel import select

from ecabinet.core import audit, errors
from ecabinet.core.audit import AuditEntry
from ecabinet.core.db import session_scope
from ecabinet.core.policy import Subject, subject_for
from ecabinet.core.settings import Settings
from ecabinet.core.users import User
from ecabinet.signatures import activation, credentials, pins, registration, uploads
from ecabinet.signatures.activation import Activation, Purpose
from ecabinet.signatures.models import CredentialKind, SigningCredential
from ecabinet.signatures.vault import KeyVault, SealBroken
from signing.keys import PrivateKeySource
from signing.pades import sign_pdf
from signing.specs import FieldSpec
from tests.factories import ACTOR, World, make_world
from tests.support.credentials import PASSPHRASE, PIN, Issued, Issuer, issuer

KEK = "test-key-encryption-key-" + "k" * 24
VAULT = KeyVault(KEK)


@pytest.fixture(scope="session")
def ca(tmp_path_factory: pytest.TempPathFactory) -> Issuer:
    return issuer(tmp_path_factory)


@pytest.fixture
def world(engine: Engine) -> World:
    return make_world(engine)


def _subject(engine: Engine, user: User) -> Subject:
    with session_scope(engine, write=False) as s:
        return subject_for(s, user)


@dataclass
class Keys:
    """Registers credentials (as an admin, with the test PIN) and opens them (as someone,
    with that PIN), through the services the API uses."""

    engine: Engine
    world: World
    ca: Issuer
    settings: Settings

    def upload(
        self,
        issued: Issued | bytes,
        *,
        by: str = "admin",
        passphrase: str = PASSPHRASE,
        **owner: int | None,
    ) -> SigningCredential:
        data = issued if isinstance(issued, bytes) else issued.data
        with session_scope(self.engine) as s:
            return registration.upload_credential(
                s,
                ACTOR,
                _subject(self.engine, self.world.people[by]),
                vault=VAULT,
                anchors=[self.ca.ca.root],
                pkcs12=data,
                passphrase=passphrase,
                pin=pins.prepare(PIN, self.settings),
                **owner,  # type: ignore[arg-type]
            )

    def open(
        self,
        who: str,
        credential_id: str,
        settings: Settings | None = None,
        now: dt.datetime | None = None,
    ) -> PrivateKeySource:
        user = self.world.people[who]
        return activation.open_key(
            self.engine,
            settings or self.settings,
            user,
            ACTOR,
            credential_id,
            Activation(pin=PIN),
            Purpose("test"),
            now=now,
        )


@pytest.fixture
def keys(engine: Engine, world: World, ca: Issuer, settings: Settings) -> Keys:
    return Keys(engine, world, ca, replace(settings, key_encryption_key=KEK))


def _leader_credential(keys: Keys) -> tuple[Issued, str]:
    issued = keys.ca.pkcs12("Nguyễn Văn Lãnh", use_rsa=True)
    row = keys.upload(issued, user_id=keys.world.people["leader"].id)
    assert row.kind == CredentialKind.personal and row.agency_id == keys.world.province.id
    return issued, row.id


def test_the_owner_signs_with_an_uploaded_credential(
    keys: Keys, engine: Engine, ca: Issuer, sample_pdf_bytes: bytes
) -> None:
    from tests.signing.checks import pyhanko_verdicts

    issued, credential_id = _leader_credential(keys)
    key = keys.open("leader", credential_id)
    assert key.certificate == issued.certificate
    assert key.chain == [ca.ca.intermediate, ca.ca.root]
    signed = sign_pdf(sample_pdf_bytes, key, FieldSpec(name="Chữ ký lãnh đạo"))
    (verdict,) = pyhanko_verdicts(signed, ca.ca.root)
    assert verdict.intact and verdict.valid and verdict.trusted
    with session_scope(engine, write=False) as s:
        entry = s.exec(
            select(AuditEntry).where(AuditEntry.action == "signing_credential.upload")
        ).one()
        assert entry.object_id == credential_id and "Nguyễn Văn Lãnh" in entry.summary
        assert audit.verify(s) is None


@pytest.fixture(scope="session")
def sample_pdf_bytes() -> bytes:
    from ecabinet.demo.pdfs import demo_documents

    return demo_documents()[0].pdf()


def _secrets_of(issued: Issued) -> list[bytes]:
    key = issued.key
    pkcs8 = key.private_bytes(
        serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    traditional = key.private_bytes(
        serialization.Encoding.DER,
        serialization.PrivateFormat.TraditionalOpenSSL,
        serialization.NoEncryption(),
    )
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    pem_body = b"".join(pem.splitlines()[1:-1])
    # The secret number itself, as big-endian bytes: no encoding may hide it.
    if isinstance(key, rsa.RSAPrivateKey):
        secret = key.private_numbers().d
    else:
        secret = key.private_numbers().private_value
    raw = secret.to_bytes((secret.bit_length() + 7) // 8, "big")
    return [
        pkcs8,
        traditional,
        pem_body[:64],
        raw,
        raw.hex().encode(),
        PASSPHRASE.encode(),
        PASSPHRASE.encode("utf-16-le"),
        PIN.encode(),
        PIN.encode("utf-16-le"),
        issued.data,
    ]


def test_no_column_holds_the_key_or_the_passphrase(
    keys: Keys, engine: Engine, settings_db_files: list[Path]
) -> None:
    issued, credential_id = _leader_credential(keys)
    needles = _secrets_of(issued)
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT * FROM signing_credential")).mappings().all()
        audit_rows = conn.execute(text("SELECT * FROM audit_entry")).mappings().all()
    assert len(rows) == 1
    for row in [*rows, *audit_rows]:
        for column, value in row.items():
            blob = (
                bytes(value)
                if isinstance(value, bytes | bytearray | memoryview)
                else str(value).encode()
            )
            for needle in needles:
                assert needle not in blob, (column, needles.index(needle))
    sealed = bytes(rows[0]["encrypted_key"])
    assert len(sealed) == 12 + len(needles[0]) + 16  # nonce + AES-GCM of the PKCS#8 + tag
    # On SQLite the database files themselves (pages and write-ahead log) are clean too.
    if settings_db_files:
        content = b"".join(p.read_bytes() for p in settings_db_files if p.exists())
        assert sealed in content  # the scan does see the row's data
        for needle in needles:
            assert needle not in content, needles.index(needle)
    assert keys.open("leader", credential_id).certificate == issued.certificate


@pytest.fixture
def settings_db_files(database_url: str) -> list[Path]:
    if not database_url.startswith("sqlite:///"):
        return []
    main = Path(database_url.removeprefix("sqlite:///"))
    return [main, main.with_name(main.name + "-wal")]


def test_another_kek_or_a_tampered_row_fails_cleanly(keys: Keys, engine: Engine) -> None:
    _, credential_id = _leader_credential(keys)
    other_kek = replace(keys.settings, key_encryption_key="another-kek-" + "x" * 30)
    with pytest.raises(errors.IntegrityFailure) as info:
        keys.open("leader", credential_id, other_kek)
    assert info.value.code == "credential.wrong_kek"

    def tamper(statement: str, **params: object) -> str:
        with engine.begin() as conn:
            conn.execute(text(statement), {"id": credential_id, **params})
        with pytest.raises(errors.DomainError) as info:
            keys.open("leader", credential_id)
        return info.value.code

    with engine.connect() as conn:
        original = conn.execute(
            text(
                "SELECT encrypted_key, certificate_pem, pin_kdf FROM signing_credential"
                " WHERE id = :id"
            ),
            {"id": credential_id},
        ).one()
    flipped = bytearray(original.encrypted_key)
    flipped[20] ^= 1
    # A damaged ciphertext and a wrong PIN look alike to AES-GCM: it does not open, and the
    # attempt counts as a wrong activation (nothing is ever signed with it).
    assert (
        tamper("UPDATE signing_credential SET encrypted_key = :v WHERE id = :id", v=bytes(flipped))
        == "credential.wrong_pin"
    )
    assert (
        tamper(
            "UPDATE signing_credential SET encrypted_key = :v WHERE id = :id",
            v=original.encrypted_key[:10],
        )
        == "credential.wrong_pin"
    )
    assert (
        tamper("UPDATE signing_credential SET pin_kdf = 'scrypt' WHERE id = :id")
        == "credential.tampered"
    )
    with engine.begin() as conn:
        conn.execute(
            text("UPDATE signing_credential SET encrypted_key = :v, pin_kdf = :k WHERE id = :id"),
            {"v": original.encrypted_key, "k": original.pin_kdf, "id": credential_id},
        )
    assert keys.open("leader", credential_id)  # restored: opens again
    # Another certificate put beside the key: the fingerprint no longer matches.
    other = keys.ca.pkcs12("Kẻ Mạo Danh").certificate.public_bytes(serialization.Encoding.PEM)
    assert (
        tamper(
            "UPDATE signing_credential SET certificate_pem = :v WHERE id = :id", v=other.decode()
        )
        == "credential.tampered"
    )


def test_a_sealed_key_moved_to_another_owner_does_not_open(keys: Keys, engine: Engine) -> None:
    _, credential_id = _leader_credential(keys)
    thief = keys.world.people["clerk"]
    with engine.begin() as conn:
        conn.execute(
            text("UPDATE signing_credential SET user_id = :u WHERE id = :id"),
            {"u": thief.id, "id": credential_id},
        )
    with pytest.raises(errors.PermissionDenied) as info:  # even with the PIN: bound to its row
        keys.open("clerk", credential_id)
    assert info.value.code == "credential.wrong_pin"


def test_only_the_owner_signs_with_a_personal_credential(keys: Keys) -> None:
    _, credential_id = _leader_credential(keys)
    with pytest.raises(errors.NotFound):  # cannot even see it
        keys.open("dept.specialist", credential_id)
    with pytest.raises(errors.NotFound):
        keys.open("clerk", credential_id)
    with pytest.raises(errors.PermissionDenied):  # the admin sees it, but may not sign
        keys.open("admin", credential_id)
    assert keys.open("leader", credential_id)


def test_only_the_agency_clerks_apply_its_seal(keys: Keys, world: World, ca: Issuer) -> None:
    row = keys.upload(ca.pkcs12(world.province.name), agency_id=world.province.id)
    assert row.kind == CredentialKind.seal and row.user_id is None
    assert keys.open("clerk", row.id)
    with pytest.raises(errors.NotFound):
        keys.open("leader", row.id)
    with pytest.raises(errors.PermissionDenied):
        keys.open("admin", row.id)
    with pytest.raises(errors.NotFound):
        keys.open("dept.admin", row.id)


def test_uploads_that_are_refused(
    keys: Keys, engine: Engine, world: World, ca: Issuer, tmp_path_factory: pytest.TempPathFactory
) -> None:
    leader_id = world.people["leader"].id
    good = ca.pkcs12("Nguyễn Văn Lãnh")

    def refusal(
        issued: Issued | bytes,
        *,
        passphrase: str = PASSPHRASE,
        by: str = "admin",
        **owner: int | None,
    ) -> tuple[type[errors.DomainError], str]:
        with pytest.raises(errors.DomainError) as info:
            keys.upload(issued, passphrase=passphrase, by=by, **owner or {"user_id": leader_id})
        assert info.value.vi and info.value.en
        return type(info.value), info.value.code

    day = dt.timedelta(days=1)
    assert refusal(b"%PDF-1.7 not a key") == (errors.InvalidInput, "credential.not_pkcs12")
    assert refusal(good.certificate.public_bytes(serialization.Encoding.DER)) == (
        errors.InvalidInput,
        "credential.not_pkcs12",
    )
    assert refusal(good, passphrase="sai mật khẩu") == (
        errors.InvalidInput,
        "credential.wrong_passphrase",
    )
    assert refusal(good, passphrase="") == (errors.InvalidInput, "credential.wrong_passphrase")
    expired = ca.pkcs12("Hết Hạn", valid_from=-400 * day, valid_for=300 * day)
    assert refusal(expired) == (errors.InvalidInput, "credential.certificate_expired")
    future = ca.pkcs12("Chưa Tới", valid_from=10 * day)
    assert refusal(future) == (errors.InvalidInput, "credential.certificate_not_yet_valid")
    no_signing = ca.pkcs12("Mã Hóa", signing_usage=False)
    assert refusal(no_signing) == (errors.InvalidInput, "credential.not_for_signing")
    mismatched = ca.pkcs12("Lệch Khóa", certified_key=good.key)
    assert refusal(mismatched) == (errors.InvalidInput, "credential.pkcs12_incomplete")
    assert refusal(good, user_id=999_999) == (errors.NotFound, "user.not_found")
    assert refusal(good, agency_id=999_999) == (errors.NotFound, "agency.not_found")
    assert refusal(good, user_id=leader_id, agency_id=world.province.id) == (
        errors.InvalidInput,
        "credential.owner_required",
    )
    assert refusal(good, by="leader") == (errors.PermissionDenied, "permission.denied")
    assert refusal(good, by="clerk", agency_id=world.province.id) == (
        errors.PermissionDenied,
        "permission.denied",
    )
    # An admin of the department administers nobody in the province.
    assert refusal(good, by="dept.admin") == (errors.PermissionDenied, "permission.denied")
    # Bound to its owner, and to a trust anchor (decision 0011).
    assert refusal(ca.pkcs12("Kẻ Mạo Danh")) == (errors.InvalidInput, "credential.name_mismatch")
    stranger = issuer(tmp_path_factory, "untrusted-ca").pkcs12("Nguyễn Văn Lãnh")
    assert refusal(stranger) == (errors.InvalidInput, "credential.untrusted")
    keys.upload(good, user_id=leader_id)
    assert refusal(good) == (errors.Conflict, "credential.duplicate")
    with session_scope(engine, write=False) as s:
        assert len(s.exec(select(SigningCredential)).all()) == 1


def test_a_file_without_a_passphrase(keys: Keys, world: World, ca: Issuer) -> None:
    open_file = ca.pkcs12("Nguyễn Văn Lãnh", passphrase="")
    row = keys.upload(open_file, passphrase="", user_id=world.people["leader"].id)
    assert row.subject == "CN=Nguyễn Văn Lãnh,C=VN"


def test_list_disable_and_delete(keys: Keys, engine: Engine, world: World, ca: Issuer) -> None:
    _, personal = _leader_credential(keys)
    seal = keys.upload(ca.pkcs12(world.province.name), agency_id=world.province.id).id
    specialist = world.people["dept.specialist"]
    dept = keys.upload(ca.pkcs12(specialist.full_name), by="dept.admin", user_id=specialist.id).id

    def listed(who: str) -> set[str]:
        with session_scope(engine, write=False) as s:
            subject = subject_for(s, world.people[who])
            return {c.id for c in credentials.list_credentials(s, subject)}

    assert listed("leader") == {personal}
    assert listed("clerk") == {seal}
    assert listed("admin") == {personal, seal, dept}  # the province administers the department
    assert listed("dept.admin") == {dept}
    assert listed("dept.specialist") == {dept}

    def act(fn: object, who: str, credential_id: str) -> object:
        with session_scope(engine) as s:
            return fn(s, ACTOR, _subject(engine, world.people[who]), credential_id)  # type: ignore[operator]

    with pytest.raises(errors.NotFound):
        act(credentials.disable_credential, "dept.admin", personal)
    with pytest.raises(errors.PermissionDenied):
        act(credentials.delete_credential, "clerk", seal)  # applies the seal, does not manage it
    act(credentials.disable_credential, "leader", personal)  # the owner may revoke their own
    act(credentials.disable_credential, "leader", personal)  # twice: no second entry
    with pytest.raises(errors.Conflict) as info:
        keys.open("leader", personal)
    assert info.value.code == "credential.disabled"
    act(credentials.delete_credential, "admin", seal)
    with pytest.raises(errors.NotFound):
        keys.open("clerk", seal)
    assert listed("admin") == {personal, dept}
    with session_scope(engine, write=False) as s:
        actions = [e.action for e in s.exec(select(AuditEntry)) if e.object_type != "user"]
        assert actions.count("signing_credential.upload") == 3
        assert actions.count("signing_credential.disable") == 1
        assert actions.count("signing_credential.delete") == 1
        assert audit.verify(s) is None


def test_an_expired_certificate_no_longer_signs(keys: Keys) -> None:
    _, credential_id = _leader_credential(keys)
    later = dt.datetime.now(dt.UTC) + dt.timedelta(days=400)
    with pytest.raises(errors.Conflict) as info:
        keys.open("leader", credential_id, now=later)
    assert info.value.code == "credential.certificate_expired"


def test_vault_needs_a_long_kek_and_binds_the_associated_data() -> None:
    with pytest.raises(ValueError):
        KeyVault("short")
    sealed = VAULT.seal(b"secret", b"row-1")
    assert VAULT.open(sealed, b"row-1") == b"secret"
    assert VAULT.seal(b"secret", b"row-1") != sealed  # fresh nonce
    for bad in ((sealed, b"row-2"), (sealed[:-1], b"row-1"), (b"", b"row-1")):
        with pytest.raises(SealBroken):
            VAULT.open(*bad)
    assert KeyVault(KEK).kek_id == VAULT.kek_id != KeyVault(KEK + "x").kek_id
    # Under the KEK and a PIN's secret: neither alone opens it.
    salt, secret = b"s" * 16, b"p" * 32
    both = VAULT.seal_with(b"secret", b"row-1", secret, salt)
    assert VAULT.open_with(both, b"row-1", secret, salt) == b"secret"
    for bad in (
        lambda: VAULT.open(both, b"row-1"),
        lambda: VAULT.open_with(both, b"row-1", b"q" * 32, salt),
        lambda: VAULT.open_with(both, b"row-1", secret, b"t" * 16),
        lambda: KeyVault(KEK + "x").open_with(both, b"row-1", secret, salt),
    ):
        with pytest.raises(SealBroken):
            bad()
    assert KEK.encode() not in VAULT.kek_id.encode()


def test_bad_base64_is_a_clear_error() -> None:
    with pytest.raises(errors.InvalidInput) as info:
        uploads.decode_pkcs12("không phải base64!")
    assert info.value.code == "credential.bad_base64"
    with pytest.raises(errors.InvalidInput) as info:
        uploads.decode_pkcs12("   ")
    assert info.value.code == "credential.not_pkcs12"
    assert uploads.decode_pkcs12("aGVs\nbG8=\n") == b"hello"
