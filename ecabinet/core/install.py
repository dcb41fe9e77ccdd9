"""Setting up a province from an empty database (``ecabinet init``).

:func:`initialise` makes sure the root agency (the province People's Committee) and its
first administrator exist as given. What is missing is created and audited; what is
present with the same values is left alone, so running it again changes nothing; what is
present with other values is reported and nothing is changed.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, col, select

from ecabinet.core import agencies, errors, users
from ecabinet.core.agencies import Agency, AgencyLevel, Membership, Role
from ecabinet.core.audit import Actor
from ecabinet.core.users import User


@dataclass(frozen=True)
class Root:
    """The root agency as the operator gives it."""

    code: str
    name: str
    abbreviation: str
    level: AgencyLevel = AgencyLevel.province


@dataclass(frozen=True)
class FirstAdmin:
    username: str
    full_name: str
    password: str
    title: str = ""


def initialise(session: Session, actor: Actor, root: Root, admin: FirstAdmin) -> list[str]:
    """Create what is missing of ``root`` and ``admin`` (an administrator of the root, the
    role that administers every agency below it); returns what was created, empty when
    everything was there already. Raises ``init.differs`` (Conflict) naming each
    difference when the database holds other values."""
    code, name, abbreviation = agencies.check_agency(root.code, root.name, root.abbreviation)
    agency = agencies.agency_by_code(session, code)
    user = users.by_username(session, admin.username)
    differences = _root_differences(session, agency, Root(code, name, abbreviation, root.level))
    if user is not None:
        differences += _admin_differences(session, user, agency, admin)
    if differences:
        raise errors.Conflict(
            "init.differs",
            "Cơ sở dữ liệu đã được khởi tạo với giá trị khác, không thay đổi gì: "
            + "; ".join(vi for vi, _en in differences),
            "The database was initialised with other values; nothing changed: "
            + "; ".join(en for _vi, en in differences),
            {"differences": [en for _vi, en in differences]},
        )
    created: list[str] = []
    if agency is None:
        agency = agencies.create_agency(
            session, actor, code=code, name=name, abbreviation=abbreviation, level=root.level
        )
        created.append(f"agency {code} {name}")
    if user is None:
        user = users.create_user(
            session,
            actor,
            username=admin.username,
            password=admin.password,
            full_name=admin.full_name,
            title=admin.title,
        )
        created.append(f"user {user.username}")
    assert user.id is not None and agency.id is not None
    if not _is_admin(session, user.id, agency.id):
        agencies.grant_role(session, actor, user_id=user.id, agency_id=agency.id, role=Role.admin)
        created.append(f"role admin of {code} for {user.username}")
    return created


def _root_differences(session: Session, agency: Agency | None, root: Root) -> list[tuple[str, str]]:
    if agency is None:
        other = session.exec(
            select(Agency).where(col(Agency.parent_id).is_(None)).order_by(col(Agency.id))
        ).first()
        if other is None:
            return []
        return [
            (
                f"cơ quan gốc đã là {other.code} {other.name}, không phải {root.code}",
                f"the root agency is {other.code} {other.name}, not {root.code}",
            )
        ]
    found: list[tuple[str, str]] = []
    for key, now, wanted in [
        ("name", agency.name, root.name),
        ("abbreviation", agency.abbreviation, root.abbreviation),
        ("level", str(agency.level), root.level.value),
    ]:
        if now != wanted:
            found.append(
                (
                    f"{key} của {root.code} là “{now}”, không phải “{wanted}”",
                    f"{key} of {root.code} is {now!r}, not {wanted!r}",
                )
            )
    if agency.parent_id is not None:
        found.append(
            (
                f"{root.code} thuộc một cơ quan khác, không phải cơ quan gốc",
                f"{root.code} is under another agency, not a root",
            )
        )
    return found


def _admin_differences(
    session: Session, user: User, agency: Agency | None, admin: FirstAdmin
) -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    if user.full_name != admin.full_name.strip():
        found.append(
            (
                f"họ tên của {user.username} là “{user.full_name}”",
                f"the full name of {user.username} is {user.full_name!r}",
            )
        )
    if not users.password_matches(user, admin.password):
        found.append(
            (
                f"mật khẩu của {user.username} khác (không đổi)",
                f"the password of {user.username} differs (not changed)",
            )
        )
    if agency is None or agency.id is None or not _is_admin(session, user.id, agency.id):
        found.append(
            (
                f"{user.username} đã có nhưng không là quản trị viên của cơ quan gốc",
                f"{user.username} exists but is not an administrator of the root agency",
            )
        )
    return found


def _is_admin(session: Session, user_id: int | None, agency_id: int) -> bool:
    return (
        session.exec(
            select(Membership).where(
                Membership.user_id == user_id,
                Membership.agency_id == agency_id,
                Membership.role == Role.admin,
            )
        ).first()
        is not None
    )
