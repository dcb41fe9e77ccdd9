"""Agencies (cơ quan), their units (đơn vị) and who holds which role where."""

from __future__ import annotations

import re
from enum import StrEnum

from sqlalchemy import String, UniqueConstraint
from sqlmodel import Field, Session, SQLModel, col, select

from ecabinet.core import audit, errors, text
from ecabinet.core.audit import Actor


class AgencyLevel(StrEnum):
    province = "province"
    department = "department"
    district = "district"
    commune = "commune"


class Role(StrEnum):
    admin = "admin"
    clerk = "clerk"
    leader = "leader"
    specialist = "specialist"
    secretary = "secretary"
    member = "member"


# Decision 20/2020/QĐ-TTg: V1V2V3.Z1Z2.Y1Y2.H1H2H3, four levels read from the right: the
# level-1 agency (a letter for its group: A Party, C National Assembly, G ministries, H
# provincial People's Committees, K People's Councils..., then two digits), then two, two
# and three digits for levels 2, 3 and 4, zeros where the level is not used
# (000.00.00.H01 a province, 000.00.10.H01 one of its departments, 000.01.10.H01 a unit
# of that department).
AGENCY_CODE_RE = re.compile(r"^(\d{3})\.(\d{2})\.(\d{2})\.([A-Z]\d{2})$")
ABBREVIATION_RE = re.compile(r"^[0-9A-Za-zĐđ&]{1,20}$")


class Agency(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=32, unique=True, description="Mã định danh, e.g. 000.00.00.H01")
    name: str = Field(max_length=255)
    abbreviation: str = Field(max_length=20, description="UBND, STTTT…, used in document symbols")
    parent_name: str = Field(default="", max_length=255, description="Line above the name")
    level: AgencyLevel = Field(sa_type=String(16))
    parent_id: int | None = Field(default=None, foreign_key="agency.id", index=True)
    address: str = Field(default="", max_length=255)
    tax_code: str | None = Field(default=None, max_length=20, description="Mã số thuế (MST)")
    budget_code: str | None = Field(
        default=None, max_length=20, description="Mã quan hệ ngân sách (MNS)"
    )


class Unit(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("agency_id", "abbreviation"),)
    id: int | None = Field(default=None, primary_key=True)
    agency_id: int = Field(foreign_key="agency.id", index=True)
    name: str = Field(max_length=255)
    abbreviation: str = Field(max_length=20)


class Membership(SQLModel, table=True):
    """A user holds a role in an agency (optionally inside one of its units)."""

    __table_args__ = (UniqueConstraint("user_id", "agency_id", "role"),)
    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", index=True)
    agency_id: int = Field(foreign_key="agency.id", index=True)
    unit_id: int | None = Field(default=None, foreign_key="unit.id")
    role: Role = Field(sa_type=String(16))


def valid_agency_code(code: str) -> bool:
    """Whether ``code`` has the national shape, its levels filled from level 1 down
    (a level-3 group is never set under an unset level 2)."""
    found = AGENCY_CODE_RE.match(code)
    if found is None:
        return False
    level4, level3, level2, _level1 = found.groups()
    if level2 == "00":
        return level3 == "00" and level4 == "000"
    return level3 != "00" or level4 == "000"


def normal_code(code: str) -> str:
    return code.strip().upper()


def check_agency(code: str, name: str, abbreviation: str) -> tuple[str, str, str]:
    """The agency's code, name and abbreviation as stored; raises InvalidInput when one of
    them is not acceptable."""
    code = normal_code(code)
    if not valid_agency_code(code):
        raise errors.InvalidInput(
            "agency.bad_code",
            f"Mã định danh cơ quan “{code}” không đúng dạng V1V2V3.Z1Z2.Y1Y2.H1H2H3, các cấp"
            " điền từ phải sang (ví dụ 000.00.00.H01, 000.00.10.H01, 000.01.10.H01).",
            f"Agency code {code!r} is not of the form V1V2V3.Z1Z2.Y1Y2.H1H2H3, its levels"
            " filled from the right (for example 000.00.00.H01, 000.00.10.H01, 000.01.10.H01).",
        )
    name = text.line(name).strip()
    if not name or len(name) > 255:
        raise errors.InvalidInput(
            "agency.bad_name",
            "Tên cơ quan phải có, tối đa 255 ký tự.",
            "An agency name is required, at most 255 characters.",
        )
    abbreviation = abbreviation.strip()
    if not ABBREVIATION_RE.match(abbreviation):
        raise errors.InvalidInput(
            "agency.bad_abbreviation",
            "Chữ viết tắt của cơ quan chỉ gồm chữ và số, tối đa 20 ký tự.",
            "An agency abbreviation is letters and digits, at most 20.",
        )
    return code, name, abbreviation


def create_agency(
    session: Session,
    actor: Actor,
    *,
    code: str,
    name: str,
    abbreviation: str,
    level: AgencyLevel,
    parent_id: int | None = None,
    parent_name: str = "",
    address: str = "",
    tax_code: str | None = None,
    budget_code: str | None = None,
) -> Agency:
    """Create an agency under ``parent_id``; codes are unique and checked for shape."""
    code, name, abbreviation = check_agency(code, name, abbreviation)
    if session.exec(select(Agency).where(Agency.code == code)).first():
        raise errors.Conflict(
            "agency.code_taken",
            f"Mã định danh {code} đã được dùng.",
            f"Agency code {code} is already in use.",
        )
    if parent_id is not None and session.get(Agency, parent_id) is None:
        raise errors.NotFound.of("cơ quan cấp trên", "Parent agency", "agency.not_found")
    agency = Agency(
        code=code,
        name=name,
        abbreviation=abbreviation,
        level=level,
        parent_id=parent_id,
        parent_name=parent_name,
        address=address,
        tax_code=(tax_code or "").strip() or None,
        budget_code=(budget_code or "").strip() or None,
    )
    session.add(agency)
    session.flush()
    audit.record(session, actor, "agency.create", "agency", agency.id, f"{code} {agency.name}")
    return agency


def create_unit(
    session: Session, actor: Actor, *, agency_id: int, name: str, abbreviation: str
) -> Unit:
    """Create a unit (phòng, ban) inside an agency."""
    if session.get(Agency, agency_id) is None:
        raise errors.NotFound.of("cơ quan", "Agency", "agency.not_found")
    if not ABBREVIATION_RE.match(abbreviation):
        raise errors.InvalidInput(
            "unit.bad_abbreviation",
            "Chữ viết tắt của đơn vị chỉ gồm chữ và số, tối đa 20 ký tự.",
            "A unit abbreviation is letters and digits, at most 20.",
        )
    unit = Unit(agency_id=agency_id, name=name.strip(), abbreviation=abbreviation)
    session.add(unit)
    session.flush()
    audit.record(session, actor, "unit.create", "unit", unit.id, f"{abbreviation} {unit.name}")
    return unit


def grant_role(
    session: Session,
    actor: Actor,
    *,
    user_id: int,
    agency_id: int,
    role: Role,
    unit_id: int | None = None,
) -> Membership:
    """Give a user a role in an agency; granting a role already held is a no-op."""
    existing = session.exec(
        select(Membership).where(
            Membership.user_id == user_id,
            Membership.agency_id == agency_id,
            Membership.role == role,
        )
    ).first()
    if existing:
        return existing
    if unit_id is not None:
        unit = session.get(Unit, unit_id)
        if unit is None or unit.agency_id != agency_id:
            raise errors.NotFound.of("đơn vị", "Unit", "unit.not_found")
    membership = Membership(user_id=user_id, agency_id=agency_id, role=role, unit_id=unit_id)
    session.add(membership)
    session.flush()
    audit.record(
        session, actor, "role.grant", "user", user_id, f"{role.value} @ agency {agency_id}"
    )
    return membership


def list_agencies(session: Session) -> list[Agency]:
    return list(
        session.exec(select(Agency).order_by(col(Agency.parent_id).nulls_first(), col(Agency.id)))
    )


def memberships_of(session: Session, user_id: int) -> list[tuple[Membership, Agency, Unit | None]]:
    """The user's memberships with their agency and unit, in a stable order."""
    rows = session.exec(
        select(Membership, Agency, Unit)
        .join(Agency, col(Agency.id) == Membership.agency_id)
        .join(Unit, col(Unit.id) == Membership.unit_id, isouter=True)
        .where(Membership.user_id == user_id)
        .order_by(col(Membership.id))
    )
    return [(m, a, u) for m, a, u in rows]


def agency_by_code(session: Session, code: str) -> Agency | None:
    return session.exec(select(Agency).where(Agency.code == code)).first()
