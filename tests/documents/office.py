"""An office to test the documents flows in: a province and a department, each with
units, a clerk, leaders and specialists, and a client that acts as any of them."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding
from sqlalchemy import Engine
from sqlmodel import select
from starlette.testclient import TestClient

from documents.agency_directory import importing
from documents.models import DocumentType
from ecabinet.app import create_app
from ecabinet.core import agencies, users
from ecabinet.core.agencies import Agency, AgencyLevel, Role, Unit
from ecabinet.core.db import session_scope
from ecabinet.core.storage import ObjectStore, open_store
from tests.conftest import make_settings
from tests.factories import ACTOR, PASSWORD
from tests.support.credentials import PASSPHRASE, PIN, Issuer

# username: (agency key, role, unit key or None, full name)
PEOPLE: dict[str, tuple[str, Role, str | None, str]] = {
    "p.admin": ("p", Role.admin, None, "Quản Trị Tỉnh"),
    "p.clerk": ("p", Role.clerk, "VP", "Lê Thị Văn Thư"),
    "p.leader": ("p", Role.leader, None, "Nguyễn Văn Chủ Tịch"),
    "p.head": ("p", Role.leader, "KT", "Trần Trưởng Phòng"),
    "p.spec": ("p", Role.specialist, "KT", "Phạm Chuyên Viên"),
    "p.spec2": ("p", Role.specialist, "VP", "Đỗ Chuyên Viên Hai"),
    "d.clerk": ("d", Role.clerk, None, "Võ Văn Thư Sở"),
    "d.leader": ("d", Role.leader, None, "Huỳnh Giám Đốc"),
    "d.spec": ("d", Role.specialist, "NV", "Mai Chuyên Viên Sở"),
}


DIRECTORY: list[dict[str, Any]] = [
    {"code": "000.00.00.G09", "name": "Bộ Nội vụ", "level": "central"},
    {"code": "000.00.00.G17", "name": "Bộ Khoa học và Công nghệ", "level": "central"},
    {"code": "000.00.00.H98", "name": "Ủy ban nhân dân tỉnh Láng Giềng", "level": "province"},
    {
        "code": "000.01.40.H98",
        "name": "Ủy ban nhân dân xã Giấy",
        "level": "commune",
        "parent_code": "000.00.00.H98",
        "electronic": False,
    },
]
"""Agencies outside the office that its documents may go to."""


@dataclass
class Office:
    client: TestClient
    store: ObjectStore
    agencies: dict[str, Agency]
    units: dict[str, Unit]
    ids: dict[str, int]
    types: dict[str, int]
    _who: str | None = None
    _csrf: str = ""
    _logins: dict[str, str] = field(default_factory=dict)
    signing: dict[str, str] = field(default_factory=dict)
    """Credentials :meth:`issue_signed` registered: "leader", "seal"."""

    def as_(self, who: str) -> Office:
        if who != self._who:
            r = self.client.post("/api/v1/auth/login", json={"username": who, "password": PASSWORD})
            assert r.status_code == 200, r.text
            self._who, self._csrf = who, r.json()["csrf_token"]
        return self

    def post(self, who: str, url: str, **kw: Any) -> Any:
        self.as_(who)
        headers = {"X-CSRF-Token": self._csrf} | kw.pop("headers", {})
        return self.client.post(url, headers=headers, **kw)

    def patch(self, who: str, url: str, **kw: Any) -> Any:
        self.as_(who)
        return self.client.patch(url, headers={"X-CSRF-Token": self._csrf}, **kw)

    def put(self, who: str, url: str, **kw: Any) -> Any:
        self.as_(who)
        return self.client.put(url, headers={"X-CSRF-Token": self._csrf}, **kw)

    def get(self, who: str, url: str, **kw: Any) -> Any:
        self.as_(who)
        return self.client.get(url, **kw)

    def upload(self, who: str, data: bytes, name: str = "van-ban.pdf", agency: str = "p") -> str:
        r = self.post(
            who,
            f"/api/v1/files?agency_id={self.agencies[agency].id}&filename={name}",
            content=data,
            headers={"Content-Type": "application/pdf"},
        )
        assert r.status_code == 201, r.text
        return str(r.json()["id"])

    def receive(
        self, pdf: bytes | None = None, who: str = "p.clerk", agency: str = "p", **fields: Any
    ) -> Any:
        """POST an incoming document; returns the response."""
        body: dict[str, Any] = {
            "agency_id": self.agencies[agency].id,
            "type_id": self.types["CV"],
            "abstract": "V/v báo cáo tình hình thực hiện nhiệm vụ",
            "number_symbol": "45/UBND-VP",
            "issuing_agency_name": "Ủy ban nhân dân huyện Châu Thành",
            "issued_on": "2026-11-02",
        } | fields
        if pdf is not None:
            body["file_id"] = self.upload(who, pdf, agency=agency)
        return self.post(who, "/api/v1/documents/incoming", json=body)

    def draft(self, pdf: bytes | None, who: str = "p.spec", **fields: Any) -> Any:
        body: dict[str, Any] = {
            "agency_id": self.agencies["p"].id,
            "type_id": self.types["QD"],
            "abstract": "Quyết định về việc ban hành Quy chế làm việc",
            "drafting_unit_id": self.units["KT"].id,
        } | fields
        if pdf is not None:
            body["file_id"] = self.upload(who, pdf)
        return self.post(who, "/api/v1/documents/outgoing", json=body)

    def issue_on_paper(self, pdf: bytes | None, **fields: Any) -> Any:
        """A draft signed on paper and issued, through every step of the flow (the
        specialist, the head of unit, the leader, the clerk); the issue step's answer."""
        doc_id = self.draft(pdf, electronic=False, **fields).json()["id"]
        for who, step, body in [
            ("p.spec", "submit", {}),
            ("p.head", "review", {"leader_id": self.ids["p.leader"]}),
            ("p.leader", "approve", {}),
            ("p.leader", "signed-on-paper", {}),
            ("p.clerk", "issue", {}),
        ]:
            r = self.step(who, doc_id, step, **body)
            assert r.status_code == 200, (step, r.text)
        return r

    def dispatch_edxml(self, doc_id: int, name: str, code: str) -> Any:
        """The clerk dispatches ``doc_id`` by edXML to the outside agency ``code``; the
        answer."""
        recipient = {"method": "edxml", "name": name, "organ_id": code}
        return self.post(
            "p.clerk", f"/api/v1/documents/{doc_id}/dispatch", json={"recipients": [recipient]}
        )

    def issue_and_send(self, pdf: bytes, name: str, code: str, **fields: Any) -> int:
        """A document issued on paper and dispatched by edXML to ``code``; its id."""
        doc_id: int = self.issue_on_paper(pdf, **fields).json()["id"]
        r = self.dispatch_edxml(doc_id, name, code)
        assert r.status_code == 200, r.text
        return doc_id

    def credential(self, ca: Issuer, name: str | None = None, **owner: int | None) -> str:
        """Register a fresh RSA PKCS#12 (as the province admin, with the test PIN) for an
        official (``user_id=``) or an agency's seal (``agency_id=``), its certificate
        naming them unless ``name`` says otherwise; the credential's id."""
        if name is None:
            names = {self.ids[u]: p[3] for u, p in PEOPLE.items()}
            names |= {a.id: a.name for a in self.agencies.values() if a.id is not None}
            name = names[owner["user_id"] if owner.get("user_id") else owner["agency_id"] or 0]
        issued = ca.pkcs12(name, use_rsa=True)
        body = {"pkcs12": base64.b64encode(issued.data).decode(), "passphrase": PASSPHRASE}
        r = self.post("p.admin", "/api/v1/signing-credentials", json=body | owner | {"pin": PIN})
        assert r.status_code == 201, r.text
        return str(r.json()["id"])

    def issue_signed(self, ca: Issuer, pdf: bytes, **fields: Any) -> int:
        """A draft taken through every step to an electronic issue: the province's
        leader signs, its clerk numbers and seals (credentials registered on first use);
        the document's id."""
        if not self.signing:
            self.signing["leader"] = self.credential(ca, user_id=self.ids["p.leader"])
            self.signing["seal"] = self.credential(ca, agency_id=self.agencies["p"].id)
        doc_id: int = self.draft(pdf, **fields).json()["id"]
        for who, step, body in [
            ("p.spec", "submit", {}),
            ("p.head", "review", {"leader_id": self.ids["p.leader"]}),
            ("p.leader", "approve", {}),
            ("p.leader", "sign", {"credential_id": self.signing["leader"], "pin": PIN}),
            ("p.clerk", "issue", {"pin": PIN}),
        ]:
            r = self.step(who, doc_id, step, **body)
            assert r.status_code == 200, (step, r.text)
        return doc_id

    def approved(self, doc_id: int) -> None:
        """Take the draft ``doc_id`` through submit, review and approval (the leader)."""
        for who, step, body in [
            ("p.spec", "submit", {}),
            ("p.head", "review", {"leader_id": self.ids["p.leader"]}),
            ("p.leader", "approve", {}),
        ]:
            r = self.step(who, doc_id, step, **body)
            assert r.status_code == 200, (step, r.text)

    def main_content(self, who: str, doc_id: int) -> bytes:
        """The bytes of the document's current main file."""
        files = self.detail(who, doc_id).json()["files"]
        last = [f for f in files if f["kind"] == "main"][-1]
        url = f"/api/v1/documents/{doc_id}/files/{last['id']}/content"
        content: bytes = self.get(who, url).content
        return content

    def step(self, who: str, document_id: int, step: str, **body: Any) -> Any:
        return self.post(who, f"/api/v1/documents/{document_id}/{step}", json=body or None)

    def detail(self, who: str, document_id: int) -> Any:
        return self.get(who, f"/api/v1/documents/{document_id}")


def make_office(engine: Engine) -> tuple[dict[str, Agency], dict[str, Unit], dict[str, int]]:
    with session_scope(engine) as s:
        province = agencies.create_agency(
            s,
            ACTOR,
            code="000.00.00.H99",
            name="Ủy ban nhân dân tỉnh Thử Nghiệm",
            abbreviation="UBND",
            level=AgencyLevel.province,
            parent_name="",
        )
        dept = agencies.create_agency(
            s,
            ACTOR,
            code="000.00.10.H99",
            name="Sở Khoa học và Công nghệ",
            abbreviation="SKHCN",
            level=AgencyLevel.department,
            parent_id=province.id,
            parent_name="UBND TỈNH THỬ NGHIỆM",
        )
        found = {"p": province, "d": dept}
        units: dict[str, Unit] = {}
        for key, agency, name in [
            ("KT", "p", "Phòng Kinh tế"),
            ("VP", "p", "Văn phòng"),
            ("NV", "d", "Phòng Nghiệp vụ"),
        ]:
            assert found[agency].id is not None
            units[key] = agencies.create_unit(
                s, ACTOR, agency_id=found[agency].id or 0, name=name, abbreviation=key
            )
        ids: dict[str, int] = {}
        for username, (agency, role, unit, full_name) in PEOPLE.items():
            user = users.create_user(
                s,
                ACTOR,
                username=username,
                password=PASSWORD,
                full_name=full_name,
                title="Chức vụ " + username,
            )
            assert user.id is not None
            agencies.grant_role(
                s,
                ACTOR,
                user_id=user.id,
                agency_id=found[agency].id or 0,
                role=role,
                unit_id=units[unit].id if unit else None,
            )
            ids[username] = user.id
        importing.import_rows(s, ACTOR, list(enumerate(DIRECTORY, 1)), "office")
        return found, units, ids


@contextmanager
def office_app(
    tmp_path: Path,
    database_url: str,
    engine: Engine,
    roots: tuple[x509.Certificate, ...] = (),
    **settings: str,
) -> Iterator[Office]:
    trust = tmp_path / "trust"
    trust.mkdir(exist_ok=True)
    if roots:
        (trust / "roots.pem").write_bytes(b"".join(c.public_bytes(Encoding.PEM) for c in roots))
    config = make_settings(
        tmp_path / "data",
        database_url,
        trust_anchors_dir=str(trust),
        login_max_failures="100",
        **settings,
    )
    found, units, ids = make_office(engine)
    with session_scope(engine, write=False) as s:
        types = {t.code: t.id or 0 for t in s.exec(select(DocumentType))}
    store = open_store(config)
    with TestClient(create_app(config, engine=engine, store=store)) as client:
        yield Office(client, store, found, units, ids, types)
