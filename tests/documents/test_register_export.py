"""Register exports over HTTP: the rows of real documents, read back with openpyxl and
pypdf; only registers the caller may view, only documents the caller may see."""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from pypdf import PdfReader
from sqlalchemy import Engine

from documents.export_xlsx import HEADER_ROW
from documents.notifications import vn_today
from tests.documents.office import Office, office_app

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SECRET = "V/v phương án bảo vệ mục tiêu trọng điểm"


@pytest.fixture
def office(tmp_path: Path, database_url: str, engine: Engine) -> Iterator[Office]:
    with office_app(tmp_path, database_url, engine, confidential_documents="true") as app:
        yield app


def rows(data: bytes) -> list[tuple[Any, ...]]:
    ws = openpyxl.load_workbook(io.BytesIO(data)).active
    assert ws is not None
    return [tuple(r) for r in ws.iter_rows(min_row=HEADER_ROW + 1, values_only=True)]


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def export(office: Office, who: str, register_id: int, fmt: str) -> Any:
    return office.get(who, f"/api/v1/registers/{register_id}/export.{fmt}")


def test_incoming_register_rows(office: Office) -> None:
    first = office.receive(register_now=True).json()
    second = office.receive(
        register_now=True,
        abstract="V/v tăng cường công tác phòng cháy",
        number_symbol="07/SXD-QLXD",
        issuing_agency_name="Sở Xây dựng",
    ).json()
    office.step("p.clerk", second["id"], "present", leader_id=office.ids["p.leader"])
    r = office.step(
        "p.leader",
        second["id"],
        "direct",
        direction="Giao Phòng Kinh tế",
        lead={"unit_id": office.units["KT"].id},
    )
    assert r.status_code == 200, r.text
    register_id = first["register_id"]
    assert second["register_id"] == register_id

    r = export(office, "p.clerk", register_id, "xlsx")
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == XLSX
    disposition = r.headers["content-disposition"]
    assert disposition.startswith("attachment;") and "filename*=UTF-8''S%E1%BB%95" in disposition
    today = vn_today()
    arrival = datetime(today.year, today.month, today.day)
    assert rows(r.content) == [
        (
            arrival,
            1,
            "Ủy ban nhân dân huyện Châu Thành",
            "45/UBND-VP",
            datetime(2026, 11, 2),
            "Công văn: V/v báo cáo tình hình thực hiện nhiệm vụ",
            None,
            None,
            None,
            None,
        ),
        (
            arrival,
            2,
            "Sở Xây dựng",
            "07/SXD-QLXD",
            datetime(2026, 11, 2),
            "Công văn: V/v tăng cường công tác phòng cháy",
            "Phòng Kinh tế",
            arrival,
            None,
            None,
        ),
    ]
    r = export(office, "p.leader", register_id, "pdf")
    assert r.status_code == 200 and r.headers["content-type"] == "application/pdf"
    text = pdf_text(r.content)
    assert "SỔ ĐĂNG KÝ VĂN BẢN ĐẾN" in text and "Sở Xây dựng" in text


def test_outgoing_register_rows(office: Office) -> None:
    r = office.issue_on_paper(None, copies=3)
    doc_id, register_id = r.json()["id"], r.json()["register_id"]
    r = office.step(
        "p.clerk", doc_id, "dispatch", recipients=[{"method": "paper", "name": "Sở Tài chính"}]
    )
    assert r.status_code == 200, r.text
    today = vn_today()
    [row] = rows(export(office, "p.clerk", register_id, "xlsx").content)
    assert row[0] == "01/QĐ-UBND"
    assert row[1] == datetime(today.year, today.month, today.day)
    assert row[2] == "Quyết định: Quyết định về việc ban hành Quy chế làm việc"
    assert row[3] == "Nguyễn Văn Chủ Tịch"
    assert (row[5], row[6]) == ("Phòng Kinh tế", 3)
    assert row[7] == datetime(today.year, today.month, today.day)
    text = pdf_text(export(office, "p.clerk", register_id, "pdf").content)
    assert "01/QĐ-UBND" in text and "SỔ ĐĂNG KÝ VĂN BẢN ĐI" in text


def test_confidential_documents_and_registers_stay_hidden(office: Office) -> None:
    r = office.receive(register_now=True, abstract=SECRET, confidentiality="confidential")
    assert r.status_code == 201, r.text
    register_id = r.json()["register_id"]
    # The leader may view the confidential register but is not on the access list.
    r = export(office, "p.leader", register_id, "xlsx")
    assert r.status_code == 200 and rows(r.content) == []
    assert SECRET not in pdf_text(export(office, "p.leader", register_id, "pdf").content)
    # The clerk who received it is on the list.
    [row] = rows(export(office, "p.clerk", register_id, "xlsx").content)
    assert row[5] == f"Công văn: {SECRET}"
    # A specialist may not view registers; another agency's people neither; none is 404.
    for who in ("p.spec", "d.clerk"):
        r = export(office, who, register_id, "xlsx")
        assert r.status_code == 404 and r.json()["code"] == "register.not_found"
    assert export(office, "p.clerk", 999999, "pdf").status_code == 404
