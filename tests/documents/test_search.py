"""Vietnamese full-text search over HTTP, on both engines: folding, the text of the PDF,
query syntax read as plain words, and the access rules."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine

from documents.folding import fold, words
from documents.search import pdf_text
from tests.documents.office import Office, office_app


@pytest.mark.parametrize(
    ("raw", "folded"),
    [
        ("quyết định", "quyet dinh"),
        ("QUYẾT ĐỊNH", "quyet dinh"),
        ("Đà Nẵng  đường\tđê", "da nang duong de"),
        ("Ủy ban nhân dân", "uy ban nhan dan"),
        ("Hỏa tốc, Thượng khẩn", "hoa toc, thuong khan"),
        ("QĐ-UBND", "qd-ubnd"),
        # NFD input (as some PDFs and keyboards give it) folds like NFC.
        ("quye\u0302\u0301t đi\u0323nh", "quyet dinh"),
    ],
)
def test_fold(raw: str, folded: str) -> None:
    assert fold(raw) == folded


def test_words_split_on_hyphen_and_slash() -> None:
    assert words("Số: 12/QĐ-UBND") == ["so", "12", "qd", "ubnd"]
    assert words("QD-UBND") == ["qd", "ubnd"]
    assert words('"*NEAR(-:)') == ["near"]


def test_pdf_text_never_raises(pdf: bytes) -> None:
    assert "chuyển đổi số" in pdf_text(pdf)
    assert pdf_text(b"%PDF-1.7 not really") == ""
    assert pdf_text(pdf[: len(pdf) // 2]) is not None


@pytest.fixture
def office(tmp_path: Path, database_url: str, engine: Engine) -> Iterator[Office]:
    with office_app(tmp_path, database_url, engine, confidential_documents="true") as app:
        yield app


def hits(office: Office, who: str, q: str) -> set[int]:
    r = office.get(who, "/api/v1/documents", params={"q": q})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["total"] == len(body["items"])
    return {d["id"] for d in body["items"]}


def test_search_folds_and_reads_the_pdf(office: Office, pdf: bytes) -> None:
    decision = office.receive(
        abstract="Quyết định về việc ban hành Quy chế làm việc",
        number_symbol="38/QĐ-UBND",
        issuing_agency_name="Ủy ban nhân dân huyện Châu Thành",
    ).json()["id"]
    # The default abstract says nothing of digital transformation: only its PDF does.
    with_pdf = office.receive(pdf, number_symbol="45/UBND-VP").json()["id"]
    other = office.receive(
        abstract="Công văn về việc đôn đốc nộp báo cáo", number_symbol="7/SKHCN-VP"
    ).json()["id"]

    spellings = [hits(office, "p.clerk", q) for q in ("quyết định", "quyet dinh", "QUYẾT ĐỊNH")]
    assert spellings[0] == spellings[1] == spellings[2]
    assert decision in spellings[0] and other not in spellings[0]
    # The PDF's own first line reads "Số: 12/QĐ-UBND".
    assert hits(office, "p.clerk", "QD-UBND") == {decision, with_pdf}
    assert hits(office, "p.clerk", "38/qđ-ubnd") == {decision}
    assert hits(office, "p.clerk", "12/QD-UBND") == {with_pdf}
    # The last word is also a prefix: results while the user types.
    assert hits(office, "p.clerk", "quyet dinh ban") == {decision, with_pdf}
    assert hits(office, "p.clerk", "ban hanh quy che lam vi") == {decision}
    assert hits(office, "p.clerk", "quy che lam vi") == {decision}
    assert hits(office, "p.clerk", "chuyển đổi số") == {with_pdf}
    # The issuing agency's name (every one here has the office's default).
    assert hits(office, "p.clerk", "huyện châu thành") == {decision, with_pdf, other}
    assert hits(office, "p.clerk", "đôn đốc nộp") == {other}
    assert hits(office, "p.clerk", "khongcotunay") == set()
    # Every word must occur.
    assert hits(office, "p.clerk", "quy chế nộp") == set()


@pytest.mark.parametrize(
    "q",
    [
        '"',
        "*",
        "NEAR",
        "-",
        "(",
        ":",
        '"quyet',
        "quyet*",
        "NEAR(quyet dinh, 2)",
        "meta:quyet",
        "content : dinh",
        "- quyet -dinh",
        "quyet AND OR NOT dinh",
        "quyet & dinh | !ban",
        "'; DROP TABLE document; --",
        "\\",
        "^quyet",
        "{meta content}: x",
        "quyết:* <-> định",
    ],
)
def test_query_syntax_is_read_as_words(office: Office, q: str) -> None:
    office.receive(abstract="Quyết định về việc near và and")
    r = office.get("p.clerk", "/api/v1/documents", params={"q": q})
    assert r.status_code == 200, r.text


def test_fts_words_are_plain_words(office: Office) -> None:
    near = office.receive(abstract="Đề án NEAR bờ sông, AND hoặc OR").json()["id"]
    office.receive(abstract="Kế hoạch khác")
    assert hits(office, "p.clerk", "NEAR") == {near}
    assert hits(office, "p.clerk", "and or") == {near}


def test_search_keeps_to_what_the_user_sees(office: Office, pdf: bytes) -> None:
    ids = office.ids
    secret = office.receive(
        abstract="Văn bản mật về quy hoạch biên giới",
        confidentiality="confidential",
        access=[ids["p.leader"]],
    ).json()["id"]
    plain = office.receive(abstract="Công văn về quy hoạch đô thị").json()["id"]

    assert hits(office, "p.clerk", "quy hoach") == {secret, plain}
    assert hits(office, "p.leader", "quy hoach") == {secret, plain}
    # The other leader and the specialists are not on the list.
    assert hits(office, "p.head", "quy hoach") == {plain}
    assert hits(office, "p.head", "bien gioi") == set()
    # An unassigned specialist sees none of the agency's documents, found or not.
    assert hits(office, "p.spec", "quy hoach") == set()
    assert hits(office, "p.spec", "cong van") == set()
    # Nor does another agency.
    assert hits(office, "d.clerk", "quy hoach") == set()


def test_draft_changes_are_searchable(office: Office, pdf: bytes) -> None:
    draft = office.draft(None, abstract="Dự thảo kế hoạch phòng chống lụt bão")
    assert draft.status_code == 201, draft.text
    doc_id = draft.json()["id"]
    assert hits(office, "p.spec", "lut bao") == {doc_id}
    assert hits(office, "p.spec", "chuyen doi so") == set()

    file_id = office.upload("p.spec", pdf)
    r = office.post(
        "p.spec", f"/api/v1/documents/{doc_id}/files", json={"file_id": file_id, "kind": "main"}
    )
    assert r.status_code == 201, r.text
    assert hits(office, "p.spec", "chuyen doi so") == {doc_id}
    assert hits(office, "p.spec", "lut bao") == {doc_id}
