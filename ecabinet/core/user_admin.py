"""What an administrator does to user accounts: find them, correct their details, reset
a password, take a role away.

Who may: an administrator of every agency the person belongs to (an administrator of a
top-level agency for a person of no agency), as for disabling an account
(:func:`ecabinet.core.accounts.require_manages`). Every change is audited in the caller's
transaction.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import delete, func
from sqlmodel import Session, col, select

from ecabinet.core import audit, errors, outbox, throttle
from ecabinet.core.accounts import mobile_or_none, require_manages
from ecabinet.core.agencies import Agency, Membership, Role, Unit
from ecabinet.core.audit import Actor
from ecabinet.core.auth import UserSession
from ecabinet.core.policy import Action, InAgency, Subject, System, authorize
from ecabinet.core.text import fold
from ecabinet.core.users import User, check_password_policy, hash_password

EMAIL_RE = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]{2,}$")


@dataclass(frozen=True)
class UserRow:
    """A user as the administration list shows them: with every role they hold."""

    user: User
    memberships: list[tuple[Membership, Agency, Unit | None]]


@dataclass(frozen=True)
class UserPage:
    items: list[UserRow]
    total: int
    """How many users match, over every page."""


def find_users(
    session: Session,
    subject: Subject,
    *,
    text: str = "",
    agency_id: int | None = None,
    active: bool | None = None,
    limit: int = 50,
    offset: int = 0,
) -> UserPage:
    """The users an administrator manages, by user name. ``agency_id``: only members of
    that agency (its administrators only); otherwise a top-level administrator sees
    everyone and other administrators the members of the agencies they administer.
    ``text`` matches the user name, full name, title or e-mail without regard to case or
    Vietnamese marks ("nguyen" finds "Nguyễn")."""
    if agency_id is not None:
        if session.get(Agency, agency_id) is None:
            raise errors.NotFound.of("cơ quan", "Agency", "agency.not_found")
        authorize(subject, Action.manage, InAgency(agency_id, "membership"))
        scope: set[int] | None = {agency_id}
    else:
        authorize(subject, Action.manage, System("users"))
        root = subject.administers_a_root()
        scope = None if root else {a for a in subject.parents if subject.administers(a)}
    query = select(User).order_by(col(User.username))
    if scope is not None:
        members = select(Membership.user_id).where(col(Membership.agency_id).in_(scope))
        query = query.where(col(User.id).in_(members))
    if active is not None:
        query = query.where(col(User.is_active) == active)
    found = list(session.exec(query))
    if words := fold(text).split():
        found = [u for u in found if all(w in _haystack(u) for w in words)]
    page = found[offset : offset + limit]
    return UserPage([UserRow(u, _memberships(session, u)) for u in page], len(found))


def _haystack(user: User) -> str:
    return fold(" ".join([user.username, user.full_name, user.title, user.email or ""]))


def _memberships(session: Session, user: User) -> list[tuple[Membership, Agency, Unit | None]]:
    rows = session.exec(
        select(Membership, Agency, Unit)
        .join(Agency, col(Agency.id) == Membership.agency_id)
        .join(Unit, col(Unit.id) == Membership.unit_id, isouter=True)
        .where(Membership.user_id == user.id)
        .order_by(col(Membership.id))
    )
    return [(m, a, u) for m, a, u in rows]


def user_row(session: Session, user: User) -> UserRow:
    return UserRow(user, _memberships(session, user))


def managed_user(session: Session, subject: Subject, user_id: int) -> User:
    """The user, if ``subject`` administers them (404 if there is none, 403 otherwise)."""
    user = session.get(User, user_id)
    if user is None or user.id is None:
        raise errors.NotFound.of("người dùng", "User", "user.not_found")
    require_manages(session, subject, user.id)
    return user


def update_user(
    session: Session,
    actor: Actor,
    subject: Subject,
    user_id: int,
    *,
    full_name: str | None = None,
    title: str | None = None,
    email: str | None = None,
    phone: str | None = None,
) -> User:
    """Correct a user's full name, title, e-mail or mobile number (``None``: unchanged;
    ``""`` clears the e-mail or the number). The audit entry names the fields changed,
    not their values (a number or an address is personal data)."""
    user = managed_user(session, subject, user_id)
    changed: list[str] = []
    if full_name is not None:
        if not full_name.strip():
            raise errors.InvalidInput(
                "user.no_name", "Cần nhập họ và tên.", "A full name is required."
            )
        changed += _set(user, "full_name", full_name.strip())
    if title is not None:
        changed += _set(user, "title", title.strip())
    if email is not None:
        address = email.strip() or None
        if address is not None and not EMAIL_RE.match(address):
            raise errors.InvalidInput(
                "user.bad_email",
                "Địa chỉ thư điện tử không hợp lệ (ví dụ ten@example.gov.vn).",
                "Not an e-mail address (for example name@example.gov.vn).",
            )
        changed += _set(user, "email", address)
    if phone is not None:
        changed += _set(user, "phone", mobile_or_none(phone))
    if changed:
        session.add(user)
        audit.record(session, actor, "user.update", "user", user.id, ", ".join(changed))
    return user


def _set(user: User, field: str, value: str | None) -> list[str]:
    if getattr(user, field) == value:
        return []
    setattr(user, field, value)
    return [field]


def reset_password(
    session: Session, actor: Actor, subject: Subject, user_id: int, password: str
) -> User:
    """Give a user a new password chosen by an administrator: the policy applies, every
    login session of theirs ends, their live connections are cut and the login throttle
    on their name is cleared (so the new password works at once). API tokens stay: they
    are not passwords. Nobody resets their own password here."""
    user = managed_user(session, subject, user_id)
    if user.id == subject.user_id:
        raise errors.Conflict(
            "user.reset_self",
            "Bạn không thể tự đặt lại mật khẩu của mình tại đây.",
            "You cannot reset your own password here.",
        )
    check_password_policy(password)
    user.password_hash = hash_password(password)
    session.add(user)
    session.execute(delete(UserSession).where(col(UserSession.user_id) == user.id))
    outbox.cut(session, "user", user_id)
    throttle.unlock(session, actor, user.username)
    audit.record(session, actor, "user.password_reset", "user", user.id, user.username)
    return user


def revoke_role(
    session: Session, actor: Actor, subject: Subject, *, user_id: int, agency_id: int, role: Role
) -> None:
    """Take a role in an agency away from a user (administrators of that agency). The
    last administrator of a top-level agency keeps the role: without one, nobody could
    administer the province except at the command line."""
    if session.get(User, user_id) is None:
        raise errors.NotFound.of("người dùng", "User", "user.not_found")
    agency = session.get(Agency, agency_id)
    if agency is None or agency.id is None:
        raise errors.NotFound.of("cơ quan", "Agency", "agency.not_found")
    authorize(subject, Action.manage, InAgency(agency.id, "membership"))
    held = session.exec(
        select(Membership).where(
            Membership.user_id == user_id,
            Membership.agency_id == agency_id,
            Membership.role == role,
        )
    ).first()
    if held is None:
        raise errors.NotFound.of("vai trò này của người dùng", "The user's role", "role.not_held")
    if role is Role.admin and agency.parent_id is None:
        admins = session.exec(
            select(func.count())
            .select_from(Membership)
            .where(Membership.agency_id == agency_id, Membership.role == Role.admin)
        ).one()
        if admins <= 1:
            raise errors.Conflict(
                "role.last_admin",
                "Không thể thu hồi vai trò quản trị của quản trị viên cuối cùng của cơ quan cấp"
                " cao nhất.",
                "The last administrator of a top-level agency keeps the role.",
            )
    session.delete(held)
    session.flush()
    audit.record(
        session, actor, "role.revoke", "user", user_id, f"{role.value} @ agency {agency_id}"
    )
