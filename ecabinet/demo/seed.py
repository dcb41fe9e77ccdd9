"""The demo province: an An Giang-like People's Committee with departments, districts,
communes, a dozen users across all roles, a demo CA with the leaders' and the agencies'
signing credentials (and their signature and seal images), and sample documents.

Idempotent: running it again adds only what is missing. Agency codes here are
invented placeholders of the right shape (the real codes are *unverified*): codes
are data, kept here only for the demo.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial
from pathlib import Path

from cryptography import x509
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from ecabinet.core import agencies, files, users
from ecabinet.core.agencies import Agency, AgencyLevel, Role, Unit
from ecabinet.core.audit import Actor
from ecabinet.core.db import session_scope
from ecabinet.core.policy import subject_for
from ecabinet.core.settings import Settings
from ecabinet.core.storage import ObjectStore
from ecabinet.demo import DEMO_PIN, ca, pdfs
from ecabinet.demo.directives import seed_directives
from ecabinet.demo.directory import seed_directory
from ecabinet.demo.documents import issue_outgoing, seed_documents
from ecabinet.demo.images import seal_png, signature_png
from ecabinet.demo.meetings import seed_meetings
from ecabinet.demo.publications import seed_publications
from ecabinet.signatures import credentials, images, pin_changes, pins, registration
from ecabinet.signatures.models import CredentialKind, KeyWrap, SigningCredential
from signing.pdfio import VN

DEMO_PASSWORD = "eCabinet@2026"  # noqa: S105 - printed by `make run`, demo only
PROVINCE = "000.00.00.H01"
DEMO_LABEL = "Chứng thư demo (không có giá trị pháp lý)"
"""Label of the credentials the demo registers (and may replace when the CA renews)."""


@dataclass(frozen=True)
class AgencySpec:
    code: str
    name: str
    abbreviation: str
    level: AgencyLevel
    parent: str | None
    parent_name: str
    units: tuple[tuple[str, str], ...] = ()


AGENCIES: tuple[AgencySpec, ...] = (
    AgencySpec(
        PROVINCE,
        "Ủy ban nhân dân tỉnh An Giang",
        "UBND",
        AgencyLevel.province,
        None,
        "",
        (("Văn phòng", "VP"), ("Phòng Kinh tế", "KT"), ("Phòng Tổng hợp", "TH")),
    ),
    AgencySpec(
        "000.00.10.H01",
        "Sở Thông tin và Truyền thông",
        "STTTT",
        AgencyLevel.department,
        PROVINCE,
        "UBND TỈNH AN GIANG",
        (("Văn phòng Sở", "VP"), ("Phòng Chuyển đổi số", "CĐS")),
    ),
    AgencySpec(
        "000.00.11.H01",
        "Sở Tài chính",
        "STC",
        AgencyLevel.department,
        PROVINCE,
        "UBND TỈNH AN GIANG",
        (("Văn phòng Sở", "VP"), ("Phòng Ngân sách", "NS")),
    ),
    AgencySpec(
        "000.00.12.H01",
        "Sở Nội vụ",
        "SNV",
        AgencyLevel.department,
        PROVINCE,
        "UBND TỈNH AN GIANG",
        (("Văn phòng Sở", "VP"),),
    ),
    AgencySpec(
        "000.00.30.H01",
        "Ủy ban nhân dân thành phố Long Xuyên",
        "UBND",
        AgencyLevel.district,
        PROVINCE,
        "TỈNH AN GIANG",
        (("Văn phòng HĐND và UBND", "VP"),),
    ),
    AgencySpec(
        "000.00.31.H01",
        "Ủy ban nhân dân huyện Châu Thành",
        "UBND",
        AgencyLevel.district,
        PROVINCE,
        "TỈNH AN GIANG",
        (("Văn phòng HĐND và UBND", "VP"),),
    ),
    AgencySpec(
        "000.01.30.H01",
        "Ủy ban nhân dân phường Mỹ Bình",
        "UBND",
        AgencyLevel.commune,
        "000.00.30.H01",
        "THÀNH PHỐ LONG XUYÊN",
    ),
    AgencySpec(
        "000.02.30.H01",
        "Ủy ban nhân dân phường Mỹ Long",
        "UBND",
        AgencyLevel.commune,
        "000.00.30.H01",
        "THÀNH PHỐ LONG XUYÊN",
    ),
    AgencySpec(
        "000.01.31.H01",
        "Ủy ban nhân dân thị trấn An Châu",
        "UBND",
        AgencyLevel.commune,
        "000.00.31.H01",
        "HUYỆN CHÂU THÀNH",
    ),
    AgencySpec(
        "000.02.31.H01",
        "Ủy ban nhân dân xã Bình Hòa",
        "UBND",
        AgencyLevel.commune,
        "000.00.31.H01",
        "HUYỆN CHÂU THÀNH",
    ),
)


@dataclass(frozen=True)
class PersonSpec:
    username: str
    full_name: str
    title: str
    roles: tuple[tuple[str, Role, str | None], ...]  # (agency code, role, unit abbreviation)


_STTTT, _STC, _LX = "000.00.10.H01", "000.00.11.H01", "000.00.30.H01"
PEOPLE: tuple[PersonSpec, ...] = (
    PersonSpec("admin", "Quản trị hệ thống", "Quản trị viên", ((PROVINCE, Role.admin, "VP"),)),
    PersonSpec(
        "chutich",
        "Nguyễn Thanh Bình",
        "Chủ tịch Ủy ban nhân dân tỉnh",
        ((PROVINCE, Role.leader, None), (PROVINCE, Role.member, None)),
    ),
    PersonSpec(
        "phochutich",
        "Trần Thị Mai",
        "Phó Chủ tịch Ủy ban nhân dân tỉnh",
        ((PROVINCE, Role.leader, None), (PROVINCE, Role.member, None)),
    ),
    PersonSpec(
        "chanhvanphong",
        "Phạm Minh Tuấn",
        "Chánh Văn phòng",
        ((PROVINCE, Role.leader, "VP"), (PROVINCE, Role.secretary, "VP")),
    ),
    PersonSpec("vanthu", "Lê Văn Hùng", "Văn thư", ((PROVINCE, Role.clerk, "VP"),)),
    PersonSpec(
        "thuky", "Huỳnh Ngọc Hân", "Chuyên viên Văn phòng", ((PROVINCE, Role.secretary, "VP"),)
    ),
    PersonSpec(
        "chuyenvien",
        "Võ Thị Lan",
        "Chuyên viên Phòng Kinh tế",
        ((PROVINCE, Role.specialist, "KT"),),
    ),
    PersonSpec(
        "giamdoc.stttt",
        "Đặng Quốc Việt",
        "Giám đốc Sở",
        ((_STTTT, Role.leader, None), (PROVINCE, Role.member, None)),
    ),
    PersonSpec("vanthu.stttt", "Ngô Thị Thu", "Văn thư", ((_STTTT, Role.clerk, "VP"),)),
    PersonSpec(
        "chuyenvien.stttt",
        "Bùi Đức Anh",
        "Chuyên viên Phòng Chuyển đổi số",
        ((_STTTT, Role.specialist, "CĐS"),),
    ),
    PersonSpec(
        "giamdoc.stc",
        "Lý Hoàng Nam",
        "Giám đốc Sở",
        ((_STC, Role.leader, None), (PROVINCE, Role.member, None)),
    ),
    PersonSpec(
        "chutich.longxuyen",
        "Châu Văn Phúc",
        "Chủ tịch Ủy ban nhân dân thành phố",
        ((_LX, Role.leader, None),),
    ),
    PersonSpec("vanthu.longxuyen", "Tô Mỹ Linh", "Văn thư", ((_LX, Role.clerk, "VP"),)),
)


@dataclass
class SeedReport:
    created_agencies: int = 0
    created_users: int = 0
    created_files: int = 0
    created_credentials: int = 0
    created_documents: int = 0
    created_meetings: int = 0
    published: int = 0
    ca_folder: str = ""
    logins: list[tuple[str, str, str]] = field(default_factory=list)

    def summary(self) -> str:
        return (
            f"demo data ready: {self.created_agencies} agencies, {self.created_users} users,"
            f" {self.created_credentials} signing credentials, {self.created_files} sample"
            f" files, {self.created_documents} documents and {self.created_meetings} meetings"
            " added (existing ones kept);"
            f" demo CA in {self.ca_folder}"
        )


def seed(engine: Engine, store: ObjectStore, settings: Settings) -> SeedReport:
    """Add whatever part of the demo province is missing."""
    settings = settings.with_secret()  # the KEK that seals the demo keys, kept as the app's
    actor = Actor.system("demo")
    report = SeedReport()
    with session_scope(engine) as session:
        codes = _seed_agencies(session, actor, report)
        _seed_people(session, actor, codes, report)
        seed_directory(session, actor)
    folder = settings.data_dir / "demo-ca"
    demo_ca = ca.create_demo_ca(
        folder,
        [ca.DemoAgency(code=s.code, name=s.name, abbreviation=s.abbreviation) for s in AGENCIES],
        [
            ca.DemoPerson(
                username=p.username,
                full_name=p.full_name,
                title=p.title,
                agency_name=_agency_name(p.roles[0][0]),
                email=f"{p.username}@angiang.demo.ecabinet.vn",
            )
            for p in PEOPLE
            if any(r[1] in (Role.leader, Role.clerk, Role.secretary) for r in p.roles)
        ],
        DEMO_PASSWORD,
    )
    report.ca_folder = str(folder)
    _seed_credentials(engine, store, settings, actor, demo_ca, report)
    _seed_files(engine, store, actor, report)
    report.created_documents = seed_documents(engine, store, settings)
    if report.created_documents:
        report.published = seed_directives(engine, store, settings, datetime.now(VN).date())
        issue_outgoing(engine, store, settings)
        report.published += seed_publications(engine)
    report.created_meetings = seed_meetings(engine, store, settings)
    report.logins = [(p.username, p.full_name, p.title) for p in PEOPLE]
    return report


def _agency_name(code: str) -> str:
    return next(s.name for s in AGENCIES if s.code == code)


def _seed_agencies(session: Session, actor: Actor, report: SeedReport) -> dict[str, Agency]:
    by_code: dict[str, Agency] = {}
    for spec in AGENCIES:
        agency = agencies.agency_by_code(session, spec.code)
        if agency is None:
            parent = by_code[spec.parent].id if spec.parent else None
            agency = agencies.create_agency(
                session,
                actor,
                code=spec.code,
                name=spec.name,
                abbreviation=spec.abbreviation,
                level=spec.level,
                parent_id=parent,
                parent_name=spec.parent_name,
            )
            report.created_agencies += 1
        by_code[spec.code] = agency
        assert agency.id is not None
        have = {
            u.abbreviation for u in session.exec(select(Unit).where(Unit.agency_id == agency.id))
        }
        for name, abbreviation in spec.units:
            if abbreviation not in have:
                agencies.create_unit(
                    session, actor, agency_id=agency.id, name=name, abbreviation=abbreviation
                )
    return by_code


def _seed_people(
    session: Session, actor: Actor, codes: dict[str, Agency], report: SeedReport
) -> None:
    for spec in PEOPLE:
        user = users.by_username(session, spec.username)
        if user is None:
            user = users.create_user(
                session,
                actor,
                username=spec.username,
                password=DEMO_PASSWORD,
                full_name=spec.full_name,
                title=spec.title,
                email=f"{spec.username}@angiang.demo.ecabinet.vn",
            )
            report.created_users += 1
        assert user.id is not None
        for code, role, unit_abbr in spec.roles:
            agency_id = codes[code].id
            assert agency_id is not None
            unit_id = None
            if unit_abbr:
                unit = session.exec(
                    select(Unit).where(Unit.agency_id == agency_id, Unit.abbreviation == unit_abbr)
                ).one()
                unit_id = unit.id
            agencies.grant_role(
                session, actor, user_id=user.id, agency_id=agency_id, role=role, unit_id=unit_id
            )


@dataclass(frozen=True)
class _Credential:
    """A demo credential to have: whose, which file, which image."""

    kind: CredentialKind
    owner: int
    """User id (personal) or agency id (seal)."""
    pkcs12: Path
    certificate: x509.Certificate
    image: Callable[[], bytes]

    def rows(self, session: Session) -> list[SigningCredential]:
        """The owner's demo credentials of this kind, newest first."""
        column = SigningCredential.user_id if self.kind.official else SigningCredential.agency_id
        query = select(SigningCredential).where(
            col(SigningCredential.kind) == self.kind,
            col(column) == self.owner,
            col(SigningCredential.label) == DEMO_LABEL,
        )
        return sorted(session.exec(query), key=lambda r: r.created_at, reverse=True)

    def current(self, session: Session) -> SigningCredential | None:
        digest = credentials.fingerprint(self.certificate)
        return next((r for r in self.rows(session) if r.fingerprint == digest), None)


def _seed_credentials(
    engine: Engine,
    store: ObjectStore,
    settings: Settings,
    actor: Actor,
    demo_ca: ca.DemoCA,
    report: SeedReport,
) -> None:
    """The leaders' keys and every agency's seal, with the demo signature and seal images,
    registered through the credential service with the province admin's authority (the
    audit names the demo as the actor), each with the demo PIN (:data:`DEMO_PIN`). A
    credential the CA has since renewed is disabled when its successor is registered; one
    registered before the PINs gets the demo PIN."""
    vault = credentials.vault_for(settings)
    with session_scope(engine, write=False) as session:
        wanted = [
            _Credential(
                CredentialKind.personal,
                _id(users.by_username(session, p.username)),
                demo_ca.people[p.username],
                demo_ca.people_certs[p.username],
                partial(signature_png, p.full_name),
            )
            for p in PEOPLE
            if any(role is Role.leader for _, role, _ in p.roles)
        ]
        wanted += [
            _Credential(
                CredentialKind.seal,
                _id(agencies.agency_by_code(session, a.code)),
                demo_ca.seals[a.code],
                demo_ca.seal_certs[a.code],
                partial(seal_png, a.name),
            )
            for a in AGENCIES
        ]
        todo = [
            w
            for w in wanted
            if (c := w.current(session)) is None
            or c.image_sha256 is None
            or c.key_wrap == KeyWrap.kek  # from before the PINs: give it the demo PIN
        ]
    if not todo:
        return
    pin_keys = [pins.prepare(DEMO_PIN, settings) for _ in todo]  # slow: before the writes
    blobs = []
    for item in todo:  # images first, then the rows that name them
        png = item.image()
        images.check_image(item.kind, png)
        blobs.append(store.put_bytes(png))
    with session_scope(engine) as session:
        admin = users.by_username(session, "admin")
        assert admin is not None
        subject = subject_for(session, admin)
        for item, blob, pin_key in zip(todo, blobs, pin_keys, strict=True):
            row = item.current(session)
            if row is None:
                row = registration.upload_credential(
                    session,
                    actor,
                    subject,
                    vault=vault,
                    anchors=[demo_ca.root],
                    pkcs12=item.pkcs12.read_bytes(),
                    passphrase=DEMO_PASSWORD,
                    pin=pin_key,
                    user_id=item.owner if item.kind.official else None,
                    agency_id=None if item.kind.official else item.owner,
                    label=DEMO_LABEL,
                )
                report.created_credentials += 1
                for old in item.rows(session):
                    if old.id != row.id and old.disabled_at is None:
                        credentials.disable_credential(session, actor, subject, old.id)
            elif row.key_wrap == KeyWrap.kek:
                pin_changes.first_pin_as_operator(session, actor, row, vault, pin_key)
            images.attach_image(session, actor, subject, row.id, blob.sha256)


def _id(found: Agency | users.User | None) -> int:
    assert found is not None and found.id is not None
    return found.id


def _seed_files(engine: Engine, store: ObjectStore, actor: Actor, report: SeedReport) -> None:
    with session_scope(engine, write=False) as session:
        province = agencies.agency_by_code(session, PROVINCE)
        assert province is not None and province.id is not None
        have = set(
            session.exec(
                select(files.StoredFile.filename).where(files.StoredFile.agency_id == province.id)
            )
        )
    for doc in pdfs.demo_documents():
        if doc.filename in have:
            continue
        blob = store.put_bytes(doc.pdf())  # blob first, then the row
        with session_scope(engine) as session:
            files.register_file(
                session,
                actor,
                blob=blob,
                filename=doc.filename,
                content_type="application/pdf",
                agency_id=province.id,
            )
        report.created_files += 1
