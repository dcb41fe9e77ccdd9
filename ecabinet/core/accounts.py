"""Disabling and enabling a user account, and a user's mobile number.

A disabled user cannot log in, and nothing they held works any more: their login
sessions are deleted, their API tokens are refused while the account is disabled (they
work again if it is enabled), and their live connections are cut once the change
commits. Only an administrator of every agency the user belongs to may do it over the
API (a user of no agency: an administrator of a top-level agency); nobody disables
themselves. The operator does it at the command line.
"""

from __future__ import annotations

from sqlalchemy import delete
from sqlmodel import Session, col, select

from ecabinet.core import audit, errors, outbox
from ecabinet.core.agencies import Membership
from ecabinet.core.audit import Actor
from ecabinet.core.auth import UserSession
from ecabinet.core.policy import Subject
from ecabinet.core.users import User, vn_mobile


def set_active(
    session: Session, actor: Actor, user_id: int, active: bool, *, by: Subject | None
) -> User:
    """Disable (``active=False``) or enable a user. ``by`` is the administrator acting
    over the API, whose right is checked; ``None`` for the operator at the command line.
    Setting the state the account already has changes nothing."""
    user = session.get(User, user_id)
    if user is None or user.id is None:
        raise errors.NotFound.of("người dùng", "User", "user.not_found")
    if by is not None:
        require_manages(session, by, user.id)
        if not active and by.user_id == user.id:
            raise errors.Conflict(
                "user.disable_self",
                "Bạn không thể tự khóa tài khoản của mình.",
                "You cannot disable your own account.",
            )
    if user.is_active == active:
        return user
    user.is_active = active
    session.add(user)
    if not active:
        session.execute(delete(UserSession).where(col(UserSession.user_id) == user.id))
        outbox.cut(session, "user", user.id)
    action = "user.enable" if active else "user.disable"
    audit.record(session, actor, action, "user", user.id, user.username)
    return user


def set_phone(session: Session, actor: Actor, user_id: int, raw: str, *, by: Subject) -> User:
    """Set (or with "" clear) a user's mobile number: the user themselves, or an
    administrator of every agency the user belongs to. Only Vietnamese mobile numbers
    (03x, 05x, 07x, 08x, 09x) are accepted; the number is kept as ``84…``."""
    user = session.get(User, user_id)
    if user is None or user.id is None:
        raise errors.NotFound.of("người dùng", "User", "user.not_found")
    if by.user_id != user.id:
        require_manages(session, by, user.id)
    phone = mobile_or_none(raw)
    if user.phone != phone:
        user.phone = phone
        session.add(user)
        shown = f"…{phone[-3:]}" if phone else "cleared"
        audit.record(session, actor, "user.phone", "user", user.id, shown)
    return user


def mobile_or_none(raw: str) -> str | None:
    """A typed mobile number as ``84…``; None for an empty one; a 422 for anything else."""
    if not raw.strip():
        return None
    phone = vn_mobile(raw)
    if phone is None:
        raise errors.InvalidInput(
            "user.bad_phone",
            "Số điện thoại di động không hợp lệ (ví dụ 0912 345 678).",
            "Not a Vietnamese mobile number (for example 0912 345 678).",
        )
    return phone


def require_manages(session: Session, subject: Subject, user_id: int) -> None:
    """Refuse (403) unless ``subject`` administers every agency the user belongs to (a
    user of no agency: an administrator of a top-level agency)."""
    agencies = set(
        session.exec(select(Membership.agency_id).where(Membership.user_id == user_id)).all()
    )
    allowed = (
        all(subject.administers(a) for a in agencies) if agencies else subject.administers_a_root()
    )
    if not allowed:
        raise errors.PermissionDenied(
            "user.not_your_agency",
            "Chỉ quản trị viên của mọi cơ quan mà người này thuộc về mới được quản lý tài"
            " khoản của người này (khóa, mở, sửa thông tin, đặt lại mật khẩu).",
            "Only an administrator of every agency this person belongs to may manage the"
            " account (disable, enable, edit, reset the password).",
        )
