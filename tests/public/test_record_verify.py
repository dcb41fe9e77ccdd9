"""The public check of a secret vote's election record: a page anyone can use without
login or JavaScript (upload the record, read intact or each problem by field path; add a
tracking code to find one's ballot), its JSON twin in the API, and clear 4xx answers in
both languages for what is not a record (never a 500)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine

from ecabinet.meetings import ballots as b
from ecabinet.meetings.ballots import record_check
from tests.documents.office import Office, office_app
from tests.meetings.ballots.helpers import context, run_ceremony

PAGE = "/cong-khai/kiem-tra-bieu-quyet"
API = "/api/v1/public/election-records/verify"
CHOICES = [0, 1, 0, 2]


@pytest.fixture(scope="module")
def made() -> tuple[bytes, list[str]]:
    c = run_ceremony(3, 2)
    ctx = context(c)
    cast = [b.encrypt_ballot(ctx, j) for j in CHOICES]
    agg = b.aggregate(ctx, cast)
    partials = {s.index: b.partial_decrypt(ctx, s, agg) for s in c.shares[1:]}
    counts = b.combine(ctx, agg, partials, len(cast))
    record = b.build_record(ctx, c.announcements, cast, agg, partials, counts)
    return record, [b.tracking_code(x) for x in cast]


@pytest.fixture
def office(tmp_path: Path, database_url: str, engine: Engine) -> Iterator[Office]:
    with office_app(tmp_path, database_url, engine, validate_per_minute="1000") as app:
        app.client.post("/api/v1/auth/logout", headers={"X-CSRF-Token": app._csrf})
        yield app


def _send(office: Office, data: bytes, code: str = "", lang: str = "") -> Any:
    return office.client.post(
        PAGE + lang,
        files={"file": ("ho-so.json", data, "application/json")},
        data={"tracking_code": code},
    )


def _tampered(record: bytes) -> bytes:
    d = json.loads(record)
    d["counts"] = [1, 1, 2]
    return b.canonical_json(d) + b"\n"


def test_the_form_reads_without_javascript_in_both_languages(office: Office) -> None:
    form = office.client.get(PAGE)
    assert form.status_code == 200 and '<html lang="vi">' in form.text
    assert 'enctype="multipart/form-data"' in form.text and 'type="file"' in form.text
    assert 'name="tracking_code"' in form.text and "Kiểm tra biểu quyết kín" in form.text
    assert "<script" not in form.text
    english = office.client.get(PAGE + "?lang=en")
    assert '<html lang="en">' in english.text and "Check a secret vote" in english.text
    assert PAGE in office.client.get("/cong-khai").text  # linked from every public page


def test_an_honest_record_is_intact_and_finds_the_voters_ballot(
    office: Office, made: tuple[bytes, list[str]]
) -> None:
    record, codes = made
    page = _send(office, record, codes[2])
    assert page.status_code == 200, page.text
    assert "Hồ sơ hợp lệ" in page.text and "KHÔNG hợp lệ" not in page.text
    assert b.record_hash(record) in page.text
    counts = re.search(r'data-testid="record-counts">(.*?)</ol>', page.text, re.S)
    assert counts is not None and re.findall(r": (\d+)</li>", counts[1]) == ["2", "1", "1"]
    assert "CÓ trong hồ sơ" in page.text

    short = b.short_code(codes[0]).lower()  # as a voter may type it
    assert "CÓ trong hồ sơ" in _send(office, record, f" {short} ").text
    other = "0" * 64
    missing = _send(office, record, other, "?lang=en")
    assert missing.status_code == 200 and "NO ballot with this tracking code" in missing.text
    assert "The record is valid" in missing.text


def test_a_tampered_record_lists_each_problem_by_field_path(
    office: Office, made: tuple[bytes, list[str]]
) -> None:
    record, codes = made
    page = _send(office, _tampered(record), codes[0])
    assert page.status_code == 200
    assert "Hồ sơ KHÔNG hợp lệ" in page.text
    table = re.search(r'data-testid="record-problems">(.*?)</table>', page.text, re.S)
    assert table is not None
    assert "<code>counts[0]</code>" in table[1] and "<code>counts[2]</code>" in table[1]
    assert "<code>counts[1]</code>" not in table[1]

    d = json.loads(record)
    d["ballots"][1]["ballot"]["selections"][0]["proof"]["c0"] = "00" * 32
    broken = _send(office, b.canonical_json(d) + b"\n", d["ballots"][1]["tracking_code"])
    assert "<code>ballots[1].ballot</code>" in broken.text
    assert "KHÔNG tìm thấy phiếu" in broken.text  # a ballot whose proof fails is not "in"


def _alert(text: str) -> str:
    found = re.search(r'<div role="alert"[^>]*>(.*?)</div>', text, re.S)
    assert found is not None, text
    return found[1]


@pytest.mark.parametrize(
    ("body", "code", "status", "vi", "en"),
    [
        (b"", "", 422, "Chưa gửi tệp hồ sơ", "No election record"),
        (b"%PDF-1.7\n", "", 422, "không phải JSON", "not JSON"),
        (b'{"a": NaN}', "", 422, "không phải JSON", "not JSON"),
        (b"[" * 100_000 + b"]" * 100_000, "", 422, "không phải JSON", "not JSON"),
        (b"\xff\xfe{}", "", 422, "không phải JSON", "not JSON"),
        (b"[]", "", 422, "không phải hồ sơ kiểm phiếu", "not an election record"),
        (b'{"version": 1}', "", 422, "không phải hồ sơ kiểm phiếu", "not an election record"),
        (None, "ABCD", 422, "không đúng dạng", "malformed"),
    ],
)
def test_what_is_not_a_record_gets_a_4xx_page_in_both_languages(
    office: Office,
    made: tuple[bytes, list[str]],
    body: bytes | None,
    code: str,
    status: int,
    vi: str,
    en: str,
) -> None:
    r = _send(office, made[0] if body is None else body, code)
    assert r.status_code == status and r.headers["content-type"].startswith("text/html")
    alert = _alert(r.text)
    assert vi in alert and en in alert and '"code"' not in r.text
    assert 'type="file"' in r.text  # the form again


def test_no_file_and_too_large_are_4xx_pages(
    office: Office, made: tuple[bytes, list[str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    nofile = office.client.post(PAGE, data={"tracking_code": ""})
    assert nofile.status_code == 422 and "Chưa gửi tệp hồ sơ" in _alert(nofile.text)
    monkeypatch.setattr(record_check, "MAX_BYTES", len(made[0]) - 1)
    big = _send(office, made[0])
    assert big.status_code == 413 and "quá lớn" in _alert(big.text)
    assert "too large" in _alert(big.text)


def test_the_api_gives_the_same_check_as_json(
    office: Office, made: tuple[bytes, list[str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    record, codes = made
    headers = {"Content-Type": "application/json"}
    ok = office.client.post(
        API, content=record, params={"tracking_code": codes[3]}, headers=headers
    )
    assert ok.status_code == 200, ok.text
    body = ok.json()
    assert body["ok"] is True and body["counts"] == [2, 1, 1] and body["ballots"] == 4
    assert body["record_hash"] == b.record_hash(record) and body["in_record"] is True
    assert body["problems"] == []

    bad = office.client.post(API, content=_tampered(record), headers=headers).json()
    assert bad["ok"] is False and bad["in_record"] is None
    assert {p["where"] for p in bad["problems"]} == {"counts[0]", "counts[2]"}

    not_json = office.client.post(API, content=b"nope", headers=headers)
    assert not_json.status_code == 422 and not_json.json()["code"] == "record.not_json"
    shape = office.client.post(API, content=b"{}", headers=headers)
    assert shape.status_code == 422 and shape.json()["code"] == "record.wrong_shape"
    monkeypatch.setattr(record_check, "MAX_BYTES", 100)
    big = office.client.post(API, content=record, headers=headers)
    assert big.status_code == 413 and big.json()["code"] == "record.too_large"
