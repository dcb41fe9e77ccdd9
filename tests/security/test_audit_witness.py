"""Heads kept by others: a witness following a real server over HTTP catches a rewrite;
checkpoints carry an RFC 3161 time-stamp from the configured TSA, checked by verify."""

from __future__ import annotations

import base64
import dataclasses
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from sqlmodel import select
from starlette.testclient import TestClient

from ecabinet.app import create_app
from ecabinet.cli import main
from ecabinet.core import audit, audit_tree, audit_witness
from ecabinet.core.audit import Actor, AuditEntry
from ecabinet.core.db import session_scope
from ecabinet.core.settings import Settings
from ecabinet.core.storage import open_store
from ecabinet.operations import audit_anchors
from tests.support.live import serve
from tests.support.pki import Pki, running_pki

ACTOR = Actor(3, "Lê Văn C", "10.0.0.3")


def _append(engine: Engine, n: int) -> None:
    for i in range(n):
        with session_scope(engine) as s:
            audit.record(s, ACTOR, "vote.ballot", "vote", i, f"phiếu {i}")


def _checkpoint(engine: Engine, settings: Settings) -> audit_tree.AuditCheckpoint:
    cp = audit_anchors.checkpoint_now(engine, settings, force=True)
    assert cp is not None
    return cp


@pytest.fixture
def server(settings: Settings, engine: Engine) -> Iterator[str]:
    quiet = dataclasses.replace(settings, reminder_minutes=0)  # no scheduler in the test
    with serve(create_app(quiet, engine=engine, store=open_store(quiet))) as base:
        yield base


def _rewrite_entry(engine: Engine, seq: int) -> None:
    with engine.begin() as conn:
        conn.execute(
            text("UPDATE audit_entry SET actor_name = 'ai khác' WHERE seq = :seq"), {"seq": seq}
        )
    with session_scope(engine) as s:
        prev = audit.GENESIS
        for entry in s.exec(select(AuditEntry).order_by(AuditEntry.seq)).all():
            entry.prev_hash = prev
            entry.hash = prev = audit.entry_hash(entry)
            s.add(entry)
        s.flush()
        s.execute(text("UPDATE audit_head SET hash = :h"), {"h": prev})


def _forge_checkpoint(engine: Engine, settings: Settings) -> None:
    """A rewrite by someone who also holds the server's key: the tree and checkpoints are
    rebuilt from the rewritten entries, all signed properly."""
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM audit_checkpoint"))
        conn.execute(text("DELETE FROM audit_node"))
        conn.execute(text("DELETE FROM audit_tree"))
    _checkpoint(engine, settings)


def test_witness_over_http_catches_a_rewrite(
    server: str,
    engine: Engine,
    settings: Settings,
    database_url: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("ECABINET_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("ECABINET_DATABASE_URL", database_url)
    monkeypatch.setenv("ECABINET_SECRET_KEY", "k" * 40)
    state = tmp_path / "witness"
    _append(engine, 5)
    _checkpoint(engine, settings)
    assert main(["audit", "witness", server, "--state", str(state)]) == 0
    assert "5 entries (first head kept)" in capsys.readouterr().out
    _append(engine, 4)
    _checkpoint(engine, settings)
    assert main(["audit", "witness", server, "--state", str(state)]) == 0
    assert "9 entries (was 5)" in capsys.readouterr().out
    assert json.loads((state / "head.json").read_text())["tree_size"] == 9

    # the key holder rewrites entry 3 (who voted) and re-signs everything
    _rewrite_entry(engine, 3)
    _append(engine, 1)
    _forge_checkpoint(engine, settings)
    assert main(["audit", "witness", server, "--state", str(state)]) == 2
    err = capsys.readouterr().err
    assert "AUDIT LOG REWRITTEN" in err and "entries 1–9 were rewritten" in err
    alarm = json.loads((state / "alarm.json").read_text())
    assert alarm["kept"]["tree_size"] == 9 and alarm["served"]["tree_size"] == 10
    assert json.loads((state / "head.json").read_text())["tree_size"] == 9  # not replaced
    # and verify, given the witness's state, names the entries at stake
    assert main(["audit", "verify", "--witness", str(state)]) == 1
    assert "entries 1–9 contradict the witness state" in capsys.readouterr().out


def test_witness_catches_a_truncated_log(
    server: str, engine: Engine, settings: Settings, tmp_path: Path
) -> None:
    _append(engine, 6)
    _checkpoint(engine, settings)
    audit_witness.watch(server, tmp_path)
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM audit_entry WHERE seq > 3"))
        conn.execute(text("DELETE FROM audit_head"))
    _forge_checkpoint(engine, settings)
    with pytest.raises(audit_witness.Rewritten, match="shrank from 6 to 3"):
        audit_witness.watch(server, tmp_path)


def test_witness_refuses_another_key(
    server: str, engine: Engine, settings: Settings, tmp_path: Path
) -> None:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    _append(engine, 2)
    _checkpoint(engine, settings)
    other = Ed25519PrivateKey.generate().public_key()
    (tmp_path / "public_key.pem").write_bytes(
        other.public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    )
    with pytest.raises(audit_witness.Rewritten, match="which no key this witness trusts endorsed"):
        audit_witness.watch(server, tmp_path)


def test_witness_of_an_unreachable_server_says_so(tmp_path: Path, capsys) -> None:
    assert main(["audit", "witness", "http://127.0.0.1:9", "--state", str(tmp_path)]) == 1
    assert "cannot check" in capsys.readouterr().err


def test_api_serves_checkpoint_and_proofs_without_content(
    app_client: TestClient, engine: Engine, settings: Settings
) -> None:
    assert app_client.get("/api/v1/public/audit/checkpoint").status_code == 404
    _append(engine, 3)
    _checkpoint(engine, settings)
    _append(engine, 4)
    _checkpoint(engine, settings)
    head = app_client.get("/api/v1/public/audit/checkpoint").json()
    assert head["tree_size"] == 7 and "Lê Văn C" not in json.dumps(head)
    proof = app_client.get("/api/v1/public/audit/consistency?first=3&second=7").json()
    assert "Lê Văn C" not in json.dumps(proof)
    with session_scope(engine, write=False) as s:
        old = audit_tree.root(s, 3)
    from ecabinet.core import merkle

    assert merkle.verify_consistency(
        3, 7, old, bytes.fromhex(head["root_hash"]), [bytes.fromhex(h) for h in proof["audit_path"]]
    )
    for query in ("first=5&second=3", "first=0&second=8", "first=x&second=3", "first=1"):
        answer = app_client.get(f"/api/v1/public/audit/consistency?{query}")
        assert answer.status_code in (400, 422), query
        assert answer.json()["code"] in ("audit.bad_size", "request.bad_query")


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Pki]:
    with running_pki(tmp_path_factory.mktemp("pki")) as live:
        yield live


def test_checkpoints_are_time_stamped_and_checked(
    engine: Engine, settings: Settings, pki: Pki
) -> None:
    stamped = dataclasses.replace(settings, tsa_url=pki.tsa_url)
    _append(engine, 3)
    cp = _checkpoint(engine, stamped)
    assert cp.timestamp_token
    report = audit_anchors.verify(engine, stamped, [])
    assert report.intact, report.findings
    assert any("time-stamps checked, by" in f.text for f in report.findings)

    # a token moved onto another checkpoint (or a forged one) does not check
    _append(engine, 2)
    later = _checkpoint(engine, stamped)
    with engine.begin() as conn:
        conn.execute(
            text("UPDATE audit_checkpoint SET timestamp_token = :t WHERE size = :s"),
            {"t": cp.timestamp_token, "s": later.size},
        )
    report = audit_anchors.verify(engine, stamped, [])
    assert any(
        f"size {later.size}: time-stamp invalid" in f.text for f in report.findings if f.broken
    )
    with engine.begin() as conn:
        conn.execute(
            text("UPDATE audit_checkpoint SET timestamp_token = :t WHERE size = :s"),
            {"t": base64.b64encode(b"junk").decode(), "s": later.size},
        )
    report = audit_anchors.verify(engine, stamped, [])
    assert any("not a time-stamp token" in f.text for f in report.findings if f.broken)


def test_without_a_tsa_verify_says_time_stamps_were_skipped(
    engine: Engine, settings: Settings
) -> None:
    _append(engine, 1)
    cp = _checkpoint(engine, settings)
    assert cp.timestamp_token is None
    report = audit_anchors.verify(engine, settings, [])
    assert report.intact
    assert any("no time-stamp authority configured" in f.text for f in report.findings)


def test_an_unreachable_tsa_leaves_the_checkpoint_unstamped(
    engine: Engine, settings: Settings
) -> None:
    away = dataclasses.replace(settings, tsa_url="http://127.0.0.1:9/tsa", network_timeout=1.0)
    _append(engine, 1)
    cp = _checkpoint(engine, away)
    assert cp.timestamp_token is None
    report = audit_anchors.verify(engine, away, [])
    assert any("carry no time-stamp" in f.text for f in report.findings)


def test_witness_follows_a_rotated_key_endorsed_by_the_one_it_trusted(
    server: str,
    engine: Engine,
    settings: Settings,
    database_url: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("ECABINET_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("ECABINET_DATABASE_URL", database_url)
    monkeypatch.setenv("ECABINET_SECRET_KEY", "k" * 40)
    state = tmp_path / "witness"
    _append(engine, 3)
    first = _checkpoint(engine, settings)
    assert main(["audit", "witness", server, "--state", str(state)]) == 0
    capsys.readouterr()

    assert main(["log", "rotate-key"]) == 0
    capsys.readouterr()
    _append(engine, 2)
    rotated = _checkpoint(engine, settings)
    assert rotated.key_id != first.key_id
    assert main(["audit", "witness", server, "--state", str(state)]) == 0, capsys.readouterr()
    out = capsys.readouterr().out
    assert "5 entries (was 3)" in out
    assert f"following the log's new key {rotated.key_id[:16]}" in out
    assert not (state / "alarm.json").exists()
    kept = json.loads((state / "keys.json").read_text())
    assert set(kept) == {first.key_id, rotated.key_id}

    # the next run knows the new key: no key set read, nothing new to say
    _append(engine, 1)
    _checkpoint(engine, settings)
    assert main(["audit", "witness", server, "--state", str(state)]) == 0
    out = capsys.readouterr().out
    assert "6 entries (was 5)" in out and "following" not in out

    # the first key's row removed from the key set, then another rotation: the new key is
    # endorsed by the second, so the run checks out, says what is missing, forgets nothing
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM publication_log_key WHERE key_id = :k"), {"k": first.key_id})
    assert main(["log", "rotate-key"]) == 0
    capsys.readouterr()
    _append(engine, 1)
    third = _checkpoint(engine, settings)
    assert main(["audit", "witness", server, "--state", str(state)]) == 0
    captured = capsys.readouterr()
    assert f"following the log's new key {third.key_id[:16]}" in captured.out
    assert f"the trusted key {first.key_id[:16]} is gone" in captured.err
    kept = json.loads((state / "keys.json").read_text())
    assert set(kept) == {first.key_id, rotated.key_id, third.key_id}


def test_a_witness_that_pinned_one_key_follows_its_rotation(
    server: str, engine: Engine, settings: Settings, tmp_path: Path
) -> None:
    """A state folder from before key sets (one ``public_key.pem``) follows the rotation."""
    from documents import publication_log

    _append(engine, 2)
    _checkpoint(engine, settings)
    key = publication_log.signing_key(settings.data_dir, settings.publication_log_key_file)
    (tmp_path / "public_key.pem").write_text(publication_log.public_pem(key))
    audit_witness.watch(server, tmp_path)
    with session_scope(engine) as s:
        new = publication_log.rotate_key(s, settings.data_dir, settings.publication_log_key_file)
    _append(engine, 2)
    _checkpoint(engine, settings)
    seen = audit_witness.watch(server, tmp_path)
    assert seen.new_keys == (new.key_id,) and seen.size == 4


def test_witness_alarms_for_a_key_nothing_it_trusts_endorsed(
    server: str, engine: Engine, settings: Settings, tmp_path: Path
) -> None:
    _append(engine, 2)
    _checkpoint(engine, settings)
    audit_witness.watch(server, tmp_path)
    # the key file replaced by hand (or an attacker's key): it signs, nobody endorsed it
    key_file = settings.publication_log_key_file or settings.data_dir / "publication_log_key.pem"
    key_file.unlink()
    _append(engine, 1)
    cp = _checkpoint(engine, settings)
    with pytest.raises(audit_witness.Rewritten, match="which no key this witness trusts endorsed"):
        audit_witness.watch(server, tmp_path)
    alarm = json.loads((tmp_path / "alarm.json").read_text())
    assert alarm["served"]["key_id"] == cp.key_id and "not endorsed" in alarm["problem"]
    assert json.loads((tmp_path / "head.json").read_text())["tree_size"] == 2
    assert cp.key_id not in json.loads((tmp_path / "keys.json").read_text())
