"""Signing credentials: uploads checked, keys sealed at rest, used only by their owners."""

from __future__ import annotations

import datetime as dt
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
from ecabinet.core.users import User
from ecabinet.signatures import credentials
from ecabinet.signatures.models import CredentialKind, SigningCredential
from ecabinet.signatures.vault import KeyVault
from signing.pades import sign_pdf
from signing.specs import FieldSpec
from tests.factories import ACTOR, World, make_world
from tests.support.credentials import PASSPHRASE, Issued, Issuer, issuer

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


def _upload(
    engine: Engine,
    world: World,
    issued: Issued,
    *,
    by: str = "admin",
    passphrase: str = PASSPHRASE,
    **owner: int | None,
) -> SigningCredential:
    with session_scope(engine) as s:
        return credentials.upload_credential(
            s,
            ACTOR,
            _subject(engine, world.people[by]),
            vault=VAULT,
            pkcs12=issued.data,
            passphrase=passphrase,
            **owner,  # type: ignore[arg-type]
        )


def _key_source(
    engine: Engine, world: World, who: str, credential_id: str, vault: KeyVault = VAULT
) -> credentials.PrivateKeySource:
    with session_scope(engine, write=False) as s:
        return credentials.key_source(
            s, _subject(engine, world.people[who]), credential_id, vault=vault
        )


def _leader_credential(engine: Engine, world: World, ca: Issuer) -> tuple[Issued, str]:
    issued = ca.pkcs12("Nguyễn Văn Lãnh", use_rsa=True)
    row = _upload(engine, world, issued, user_id=world.people["leader"].id)
    assert row.kind == CredentialKind.personal and row.agency_id == world.province.id
    return issued, row.id


def test_the_owner_signs_with_an_uploaded_credential(
    engine: Engine, world: World, ca: Issuer, sample_pdf_bytes: bytes
) -> None:
    from tests.signing.checks import pyhanko_verdicts

    issued, credential_id = _leader_credential(engine, world, ca)
    key = _key_source(engine, world, "leader", credential_id)
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
        issued.data,
    ]


def test_no_column_holds_the_key_or_the_passphrase(
    engine: Engine, world: World, ca: Issuer, settings_db_files: list[Path]
) -> None:
    issued, credential_id = _leader_credential(engine, world, ca)
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
    assert _key_source(engine, world, "leader", credential_id).certificate == issued.certificate


@pytest.fixture
def settings_db_files(database_url: str) -> list[Path]:
    if not database_url.startswith("sqlite:///"):
        return []
    main = Path(database_url.removeprefix("sqlite:///"))
    return [main, main.with_name(main.name + "-wal")]


def test_another_kek_or_a_tampered_row_fails_cleanly(
    engine: Engine, world: World, ca: Issuer
) -> None:
    _, credential_id = _leader_credential(engine, world, ca)
    with pytest.raises(errors.IntegrityFailure) as info:
        _key_source(engine, world, "leader", credential_id, KeyVault("another-kek-" + "x" * 30))
    assert info.value.code == "credential.wrong_kek"

    def tamper(statement: str, **params: object) -> str:
        with engine.begin() as conn:
            conn.execute(text(statement), {"id": credential_id, **params})
        with pytest.raises(errors.IntegrityFailure) as info:
            _key_source(engine, world, "leader", credential_id)
        return info.value.code

    with engine.connect() as conn:
        original = conn.execute(
            text("SELECT encrypted_key, certificate_pem FROM signing_credential WHERE id = :id"),
            {"id": credential_id},
        ).one()
    flipped = bytearray(original.encrypted_key)
    flipped[20] ^= 1
    assert (
        tamper("UPDATE signing_credential SET encrypted_key = :v WHERE id = :id", v=bytes(flipped))
        == "credential.tampered"
    )
    assert (
        tamper(
            "UPDATE signing_credential SET encrypted_key = :v WHERE id = :id",
            v=original.encrypted_key[:10],
        )
        == "credential.tampered"
    )
    with engine.begin() as conn:
        conn.execute(
            text("UPDATE signing_credential SET encrypted_key = :v WHERE id = :id"),
            {"v": original.encrypted_key, "id": credential_id},
        )
    assert _key_source(engine, world, "leader", credential_id)  # restored: opens again
    # Another certificate put beside the key: the fingerprint no longer matches.
    other = ca.pkcs12("Kẻ Mạo Danh").certificate.public_bytes(serialization.Encoding.PEM)
    assert (
        tamper(
            "UPDATE signing_credential SET certificate_pem = :v WHERE id = :id", v=other.decode()
        )
        == "credential.tampered"
    )


def test_a_sealed_key_moved_to_another_owner_does_not_open(
    engine: Engine, world: World, ca: Issuer
) -> None:
    _, credential_id = _leader_credential(engine, world, ca)
    thief = world.people["clerk"]
    with engine.begin() as conn:
        conn.execute(
            text("UPDATE signing_credential SET user_id = :u WHERE id = :id"),
            {"u": thief.id, "id": credential_id},
        )
    with pytest.raises(errors.IntegrityFailure) as info:
        _key_source(engine, world, "clerk", credential_id)
    assert info.value.code == "credential.tampered"


def test_only_the_owner_signs_with_a_personal_credential(
    engine: Engine, world: World, ca: Issuer
) -> None:
    _, credential_id = _leader_credential(engine, world, ca)
    with pytest.raises(errors.NotFound):  # cannot even see it
        _key_source(engine, world, "dept.specialist", credential_id)
    with pytest.raises(errors.NotFound):
        _key_source(engine, world, "clerk", credential_id)
    with pytest.raises(errors.PermissionDenied):  # the admin sees it, but may not sign
        _key_source(engine, world, "admin", credential_id)
    assert _key_source(engine, world, "leader", credential_id)


def test_only_the_agency_clerks_apply_its_seal(engine: Engine, world: World, ca: Issuer) -> None:
    row = _upload(engine, world, ca.pkcs12("Ủy ban nhân dân tỉnh"), agency_id=world.province.id)
    assert row.kind == CredentialKind.seal and row.user_id is None
    assert _key_source(engine, world, "clerk", row.id)
    with pytest.raises(errors.NotFound):
        _key_source(engine, world, "leader", row.id)
    with pytest.raises(errors.PermissionDenied):
        _key_source(engine, world, "admin", row.id)
    with pytest.raises(errors.NotFound):
        _key_source(engine, world, "dept.admin", row.id)


def test_uploads_that_are_refused(engine: Engine, world: World, ca: Issuer) -> None:
    leader_id = world.people["leader"].id
    good = ca.pkcs12("Nguyễn Văn Lãnh")

    def refusal(
        issued: Issued | bytes,
        *,
        passphrase: str = PASSPHRASE,
        by: str = "admin",
        **owner: int | None,
    ) -> tuple[type[errors.DomainError], str]:
        data = issued if isinstance(issued, bytes) else issued.data
        with pytest.raises(errors.DomainError) as info, session_scope(engine) as s:
            credentials.upload_credential(
                s,
                ACTOR,
                _subject(engine, world.people[by]),
                vault=VAULT,
                pkcs12=data,
                passphrase=passphrase,
                **owner or {"user_id": leader_id},  # type: ignore[arg-type]
            )
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
    _upload(engine, world, good, user_id=leader_id)
    assert refusal(good) == (errors.Conflict, "credential.duplicate")
    with session_scope(engine, write=False) as s:
        assert len(s.exec(select(SigningCredential)).all()) == 1


def test_a_file_without_a_passphrase(engine: Engine, world: World, ca: Issuer) -> None:
    open_file = ca.pkcs12("Không Mật Khẩu", passphrase="")
    row = _upload(engine, world, open_file, passphrase="", user_id=world.people["leader"].id)
    assert row.subject == "CN=Không Mật Khẩu,C=VN"


def test_list_disable_and_delete(engine: Engine, world: World, ca: Issuer) -> None:
    _, personal = _leader_credential(engine, world, ca)
    seal = _upload(engine, world, ca.pkcs12("Con dấu UBND"), agency_id=world.province.id).id
    specialist = world.people["dept.specialist"].id
    dept = _upload(engine, world, ca.pkcs12("Sở"), by="dept.admin", user_id=specialist).id

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
        _key_source(engine, world, "leader", personal)
    assert info.value.code == "credential.disabled"
    act(credentials.delete_credential, "admin", seal)
    with pytest.raises(errors.NotFound):
        _key_source(engine, world, "clerk", seal)
    assert listed("admin") == {personal, dept}
    with session_scope(engine, write=False) as s:
        actions = [e.action for e in s.exec(select(AuditEntry)) if e.object_type != "user"]
        assert actions.count("signing_credential.upload") == 3
        assert actions.count("signing_credential.disable") == 1
        assert actions.count("signing_credential.delete") == 1
        assert audit.verify(s) is None


def test_an_expired_certificate_no_longer_signs(engine: Engine, world: World, ca: Issuer) -> None:
    _, credential_id = _leader_credential(engine, world, ca)
    later = dt.datetime.now(dt.UTC) + dt.timedelta(days=400)
    with session_scope(engine, write=False) as s, pytest.raises(errors.Conflict) as info:
        credentials.key_source(
            s, subject_for(s, world.people["leader"]), credential_id, vault=VAULT, now=later
        )
    assert info.value.code == "credential.certificate_expired"


def test_vault_needs_a_long_kek_and_binds_the_associated_data() -> None:
    with pytest.raises(ValueError):
        KeyVault("short")
    sealed = VAULT.seal(b"secret", b"row-1")
    assert VAULT.open(sealed, b"row-1") == b"secret"
    assert VAULT.seal(b"secret", b"row-1") != sealed  # fresh nonce
    from ecabinet.signatures.vault import SealBroken

    for bad in ((sealed, b"row-2"), (sealed[:-1], b"row-1"), (b"", b"row-1")):
        with pytest.raises(SealBroken):
            VAULT.open(*bad)
    assert KeyVault(KEK).kek_id == VAULT.kek_id != KeyVault(KEK + "x").kek_id
    assert KEK.encode() not in VAULT.kek_id.encode()


def test_bad_base64_is_a_clear_error() -> None:
    with pytest.raises(errors.InvalidInput) as info:
        credentials.decode_pkcs12("không phải base64!")
    assert info.value.code == "credential.bad_base64"
    with pytest.raises(errors.InvalidInput) as info:
        credentials.decode_pkcs12("   ")
    assert info.value.code == "credential.not_pkcs12"
    assert credentials.decode_pkcs12("aGVs\nbG8=\n") == b"hello"
