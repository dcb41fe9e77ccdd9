"""``ecabinet vote verify RECORD``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ecabinet.cli import main
from ecabinet.meetings import ballots as b
from tests.conftest import SECRET
from tests.meetings.ballots.helpers import context, run_ceremony


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ECABINET_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("ECABINET_SECRET_KEY", SECRET)


def test_vote_verify_says_valid_then_names_a_tampered_count(
    env: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    c = run_ceremony(3, 2)
    ctx = context(c)
    ballots = [b.encrypt_ballot(ctx, j) for j in (0, 0, 2)]
    agg = b.aggregate(ctx, ballots)
    partials = {s.index: b.partial_decrypt(ctx, s, agg) for s in c.shares[1:]}
    record = b.build_record(ctx, c.announcements, ballots, agg, partials, [2, 0, 1])
    path = tmp_path / "record.json"
    path.write_bytes(record)
    assert main(["vote", "verify", str(path)]) == 0
    out = capsys.readouterr().out
    assert "Hồ sơ hợp lệ" in out and "Record valid" in out
    assert b.record_hash(record) in out and "2, 0, 1" in out

    d = json.loads(record)
    d["counts"] = [1, 1, 1]
    path.write_bytes(b.canonical_json(d) + b"\n")
    assert main(["vote", "verify", str(path)]) == 1
    out = capsys.readouterr().out
    assert "KHÔNG hợp lệ" in out and "INVALID" in out
    assert "counts[0]: record says 1, decryption gives 2" in out

    assert main(["vote", "verify", str(tmp_path / "missing.json")]) == 2


def test_vote_verify_finds_a_voters_ballot_by_its_tracking_code(
    env: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    c = run_ceremony(3, 2)
    ctx = context(c)
    ballots = [b.encrypt_ballot(ctx, j) for j in (1, 0)]
    agg = b.aggregate(ctx, ballots)
    partials = {s.index: b.partial_decrypt(ctx, s, agg) for s in c.shares[:2]}
    path = tmp_path / "record.json"
    path.write_bytes(b.build_record(ctx, c.announcements, ballots, agg, partials, [1, 1, 0]))
    mine = b.tracking_code(ballots[0])
    short = b.short_code(mine)
    for code in (mine, short):
        assert main(["vote", "verify", str(path), "--tracking-code", code]) == 0
        assert f"Phiếu {code}: có trong hồ sơ" in capsys.readouterr().out
    other = b.tracking_code(b.encrypt_ballot(ctx, 0))
    assert main(["vote", "verify", str(path), "--tracking-code", other]) == 1
    assert "KHÔNG có trong hồ sơ" in capsys.readouterr().out
    # a code that is no code, and a file that is no record: 2, said in both languages
    assert main(["vote", "verify", str(path), "--tracking-code", "xyz"]) == 2
    path.write_bytes(b"[1, 2]")
    assert main(["vote", "verify", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.count("ecabinet:") == 2 and " / " in err
