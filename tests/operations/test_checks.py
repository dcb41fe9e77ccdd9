"""The checks that end a restore find what is wrong: a signed file whose bytes changed, a
blob that is missing, a broken audit chain, and what the chain alone cannot see: a log
truncated, emptied or recomputed under a signed checkpoint, a forged checkpoint, a
changed Merkle tree, a publication log that no longer matches its rows."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from ecabinet.core import audit, audit_tree
from ecabinet.core.db import session_scope
from ecabinet.core.settings import Settings
from ecabinet.core.storage import ObjectStore
from ecabinet.core.storage_local import LocalStore
from ecabinet.demo.ca import DemoCA
from ecabinet.operations import checks
from signing.keys import load_pkcs12
from signing.pades import sign_pdf
from signing.specs import FieldSpec
from tests.factories import make_world, stored_file
from tests.security.test_audit_rewrite import (
    _append,
    _checkpoint,
    _fix_head,
    _recompute_chain,
    _sql,
)


def test_signature_check_fails_a_changed_or_unsigned_file(
    settings: Settings, store: ObjectStore, demo_ca: DemoCA, pdf: bytes
) -> None:
    from tests.signing.conftest import PASSWORD

    key = load_pkcs12(demo_ca.people["leader"].read_bytes(), PASSWORD)
    signed = sign_pdf(pdf, key, FieldSpec(name="Chữ ký lãnh đạo"))
    settings.trust_anchors_dir.mkdir(parents=True, exist_ok=True)
    shutil.copy(demo_ca.folder / "root.pem", settings.trust_anchors_dir / "root.pem")
    good = store.put_bytes(signed).sha256
    check = checks.validate_sample(store, settings, [good], 5)
    assert check.ok and "1 passed" in check.detail, check.detail

    # One changed byte inside the signed range (the binary comment after the header):
    # same length, still a PDF, no longer what was signed.
    assert signed[9:10] == b"%"
    changed = store.put_bytes(signed[:10] + bytes([signed[10] ^ 1]) + signed[11:]).sha256
    check = checks.validate_sample(store, settings, [changed], 5)
    assert not check.ok and "1 failed" in check.detail, check.detail
    unsigned = store.put_bytes(pdf).sha256
    check = checks.validate_sample(store, settings, [good, changed, unsigned], 5)
    assert not check.ok
    assert "3 of 3" in check.detail and "1 passed" in check.detail


def test_missing_blob_and_broken_chain_are_reported(
    settings: Settings, engine: Engine, store: ObjectStore
) -> None:
    sha256 = stored_file(engine, store, make_world(engine).province.id, b"%PDF-1.7 a")
    assert checks.stored_files(engine, store).ok
    assert checks.audit_chain(engine, settings).ok
    assert isinstance(store, LocalStore)
    (store.root / "blobs" / sha256[:2] / sha256).write_bytes(b"%PDF-1.7 b")
    damaged = checks.stored_files(engine, store)
    assert not damaged.ok and sha256 in damaged.detail
    Path(store.root / "blobs" / sha256[:2] / sha256).unlink()
    assert not checks.stored_files(engine, store).ok
    with engine.begin() as conn:
        conn.execute(text("UPDATE audit_entry SET summary = 'rewritten' WHERE seq = 2"))
    broken = checks.audit_chain(engine, settings)
    assert not broken.ok and "entry 2" in broken.detail, broken.detail


def _tampered_log(engine: Engine, settings: Settings, how: str) -> None:
    _append(engine, 8)
    _checkpoint(engine, settings)
    if how == "truncated":
        _sql(engine, "DELETE FROM audit_entry WHERE seq > 5")
        _fix_head(engine)
    elif how == "emptied":
        _sql(engine, "DELETE FROM audit_entry", "DELETE FROM audit_head")
    elif how == "recomputed":
        _sql(engine, "UPDATE audit_entry SET actor_name = 'Người khác' WHERE seq = 3")
        _recompute_chain(engine)
    elif how == "checkpoint forged":
        _sql(engine, "DELETE FROM audit_entry WHERE seq > 5")
        _fix_head(engine)
        with session_scope(engine, write=False) as s:
            root = audit_tree.root(s, 5).hex()
        _sql(engine, f"UPDATE audit_checkpoint SET size = 5, root = '{root}'")  # noqa: S608
    elif how == "tree changed":
        _sql(engine, "UPDATE audit_node SET hash = '" + "ab" * 32 + "'")
        _sql(engine, "DELETE FROM audit_checkpoint")


@pytest.mark.parametrize(
    "how", ["truncated", "emptied", "recomputed", "checkpoint forged", "tree changed"]
)
def test_the_audit_check_sees_what_the_chain_alone_does_not(
    settings: Settings, engine: Engine, how: str
) -> None:
    make_world(engine)
    assert checks.audit_chain(engine, settings).ok
    _tampered_log(engine, settings, how)
    if how not in ("checkpoint forged", "tree changed"):
        with session_scope(engine, write=False) as s:  # the old check: the chain alone
            assert audit.verify(s) is None
    check = checks.audit_chain(engine, settings)
    assert not check.ok, (how, check.detail)


def test_the_audit_check_names_the_latest_signed_checkpoint(
    settings: Settings, engine: Engine
) -> None:
    _append(engine, 3)
    assert "no signed checkpoint yet" in checks.audit_chain(engine, settings).detail
    cp = _checkpoint(engine, settings)
    _append(engine, 2)
    check = checks.audit_chain(engine, settings)
    assert check.ok, check.detail
    assert f"latest signed checkpoint: {cp.size} entries" in check.detail
    assert f"{cp.size} covered by a checkpoint" in check.detail
