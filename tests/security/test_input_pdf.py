"""Finding 14: untrusted PDF work runs under a CPU, memory and time budget. A real bomb
(50 pages sharing one 60 MB content stream, ~130 KB on the wire) is a clear 422 and
nothing is stored; the sandbox's limits hold for CPU, memory and wall-clock time."""

from __future__ import annotations

import pickle
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, func
from sqlmodel import select

from documents.models import Document
from ecabinet.core import errors
from ecabinet.core.db import session_scope
from ecabinet.core.files import StoredFile
from tests.documents.office import Office, office_app
from tests.support import sandbox_jobs as jobs
from tests.support.credentials import PIN, Issuer
from tests.support.pdf_bomb import pdf_bomb
from tests.support.signing_app import SigningApp, signing_app

BUDGET = {"pdf_cpu_seconds": "2", "pdf_memory_bytes": "256M", "pdf_seconds": "20"}


@pytest.fixture(scope="module")
def bomb() -> bytes:
    return pdf_bomb()


@pytest.fixture
def office(tmp_path: Path, database_url: str, engine: Engine) -> Iterator[Office]:
    with office_app(tmp_path, database_url, engine, **BUDGET) as app:
        yield app


def _documents(engine: Engine) -> int:
    with session_scope(engine, write=False) as s:
        return s.exec(select(func.count()).select_from(Document)).one()


def test_f14_the_bomb_is_small_and_shares_one_stream(bomb: bytes) -> None:
    assert len(bomb) < 200_000
    assert bomb.count(b"/Contents 3 0 R") == 50


def test_f14_a_received_bomb_is_a_422_and_nothing_is_stored(
    office: Office, engine: Engine, bomb: bytes
) -> None:
    r = office.receive(bomb)
    assert r.status_code == 422, r.text
    body = r.json()
    assert body["code"] == "pdf.too_costly" and body["message"]["vi"] and body["message"]["en"]
    r = office.draft(bomb)
    assert r.status_code == 422 and r.json()["code"] == "pdf.too_costly", r.text
    assert _documents(engine) == 0
    assert office.get("p.clerk", "/api/v1/documents").json()["total"] == 0


def test_f14_an_ordinary_pdf_still_goes_through(office: Office, pdf: bytes) -> None:
    r = office.receive(pdf)
    assert r.status_code == 201, r.text


def test_f14_the_sandbox_enforces_cpu_memory_and_time() -> None:
    from ecabinet.core import sandbox

    budget = sandbox.Budget(cpu_seconds=1, memory_bytes=128 * 2**20, wall_seconds=60)
    roomy = sandbox.Budget(cpu_seconds=30, memory_bytes=128 * 2**20, wall_seconds=60)
    for fn, limit, given in [(jobs.spin, "cpu", budget), (jobs.hog, "memory", roomy)]:
        with pytest.raises(sandbox.OverBudget) as caught:
            sandbox.run(given, fn, b"abc")
        assert caught.value.code == "pdf.too_costly" and caught.value.details["limit"] == limit
    short = sandbox.Budget(cpu_seconds=5, memory_bytes=128 * 2**20, wall_seconds=1)
    with pytest.raises(sandbox.OverBudget) as caught:
        sandbox.run(short, jobs.sleep, b"", 30)
    assert caught.value.details["limit"] == "time"
    with pytest.raises(errors.InvalidInput) as refused:
        sandbox.run(roomy, jobs.refuse, b"abcd")
    assert (refused.value.code, refused.value.en, refused.value.details) == (
        "x.bad",
        "bad 4",
        {"n": 1},
    )
    assert sandbox.run(roomy, len, b"abcde") == 5
    with pytest.raises(pickle.UnpicklingError):
        sandbox.run(roomy, jobs.smuggle, b"")


def test_f14_several_files_in_one_child_each_under_its_own_budget() -> None:
    """A batch shares one child: each item gets its own budget (three items of 1.1 s
    pass a budget of 2 s), the answers come one by one, and the item that runs over
    is named; nothing after it is read."""
    from ecabinet.core import sandbox

    budget = sandbox.Budget(cpu_seconds=2, memory_bytes=128 * 2**20, wall_seconds=60)
    assert list(sandbox.run_each(budget, jobs.burn, [b"1.1", b"1.1", b"1.1"])) == [3, 3, 3]
    answers = sandbox.run_each(budget, jobs.burn, [b"0.1", b"spin", b"0.1"])
    assert next(answers) == 3
    with pytest.raises(sandbox.OverBudget) as caught:
        next(answers)
    assert caught.value.details == {"limit": "cpu", "item": 1}


def test_f14_a_costly_file_in_a_signing_batch_is_refused_and_nothing_is_signed(
    tmp_path: Path,
    database_url: str,
    engine: Engine,
    ca: Issuer,
    pdf: bytes,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Signing reads its files in the sandbox first (a batch in one child, ahead of the
    signing): a file that read cannot finish is a 422 naming its place in the batch, and
    no signed copy is kept. (The text bomb above costs signing's read nothing, so the
    child's read is swapped for one that spins on a marked file.)"""
    from ecabinet.signatures import intake

    monkeypatch.setattr(intake, "_probe", jobs.probe_or_spin)
    with signing_app(SigningApp, tmp_path, database_url, engine, [ca.ca.root], **BUDGET) as app:
        key = app.add_pkcs12(ca, user_id=app.world.people["leader"].id)
        costly = pdf + b"\n%SPIN\n"
        ids = [app.upload(pdf, "a.pdf"), app.upload(costly, "b.pdf"), app.upload(pdf, "c.pdf")]
        body = {"credential_id": key, "file_ids": ids, "pin": PIN}
        r = app.post("leader", "/api/v1/signatures/batch", json=body)
        assert r.status_code == 422, r.text
        assert r.json()["code"] == "pdf.too_costly"
        assert r.json()["details"] == {"limit": "cpu", "item": 1}
        with session_scope(engine, write=False) as s:
            assert len(s.exec(select(StoredFile)).all()) == 3  # the uploads only
        r = app.post("leader", "/api/v1/signatures/batch", json=body | {"file_ids": ids[::2]})
        assert r.status_code == 201, r.text
