"""Right after `ecabinet demo`, a leader signs a sample document with the demo PIN, the
demo has issued documents under the province's seal, and the clerk copies one (sao y)."""

from __future__ import annotations

from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from sqlalchemy import Engine
from sqlmodel import col, select

from documents.models import Document
from ecabinet.core import errors, users
from ecabinet.core.audit import Actor, AuditEntry
from ecabinet.core.db import session_scope
from ecabinet.core.files import StoredFile
from ecabinet.core.storage import open_store
from ecabinet.demo import DEMO_PIN
from ecabinet.demo.seed import AGENCIES, DEMO_LABEL, DEMO_PASSWORD, seed
from ecabinet.signatures import copies, credentials, service
from ecabinet.signatures.activation import Activation
from ecabinet.signatures.models import CredentialKind, KeyWrap, SigningCredential
from ecabinet.signatures.setup import SigningSetup
from ecabinet.signatures.vault import KeyVault
from signing.keys import load_pkcs12
from tests.conftest import make_settings


def test_demo_leaders_and_seals_sign_out_of_the_box(
    tmp_path: Path, database_url: str, engine: Engine
) -> None:
    settings = make_settings(tmp_path / "data", database_url, demo_mode="true")
    store = open_store(settings)
    first = seed(engine, store, settings)
    assert first.created_credentials == 6 + len(AGENCIES)  # six leaders, every agency's seal
    assert "signing credentials" in first.summary()
    again = seed(engine, store, settings)
    assert again.created_credentials == 0 and again.created_files == 0
    with session_scope(engine, write=False) as s:
        rows = s.exec(select(SigningCredential)).all()
        assert len(rows) == first.created_credentials
        assert all(r.label == DEMO_LABEL and r.image_sha256 and r.encrypted_key for r in rows)
        assert all(r.disabled_at is None and r.key_wrap == KeyWrap.kek_pin for r in rows)
        registered = ("signing_credential.upload", "signing_credential.image")
        uploads = s.exec(select(AuditEntry).where(col(AuditEntry.action).in_(registered))).all()
        assert {e.actor_name for e in uploads} == {"demo"}
        assert len(uploads) == 2 * len(rows)  # each registered, each given its image
        leader = users.by_username(s, "chutich")
        clerk = users.by_username(s, "vanthu")
        assert leader is not None and clerk is not None
        personal = s.exec(
            select(SigningCredential).where(SigningCredential.user_id == leader.id)
        ).one()
        seal = next(
            r for r in rows if r.kind == CredentialKind.seal and r.agency_id == personal.agency_id
        )
        document = s.exec(select(StoredFile).order_by(col(StoredFile.created_at))).first()
        assert document is not None
        issued = s.exec(
            select(Document).where(
                Document.agency_id == personal.agency_id,
                col(Document.state) == "issued",
                col(Document.electronic).is_(True),
            )
        ).first()
        assert issued is not None and issued.id is not None
    setup = SigningSetup(settings.with_secret())
    demo_pin = Activation(pin=DEMO_PIN)
    (signed,) = service.sign_files(
        engine,
        store,
        setup,
        leader,
        Actor.system("test"),
        [document.id],
        service.SignRequest(personal.id, box=(330.0, 60.0, 530.0, 160.0)),
        demo_pin,
    )
    report = service.validate_file(engine, store, setup, leader, signed.id)
    assert report.to_dict()["indication"] == "TOTAL-PASSED", report.render_vi()
    # The seal is never applied to a file as such; the clerk copies an issued document.
    with pytest.raises(errors.InvalidInput) as refused:
        service.sign_files(
            engine,
            store,
            setup,
            clerk,
            Actor.system("test"),
            [signed.id],
            service.SignRequest(seal.id),
            demo_pin,
        )
    assert refused.value.code == "credential.seal_not_here"
    _, copy = copies.copy_document(
        engine,
        store,
        setup,
        clerk,
        Actor.system("test"),
        issued.id,
        form=copies.Form.sao_y,
        given=demo_pin,
    )
    report = service.validate_upload(setup, store.read_bytes(copy.sha256))
    assert report.to_dict()["indication"] == "TOTAL-PASSED", report.render_vi()
    names = [s.signer.common_name for s in report.signatures if s.signer is not None]
    assert names == ["Nguyễn Thanh Bình"] + ["Ủy ban nhân dân tỉnh An Giang"] * 2
    # Outside demo mode the demo CA is not trusted.
    plain = SigningSetup(make_settings(tmp_path / "data", database_url).with_secret())
    report = service.validate_file(engine, store, plain, leader, signed.id)
    assert report.to_dict()["indication"] != "TOTAL-PASSED"
    # A certificate the demo CA issues again replaces the credential that carried it.
    for issued in ("chutich.p12", "chutich.pem"):
        (settings.data_dir / "demo-ca" / "people" / issued).unlink()
    assert seed(engine, store, settings).created_credentials == 1
    with session_scope(engine, write=False) as s:
        mine = s.exec(select(SigningCredential).where(SigningCredential.user_id == leader.id))
        old, new = sorted(mine, key=lambda r: r.created_at)
    assert old.id == personal.id and old.disabled_at is not None and new.disabled_at is None
    assert new.fingerprint != old.fingerprint and new.image_sha256 == old.image_sha256


def test_a_demo_credential_from_before_the_pins_gets_the_demo_pin(
    tmp_path: Path, database_url: str, engine: Engine
) -> None:
    settings = make_settings(tmp_path / "data", database_url, demo_mode="true").with_secret()
    store = open_store(settings)
    seed(engine, store, settings)
    key = load_pkcs12(
        (settings.data_dir / "demo-ca" / "people" / "chutich.p12").read_bytes(), DEMO_PASSWORD
    ).key
    der = key.private_bytes(
        serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    with session_scope(engine) as s:
        leader = users.by_username(s, "chutich")
        assert leader is not None
        row = s.exec(select(SigningCredential).where(SigningCredential.user_id == leader.id)).one()
        # As migration 0018 leaves a row registered before it: sealed under the KEK only.
        row.encrypted_key = KeyVault(settings.key_encryption_key).seal(
            der, credentials.associated(row)
        )
        row.key_wrap, row.pin_salt, row.pin_kdf = KeyWrap.kek, None, ""
        s.add(row)
    assert seed(engine, store, settings).created_credentials == 0
    with session_scope(engine, write=False) as s:
        again = s.get(SigningCredential, row.id)
        assert again is not None and again.key_wrap == KeyWrap.kek_pin
        (entry,) = s.exec(
            select(AuditEntry).where(AuditEntry.action == "signing_credential.pin_set")
        ).all()
        file_id = s.exec(select(StoredFile.id).where(col(StoredFile.owner).is_(None))).first()
    assert entry.object_id == row.id and entry.actor_name == "demo"
    (signed,) = service.sign_files(
        engine,
        store,
        SigningSetup(settings),
        leader,
        Actor.system("test"),
        [file_id],
        service.SignRequest(row.id),
        Activation(pin=DEMO_PIN),
    )
    assert signed.id != file_id
