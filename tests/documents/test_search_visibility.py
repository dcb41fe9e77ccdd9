"""A specialist's visible set is kept between searches (documents.visibility) and read
again after every change that can change it, whichever process made the change: each
step below would find a stale set if the version of migration 0027 did not change."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from sqlmodel import col, select

from documents import queries, visibility
from ecabinet.core.db import make_engine, session_scope
from ecabinet.core.policy import subject_for
from ecabinet.core.users import User
from tests.conftest import make_settings
from tests.documents.office import Office, office_app


@pytest.fixture
def office(tmp_path: Path, database_url: str, engine: Engine) -> Iterator[Office]:
    visibility.forget()
    with office_app(tmp_path, database_url, engine, confidential_documents="true") as app:
        yield app
    visibility.forget()


def hits(office: Office, who: str, q: str) -> set[int]:
    r = office.get(who, "/api/v1/documents", params={"q": q})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["total"] == len(body["items"])
    return {d["id"] for d in body["items"]}


def _ok(r: object) -> int:
    assert r.status_code in (200, 201), r.text  # type: ignore[attr-defined]
    return int(r.json()["id"])  # type: ignore[attr-defined]


def _version(engine: Engine) -> int | None:
    with session_scope(engine, write=False) as s:
        return visibility.version(s)


def test_the_kept_set_follows_each_change_of_what_a_specialist_sees(office: Office) -> None:
    ids = office.ids
    doc = _ok(office.receive(register_now=True, abstract="Văn bản về quy hoạch đô thị"))
    assert office.step("p.clerk", doc, "present", leader_id=ids["p.leader"]).status_code == 200
    assert hits(office, "p.spec", "quy hoach") == set()
    assert hits(office, "p.spec", "quy hoach") == set()  # kept now

    # Assigned: now seen.
    r = office.step("p.leader", doc, "direct", direction="Xử lý", lead={"user_id": ids["p.spec"]})
    assert r.status_code == 200, r.text
    assert hits(office, "p.spec", "quy hoach") == {doc}

    # Given back and assigned to someone else: no longer seen.
    r = office.step("p.spec", doc, "return", reason="Không thuộc lĩnh vực")
    assert r.status_code == 200, r.text
    r = office.step("p.leader", doc, "direct", direction="Xử lý", lead={"user_id": ids["p.spec2"]})
    assert r.status_code == 200, r.text
    assert hits(office, "p.spec", "quy hoach") == set()
    assert hits(office, "p.spec2", "quy hoach") == {doc}

    # Their own new draft, and a confidential document whose list names them.
    draft = _ok(office.draft(None, abstract="Dự thảo quy hoạch sử dụng đất"))
    assert hits(office, "p.spec", "quy hoach") == {draft}
    secret = _ok(
        office.receive(
            abstract="Văn bản mật về quy hoạch biên giới",
            confidentiality="confidential",
            access=[ids["p.leader"], ids["p.spec"]],
        )
    )
    assert hits(office, "p.spec", "quy hoach") == {draft, secret}
    # Not the other specialist, kept set or not.
    assert hits(office, "p.spec2", "quy hoach") == {doc}
    # A filter narrows the kept set, never widens it.
    r = office.get("p.spec", "/api/v1/documents", params={"q": "quy hoach", "flow": "incoming"})
    assert {d["id"] for d in r.json()["items"]} == {secret}


def test_a_change_made_by_another_process_is_seen(
    office: Office, tmp_path: Path, database_url: str, engine: Engine
) -> None:
    """The version is in the database: a second engine (another process) that assigns a
    document with plain SQL, outside every service, still makes the first read again."""
    ids = office.ids
    doc = _ok(office.receive(abstract="Văn bản về chuyển đổi số"))
    assert hits(office, "p.spec", "chuyen doi so") == set()
    other = make_engine(make_settings(tmp_path / "other", database_url))
    try:
        with other.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO assignment (document_id, user_id, lead, active, assigned_at)"
                    " VALUES (:d, :u, :lead, :active, :at)"
                ),
                {
                    "d": doc,
                    "u": ids["p.spec"],
                    "lead": True,
                    "active": True,
                    "at": datetime.now(UTC),
                },
            )
    finally:
        other.dispose()
    assert hits(office, "p.spec", "chuyen doi so") == {doc}


def test_the_version_changes_with_each_change_that_matters_and_only_those(
    office: Office, engine: Engine
) -> None:
    ids = office.ids
    doc = _ok(office.receive(abstract="Văn bản về chuyển đổi số"))
    changes = [
        "UPDATE document SET drafter_id = :spec WHERE id = :doc",
        "UPDATE document SET created_by = :spec WHERE id = :doc",
        "UPDATE document SET confidentiality = 'confidential' WHERE id = :doc",
        "UPDATE document SET flow = 'outgoing' WHERE id = :doc",
        "UPDATE document SET drafting_unit_id = NULL WHERE id = :doc",
        "INSERT INTO document_access (document_id, user_id) VALUES (:doc, :spec)",
        "DELETE FROM document_access WHERE document_id = :doc",
        "INSERT INTO assignment (document_id, user_id, lead, active, assigned_at)"
        " VALUES (:doc, :spec, true, true, CURRENT_TIMESTAMP)",
        "UPDATE assignment SET active = false WHERE document_id = :doc",
        "DELETE FROM assignment WHERE document_id = :doc",
    ]
    args = {"doc": doc, "spec": ids["p.spec"]}
    for change in changes:
        before = _version(engine)
        with engine.begin() as conn:
            conn.execute(text(change), args)
        assert _version(engine) != before, change
    # What does not change who sees what keeps the version (and the kept sets).
    before = _version(engine)
    with engine.begin() as conn:
        conn.execute(text("UPDATE document SET state = 'registered' WHERE id = :doc"), args)
        conn.execute(text("UPDATE document SET abstract = 'Khác' WHERE id = :doc"), args)
    assert _version(engine) == before
    # A change rolled back keeps it too.
    with pytest.raises(RuntimeError), engine.begin() as conn:
        conn.execute(text(changes[0]), args)
        raise RuntimeError
    assert _version(engine) == before
    # Deleting the document changes it.
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM document_event WHERE document_id = :doc"), args)
        conn.execute(text("DELETE FROM document_text WHERE document_id = :doc"), args)
        conn.execute(text("DELETE FROM document WHERE id = :doc"), args)
    assert _version(engine) != before


def test_without_a_version_nothing_is_kept(office: Office, engine: Engine) -> None:
    """A database whose version row is gone (or one not migrated yet) reads the set at
    every search: still right, only slower."""
    ids = office.ids
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM document_search_version"))
    assert _version(engine) is None
    doc = _ok(office.receive(abstract="Văn bản về xâm nhập mặn"))
    assert hits(office, "p.spec", "xam nhap man") == set()
    with engine.begin() as conn:  # the triggers find no row: the change still commits
        conn.execute(
            text(
                "INSERT INTO assignment (document_id, user_id, lead, active, assigned_at)"
                " VALUES (:d, :u, true, true, CURRENT_TIMESTAMP)"
            ),
            {"d": doc, "u": ids["p.spec"]},
        )
    assert hits(office, "p.spec", "xam nhap man") == {doc}


def test_the_kept_set_is_the_visible_clause(office: Office, engine: Engine) -> None:
    """The set kept for a specialist is exactly what the one visibility clause gives."""
    from documents.access import visible_clause
    from documents.models import Document

    ids = office.ids
    _ok(office.draft(None, abstract="Dự thảo một"))
    _ok(
        office.draft(
            None, who="p.spec2", abstract="Dự thảo hai", drafting_unit_id=office.units["VP"].id
        )
    )
    _ok(office.receive(abstract="Mật", confidentiality="confidential", access=[ids["p.leader"]]))
    with session_scope(engine, write=False) as s:
        for who in ("p.spec", "p.spec2", "d.spec"):
            subject = subject_for(s, s.exec(select(User).where(col(User.username) == who)).one())
            want = set(s.exec(select(col(Document.id)).where(visible_clause(subject))))
            assert set(visibility.visible_set(s, subject).ids) == want, who
            assert set(visibility.visible_set(s, subject).ids) == want, who  # kept
            page = queries.list_documents(s, subject, queries.Filter(text="du thao"))
            assert {d.id for d in page.items} <= want


def test_a_write_transaction_that_rolls_back_leaves_nothing_kept(
    office: Office, engine: Engine
) -> None:
    """A search inside a transaction that changed who sees what (not yet in the version:
    PostgreSQL changes it at commit) and then rolls back keeps nothing of what it read."""
    ids = office.ids
    doc = _ok(office.receive(abstract="Văn bản về hạn hán"))
    assert hits(office, "p.spec", "han han") == set()
    with pytest.raises(RuntimeError), session_scope(engine) as s:
        s.connection().execute(
            text(
                "INSERT INTO assignment (document_id, user_id, lead, active, assigned_at)"
                " VALUES (:d, :u, true, true, CURRENT_TIMESTAMP)"
            ),
            {"d": doc, "u": ids["p.spec"]},
        )
        subject = subject_for(s, s.exec(select(User).where(col(User.username) == "p.spec")).one())
        page = queries.list_documents(s, subject, queries.Filter(text="han han"))
        assert [d.id for d in page.items] == [doc]  # its own change, seen inside
        raise RuntimeError
    assert hits(office, "p.spec", "han han") == set()
