"""Search ranks its hits (decision 0018): whole words and exact marks above folded words
and prefixes, a phrase above scattered words, the fields (abstract) above the body, newest
first among equals; for a clerk (ranked page by page), a specialist (every hit scored) and
the public (published documents only, their PDF text searched), on both engines."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine

from ecabinet.demo.pdfs import demo_documents
from tests.documents.office import Office, office_app
from tests.public.test_public_log_api import _published


@pytest.fixture
def office(tmp_path: Path, database_url: str, engine: Engine) -> Iterator[Office]:
    with office_app(tmp_path, database_url, engine) as app:
        yield app


def ranked(office: Office, who: str, q: str) -> list[int]:
    r = office.get(who, "/api/v1/documents", params={"q": q})
    assert r.status_code == 200, r.text
    return [d["id"] for d in r.json()["items"]]


def test_spellings_keep_marks_but_not_their_placement() -> None:
    from documents.folding import spellings

    assert spellings("Hòa") == spellings("hoà") == spellings("ho\u0300a") == ["hoa2"]
    assert spellings("thủy lợi") == spellings("THUỶ LỢI") == ["thuy3", "lo7i5"]
    assert spellings("hoa") == ["hoa"] and spellings("hoạch") == ["hoach5"]
    assert spellings("Đổi") == ["d9o6i3"]


def _hoa(add: object) -> dict[str, int]:
    """Four documents, oldest first; the one about Hòa Bình is the oldest."""
    abstracts = {
        "hoa_binh": "Quyết định thành lập Ban quản lý dự án Hòa Bình",
        "flower": "V/v trồng hoa dọc tuyến đường tỉnh",
        "plan_old": "Kế hoạch kiểm tra công tác cải cách hành chính",
        "plan_new": "Kế hoạch phòng chống thiên tai năm 2027",
    }
    return {k: add(a) for k, a in abstracts.items()}  # type: ignore[operator]


@pytest.mark.parametrize("who", ["p.clerk", "p.spec"])
def test_whole_words_and_exact_marks_rank_first(office: Office, who: str) -> None:
    if who == "p.clerk":
        d = _hoa(lambda a: office.receive(abstract=a).json()["id"])
    else:  # the specialist sees their own drafts only: every hit is scored at once
        d = _hoa(lambda a: office.draft(None, abstract=a).json()["id"])
    expected = [d["hoa_binh"], d["flower"], d["plan_new"], d["plan_old"]]
    # Today's order was newest first: every "Kế hoạch" (hoa → hoạch) before Hòa Bình.
    for q in ("hòa", "hoà", "HÒA", "ho\u0300a"):
        assert ranked(office, who, q) == expected, q
    # Typed without marks, "hoa" spells the flower exactly.
    assert ranked(office, who, "hoa") == [d["flower"], d["hoa_binh"], d["plan_new"], d["plan_old"]]
    assert ranked(office, who, "hòa bình") == [d["hoa_binh"]]


def test_phrase_above_scattered_and_fields_above_body(office: Office, pdf: bytes) -> None:
    phrase_old = office.receive(abstract="Báo cáo kết quả chuyển đổi số quý III").json()["id"]
    scattered = office.receive(
        abstract="V/v chuyển giao thiết bị, đổi mới quy trình và số hóa hồ sơ"
    ).json()["id"]
    body = office.receive(pdf).json()["id"]  # "chuyển đổi số" only in its PDF
    phrase_new = office.receive(abstract="Kế hoạch chuyển đổi số năm 2027").json()["id"]
    # Exact marks in the abstract, then the phrase, then newest first.
    assert ranked(office, "p.clerk", "chuyển đổi số") == [phrase_new, phrase_old, scattered, body]
    # Without marks: the phrase above the same words apart, and the abstract above the
    # body (which holds the phrase).
    assert ranked(office, "p.clerk", "chuyen doi so") == [phrase_new, phrase_old, scattered, body]
    # Paging walks the same order.
    page = office.get("p.clerk", "/api/v1/documents", params={"q": "chuyen doi so", "limit": 2})
    assert [i["id"] for i in page.json()["items"]] == [phrase_new, phrase_old]
    second = office.get(
        "p.clerk", "/api/v1/documents", params={"q": "chuyen doi so", "limit": 2, "offset": 2}
    )
    assert [i["id"] for i in second.json()["items"]] == [scattered, body]
    assert second.json()["total"] == 4


def test_public_search_reads_the_pdf_and_ranks(office: Office) -> None:
    pdfs = [d.pdf() for d in demo_documents()]
    assert "chuyển đổi số" not in pdfs[3].decode("latin-1")  # a PDF without the phrase
    phrase = _published(office, pdfs[3], "Kế hoạch chuyển đổi số năm 2027")
    scattered = _published(
        office, pdfs[4], "V/v chuyển giao thiết bị, đổi mới quy trình và số hóa hồ sơ"
    )
    content = _published(office, pdfs[0], "Quyết định về việc ban hành Quy chế làm việc")
    office.draft(None, abstract="Dự thảo Kế hoạch chuyển đổi số năm 2028")
    office.client.post("/api/v1/auth/logout", headers={"X-CSRF-Token": office._csrf})
    anon = office.client

    body = anon.get("/api/v1/public/documents", params={"q": "chuyển đổi số"}).json()
    order = [i["abstract"] for i in body["items"]]
    assert body["total"] == 3 and "Dự thảo" not in str(body)
    assert order == [
        "Kế hoạch chuyển đổi số năm 2027",
        "V/v chuyển giao thiết bị, đổi mới quy trình và số hóa hồ sơ",
        "Quyết định về việc ban hành Quy chế làm việc",  # only its PDF holds the words
    ], (phrase, scattered, content)
    # The PDF's own words, in none of the fields.
    only_pdf = anon.get("/api/v1/public/documents", params={"q": "môi trường mạng"})
    assert [i["abstract"] for i in only_pdf.json()["items"]] == [order[2]]
    page = anon.get("/cong-khai", params={"q": "chuyển đổi số"}).text
    positions = [page.find(a) for a in order]
    assert -1 not in positions and positions == sorted(positions)
