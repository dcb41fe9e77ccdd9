"""Right after `ecabinet demo`, a leader signs a sample document and the clerk seals it."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine
from sqlmodel import col, select

from ecabinet.core import users
from ecabinet.core.audit import Actor, AuditEntry
from ecabinet.core.db import session_scope
from ecabinet.core.files import StoredFile
from ecabinet.core.storage import open_store
from ecabinet.demo.seed import AGENCIES, DEMO_LABEL, seed
from ecabinet.signatures import service
from ecabinet.signatures.models import CredentialKind, SigningCredential
from ecabinet.signatures.setup import SigningSetup
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
        assert all(r.disabled_at is None for r in rows)
        uploads = s.exec(
            select(AuditEntry).where(col(AuditEntry.action).startswith("signing_credential."))
        ).all()
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
    setup = SigningSetup(settings.with_secret())
    (signed,) = service.sign_files(
        engine,
        store,
        setup,
        leader,
        Actor.system("test"),
        [document.id],
        service.SignRequest(personal.id, box=(330.0, 60.0, 530.0, 160.0)),
    )
    (sealed,) = service.sign_files(
        engine,
        store,
        setup,
        clerk,
        Actor.system("test"),
        [signed.id],
        service.SignRequest(seal.id, appearance=True),
    )
    report = service.validate_file(engine, store, setup, clerk, sealed.id)
    assert report.to_dict()["indication"] == "TOTAL-PASSED", report.render_vi()
    names = [s.signer.common_name for s in report.signatures if s.signer is not None]
    assert names == ["Nguyễn Thanh Bình", "Ủy ban nhân dân tỉnh An Giang"]
    # Outside demo mode the demo CA is not trusted.
    plain = SigningSetup(make_settings(tmp_path / "data", database_url).with_secret())
    report = service.validate_file(engine, store, plain, clerk, sealed.id)
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
