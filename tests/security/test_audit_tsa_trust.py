"""The audit checkpoints' RFC 3161 time-stamps are accepted only from a TSA whose
certificate chains to a root the operator configured (ECABINET_TSA_TRUST_ROOTS): a token
from another authority is a problem for `audit verify` and the restore check, and with no
root configured verify says the TSA was not checked."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine

from ecabinet.cli import main
from ecabinet.core.settings import Settings
from ecabinet.operations import audit_anchors, checks
from tests.security.test_audit_witness import _append, _checkpoint
from tests.support.pki import Pki, running_pki


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Pki]:
    with running_pki(tmp_path_factory.mktemp("pki")) as live:
        yield live


@pytest.fixture(scope="module")
def other_pki(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Pki]:
    """A second CA with its own TSA (same names, other keys): not the operator's."""
    with running_pki(tmp_path_factory.mktemp("other-pki")) as live:
        yield live


def _root_file(tmp_path: Path, pki: Pki, name: str) -> Path:
    path = tmp_path / f"{name}.pem"
    path.write_bytes(pki.root_pem())
    return path


def _broken(report: object) -> list[str]:
    return [f.text for f in report.findings if f.broken]  # type: ignore[attr-defined]


def _notes(report: object) -> list[str]:
    return [f.text for f in report.findings if not f.broken]  # type: ignore[attr-defined]


def test_a_token_from_the_trusted_tsa_passes(
    engine: Engine, settings: Settings, pki: Pki, tmp_path: Path
) -> None:
    stamped = dataclasses.replace(
        settings, tsa_url=pki.tsa_url, tsa_trust_roots=_root_file(tmp_path, pki, "root")
    )
    _append(engine, 3)
    assert _checkpoint(engine, stamped).timestamp_token
    report = audit_anchors.verify(engine, stamped, [])
    assert report.intact, _broken(report)
    assert any("time-stamp authority checked: each token's TSA chains" in n for n in _notes(report))
    assert checks.audit_chain(engine, stamped).ok


def test_a_token_from_another_tsa_is_a_problem(
    engine: Engine, settings: Settings, pki: Pki, other_pki: Pki, tmp_path: Path
) -> None:
    # the checkpoint is stamped by the other CA's TSA; the operator trusts only its own root
    elsewhere = dataclasses.replace(
        settings, tsa_url=other_pki.tsa_url, tsa_trust_roots=_root_file(tmp_path, pki, "root")
    )
    _append(engine, 2)
    cp = _checkpoint(engine, elsewhere)
    assert cp.timestamp_token
    report = audit_anchors.verify(engine, elsewhere, [])
    problems = _broken(report)
    assert len(problems) == 1, problems
    assert f"size {cp.size}: time-stamp invalid" in problems[0]
    assert "does not chain to a trusted time-stamping root" in problems[0]
    assert "Máy chủ cấp dấu thời gian Thử Nghiệm" in problems[0]  # which TSA
    restore = checks.audit_chain(engine, elsewhere)
    assert not restore.ok and "does not chain to a trusted time-stamping root" in restore.detail

    # trusting the other root instead: the same token passes
    other_root = dataclasses.replace(
        elsewhere, tsa_trust_roots=_root_file(tmp_path, other_pki, "other")
    )
    assert audit_anchors.verify(engine, other_root, []).intact


def test_without_roots_verify_says_the_tsa_was_not_checked(
    engine: Engine,
    settings: Settings,
    other_pki: Pki,
    database_url: str,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _append(engine, 1)
    _checkpoint(engine, dataclasses.replace(settings, tsa_url=other_pki.tsa_url))
    monkeypatch.setenv("ECABINET_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("ECABINET_DATABASE_URL", database_url)
    monkeypatch.setenv("ECABINET_SECRET_KEY", "k" * 40)
    monkeypatch.setenv("ECABINET_TSA_URL", other_pki.tsa_url)
    assert main(["audit", "verify"]) == 0
    out = capsys.readouterr().out
    assert "note: time-stamp authority not checked: no trusted root configured" in out
    assert "ECABINET_TSA_TRUST_ROOTS" in out


def test_an_unreadable_roots_file_is_a_problem(
    engine: Engine, settings: Settings, pki: Pki, tmp_path: Path
) -> None:
    junk = tmp_path / "roots.pem"
    junk.write_text("not a certificate")
    broken = dataclasses.replace(settings, tsa_url=pki.tsa_url, tsa_trust_roots=junk)
    _append(engine, 1)
    _checkpoint(engine, broken)
    problems = _broken(audit_anchors.verify(engine, broken, []))
    assert any(p.startswith("ECABINET_TSA_TRUST_ROOTS:") and str(junk) in p for p in problems)
