"""An outsider with the database (and not the server's key) rewrites the audit log by hand:
truncation (head fixed or deleted), deletion of everything, an edited entry with the chain
recomputed, the head deleted. ``audit verify`` must catch each against the anchors it can
reach, and say which entries are at stake; a deleted head must not break writes."""

from __future__ import annotations

import dataclasses
import json
import logging
from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from sqlmodel import select

from ecabinet.cli import main
from ecabinet.core import audit, audit_tree
from ecabinet.core.audit import Actor, AuditEntry
from ecabinet.core.db import session_scope
from ecabinet.core.settings import Settings
from ecabinet.operations import audit_anchors

VOTER = Actor(7, "Nguyễn Văn A", "10.0.0.7")


def _append(engine: Engine, n: int, action: str = "vote.ballot") -> None:
    for i in range(n):
        with session_scope(engine) as s:
            audit.record(s, VOTER, action, "vote", i, f"phiếu {i}")


def _checkpoint(engine: Engine, settings: Settings) -> audit_tree.AuditCheckpoint:
    cp = audit_anchors.checkpoint_now(engine, settings, force=True)
    assert cp is not None
    return cp


def _verify(engine: Engine, settings: Settings, *extra: audit_anchors.audit_verify.Anchor):
    return audit_anchors.verify(engine, settings, list(extra))


def _broken(report) -> list[str]:  # type: ignore[no-untyped-def]
    return [f.text for f in report.findings if f.broken]


def _sql(engine: Engine, *statements: str) -> None:
    with engine.begin() as conn:
        for statement in statements:
            conn.execute(text(statement))


def _recompute_chain(engine: Engine) -> None:
    """What an outsider does after editing an entry: rehash every entry and fix the head."""
    with session_scope(engine) as s:
        prev = audit.GENESIS
        for entry in s.exec(select(AuditEntry).order_by(AuditEntry.seq)).all():
            entry.prev_hash = prev
            entry.hash = prev = audit.entry_hash(entry)
            s.add(entry)
        s.flush()
        s.execute(text("UPDATE audit_head SET hash = :h"), {"h": prev})


def _fix_head(engine: Engine) -> None:
    with session_scope(engine) as s:
        last = s.exec(select(AuditEntry).order_by(AuditEntry.seq.desc()).limit(1)).first()  # type: ignore[attr-defined]
        seq, digest = (last.seq, last.hash) if last else (0, audit.GENESIS)
        s.execute(text("UPDATE audit_head SET seq = :s, hash = :h"), {"s": seq, "h": digest})


def test_intact_log_verifies_and_names_what_is_not_covered(engine: Engine, settings: Settings):
    _append(engine, 5)
    _checkpoint(engine, settings)
    _append(engine, 2)
    report = _verify(engine, settings)
    assert report.intact, report.findings
    assert (report.entries, report.covered) == (7, 5)
    assert any("entries 6–7 are not covered" in f.text for f in report.findings)


@pytest.mark.parametrize("head", ["fixed", "deleted"])
def test_truncation_is_caught(engine: Engine, settings: Settings, head: str) -> None:
    _append(engine, 10)
    cp = _checkpoint(engine, settings)
    _sql(engine, "DELETE FROM audit_entry WHERE seq > 7")
    if head == "fixed":
        _fix_head(engine)
    else:
        _sql(engine, "DELETE FROM audit_head")
    with session_scope(engine, write=False) as s:  # the chain alone sees nothing wrong
        assert audit.verify(s) is None or head == "deleted"
    report = _verify(engine, settings)
    assert not report.intact
    when = cp.at.strftime("%Y-%m-%d %H:%M:%S UTC")
    assert any(
        f"entries 8–10 are missing: the checkpoint in the database of {when}, size 10" in t
        for t in _broken(report)
    ), _broken(report)
    # the publication log carries the same checkpoint, out of the database's reach
    assert any("publication log entry" in t for t in _broken(report))


def test_deleting_everything_is_caught(engine: Engine, settings: Settings) -> None:
    _append(engine, 6)
    _checkpoint(engine, settings)
    _sql(engine, "DELETE FROM audit_entry", "DELETE FROM audit_head")
    report = _verify(engine, settings)
    assert report.entries == 0 and not report.intact
    assert any("entries 1–6 are missing" in t for t in _broken(report))


def test_edited_vote_with_recomputed_chain_is_caught(engine: Engine, settings: Settings) -> None:
    _append(engine, 3)
    _checkpoint(engine, settings)
    _append(engine, 5)
    _checkpoint(engine, settings)
    _sql(engine, "UPDATE audit_entry SET actor_name = 'Trần Thị B' WHERE seq = 5")
    _recompute_chain(engine)
    with session_scope(engine, write=False) as s:
        assert audit.verify(s) is None  # the unkeyed chain is fooled
    report = _verify(engine, settings)
    broken = _broken(report)
    assert any("entries 4–8 contradict the checkpoint in the database" in t for t in broken)
    assert not any("entries 1–3" in t for t in broken)  # the first checkpoint still holds


def test_rewrite_with_checkpoints_deleted_is_caught_by_the_publication_log(
    engine: Engine, settings: Settings
) -> None:
    _append(engine, 4)
    _checkpoint(engine, settings)
    _sql(engine, "UPDATE audit_entry SET summary = 'khác' WHERE seq = 2")
    _recompute_chain(engine)
    _sql(engine, "DELETE FROM audit_checkpoint", "DELETE FROM audit_node", "DELETE FROM audit_tree")
    report = _verify(engine, settings)
    assert any("entries 1–4 contradict the publication log entry" in t for t in _broken(report))


def test_rewrite_of_every_anchor_in_the_database_is_caught_by_a_kept_head(
    engine: Engine, settings: Settings, tmp_path: Path
) -> None:
    _append(engine, 4)
    cp = _checkpoint(engine, settings)
    kept = tmp_path / "head.json"
    kept.write_text(json.dumps(audit_tree.to_json(cp)))
    _sql(engine, "DELETE FROM audit_entry WHERE seq = 4")
    _fix_head(engine)
    _sql(
        engine,
        "DELETE FROM audit_checkpoint",
        "DELETE FROM publication_log_entry WHERE kind = 'audit_checkpoint'",
    )
    # the stored Merkle tree still covers entry 4
    report = _verify(engine, settings)
    assert any("entry 4 are missing: the stored Merkle tree" in t for t in _broken(report))
    _sql(engine, "DELETE FROM audit_node", "UPDATE audit_tree SET size = 0")
    report = _verify(engine, settings)
    assert report.intact  # nothing left in the database to contradict
    anchor = audit_anchors.read_anchor(kept, f"head file {kept}")
    report = _verify(engine, settings, anchor)
    assert any(f"entry 4 are missing: the head file {kept}" in t for t in _broken(report))


def test_forged_checkpoint_signature_is_refused(
    engine: Engine, settings: Settings, tmp_path: Path
) -> None:
    _append(engine, 3)
    cp = _checkpoint(engine, settings)
    forged = audit_tree.to_json(cp) | {"tree_size": 2}
    kept = tmp_path / "forged.json"
    kept.write_text(json.dumps(forged))
    report = _verify(engine, settings, audit_anchors.read_anchor(kept, "head file"))
    assert any("signature does not verify" in t for t in _broken(report))


def test_unreadable_head_file_is_a_clear_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"tree_size": "x"}')
    with pytest.raises(ValueError, match="not an audit checkpoint"):
        audit_anchors.read_anchor(bad, "head file")
    bad.write_text("not json")
    with pytest.raises(ValueError):
        audit_anchors.read_anchor(bad, "head file")


@pytest.mark.parametrize("damage", ["DELETE FROM audit_head", "UPDATE audit_head SET seq = 2"])
def test_damaged_head_is_rebuilt_and_reported(
    engine: Engine, settings: Settings, damage: str, caplog: pytest.LogCaptureFixture
) -> None:
    _append(engine, 4)
    _sql(engine, damage)
    # this write used to fail on a duplicate seq, as every write after it: each a 500
    with caplog.at_level(logging.ERROR, logger="ecabinet.audit"), session_scope(engine) as s:
        entry = audit.record(s, VOTER, "meeting.open", "meeting", 1)
    assert entry.seq == 6 and entry.action == "meeting.open"
    assert any("rebuilt" in r.getMessage() for r in caplog.records)
    with session_scope(engine, write=False) as s:
        assert audit.verify(s) is None  # the chain goes on unbroken
        rebuilt = s.exec(select(AuditEntry).where(AuditEntry.seq == 5)).one()
    assert rebuilt.action == audit.REBUILT
    report = _verify(engine, settings)
    assert any("entry 5" in t and "head rebuilt" in t for t in _broken(report))
    _append(engine, 2)  # and writes go on
    with session_scope(engine, write=False) as s:
        assert audit.verify(s) is None


def test_deleted_head_is_reported_before_the_next_write(engine: Engine, settings: Settings):
    _append(engine, 2)
    _sql(engine, "DELETE FROM audit_head")
    assert any("head row is missing" in t for t in _broken(_verify(engine, settings)))


def test_a_checkpoint_refuses_to_sign_an_altered_chain(
    engine: Engine, settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    _append(engine, 3)
    _checkpoint(engine, settings)
    _append(engine, 3)
    _sql(engine, "UPDATE audit_entry SET summary = 'x' WHERE seq = 5")
    with caplog.at_level(logging.ERROR, logger="ecabinet.audit"):
        assert audit_anchors.checkpoint_now(engine, settings, force=True) is None
    assert any("refused" in r.getMessage() for r in caplog.records)
    with session_scope(engine, write=False) as s:
        assert audit_tree.latest(s).size == 3  # type: ignore[union-attr]
        assert audit_tree.tree_size(s) == 3


def test_checkpoints_follow_the_entry_count_and_the_clock(
    engine: Engine, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    from datetime import timedelta

    from ecabinet.core import types

    settings = dataclasses.replace(
        settings, audit_checkpoint_entries=5, audit_checkpoint_seconds=300
    )
    job = audit_anchors.job(settings)
    assert job(engine) == 0  # an empty log: nothing to sign
    with session_scope(engine, write=False) as s:
        assert audit_tree.latest(s) is None
    _append(engine, 4)
    assert job(engine) == 1  # the first checkpoint: none before
    _append(engine, 4)
    assert job(engine) == 0  # 4 waiting, the last one fresh
    _append(engine, 1)
    assert job(engine) == 1  # 5 waiting
    _append(engine, 1)
    assert job(engine) == 0
    later = types.utcnow() + timedelta(seconds=301)
    monkeypatch.setattr(audit_tree, "utcnow", lambda: later)
    assert job(engine) == 1  # old enough
    assert job(engine) == 0  # nothing waits
    with session_scope(engine, write=False) as s:
        sizes = list(s.exec(select(audit_tree.AuditCheckpoint.size)))
    assert sorted(sizes) == [4, 9, 10]


def test_cli_head_and_verify(
    engine: Engine, settings: Settings, database_url: str, tmp_path: Path, monkeypatch, capsys
) -> None:
    monkeypatch.setenv("ECABINET_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("ECABINET_DATABASE_URL", database_url)
    monkeypatch.setenv("ECABINET_SECRET_KEY", "k" * 40)
    _append(engine, 3)
    assert main(["audit", "head"]) == 1  # none yet
    assert main(["audit", "checkpoint"]) == 0
    capsys.readouterr()
    assert main(["audit", "head"]) == 0
    head = json.loads(capsys.readouterr().out)
    assert head["tree_size"] == 3 and head["key_id"] and "BEGIN PUBLIC KEY" in head["public_key"]
    kept = tmp_path / "kept.json"
    kept.write_text(json.dumps(head))
    assert main(["audit", "verify", "--head", str(kept)]) == 0
    assert "audit log intact: 3 entries, 3 covered" in capsys.readouterr().out
    _sql(engine, "DELETE FROM audit_entry", "DELETE FROM audit_head")
    assert main(["audit", "verify", "--head", str(kept)]) == 1
    out = capsys.readouterr().out
    assert "entries 1–3 are missing" in out and "BROKEN" in out


def test_checkpoints_signed_before_a_key_rotation_still_verify(
    engine: Engine, settings: Settings, database_url: str, tmp_path: Path, monkeypatch, capsys
) -> None:
    """One key signs both logs' heads: after ``log rotate-key`` the audit checkpoints signed
    with the old key verify against the published key set, and the new ones name the new
    key (before, verify knew only the key file's key and called old checkpoints forged)."""
    monkeypatch.setenv("ECABINET_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("ECABINET_DATABASE_URL", database_url)
    monkeypatch.setenv("ECABINET_SECRET_KEY", "k" * 40)
    _append(engine, 3)
    assert main(["audit", "checkpoint"]) == 0
    assert main(["audit", "head"]) == 0
    capsys.readouterr()
    assert main(["audit", "head"]) == 0
    old = json.loads(capsys.readouterr().out)
    assert main(["log", "rotate-key"]) == 0
    _append(engine, 2)
    assert main(["audit", "checkpoint"]) == 0
    capsys.readouterr()
    assert main(["audit", "head"]) == 0
    new = json.loads(capsys.readouterr().out)
    assert new["key_id"] != old["key_id"] and new["public_key"] != old["public_key"]
    kept = tmp_path / "old.json"
    kept.write_text(json.dumps(old))
    assert main(["audit", "verify", "--head", str(kept)]) == 0, capsys.readouterr().out
    assert "audit log intact: 5 entries, 5 covered" in capsys.readouterr().out
