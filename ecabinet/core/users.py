"""People who use the system, and their passwords (argon2)."""

from __future__ import annotations

import re
from datetime import datetime

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Column
from sqlmodel import Field, Session, SQLModel, select

from ecabinet.core import audit, errors
from ecabinet.core.audit import Actor
from ecabinet.core.types import UTCDateTime, utcnow

USERNAME_RE = re.compile(r"^[a-z0-9][a-z0-9._-]{1,62}$")
MIN_PASSWORD = 10
# argon2id at OWASP's recommended minimum (19 MiB, 2 passes, 1 lane): every concurrent
# login costs this much memory, so the library default (64 MiB) would invite a memory DoS.
_hasher = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)
# Verifying against this keeps the time of a login for an unknown name the same as for a known one.
_DUMMY_HASH = _hasher.hash("not-a-real-password-0000")


class User(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(max_length=64, unique=True, index=True)
    full_name: str = Field(max_length=255)
    title: str = Field(default="", max_length=255, description="Chức vụ")
    email: str | None = Field(default=None, max_length=255)
    language: str = Field(default="vi", max_length=2)
    password_hash: str = Field(max_length=255)
    is_active: bool = True
    created_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    personal_id: str | None = Field(
        default=None,
        max_length=20,
        description="Số CCCD/CMND, compared with a signing certificate's identifier",
    )
    phone: str | None = Field(
        default=None,
        max_length=16,
        description="Mobile number for urgent notifications by SMS (84 and nine digits)",
    )


_VN_MOBILE = re.compile(r"^(?:\+?84|0)([35789][0-9]{8})$")


def vn_mobile(raw: str) -> str | None:
    """A Vietnamese mobile number in international form (``84`` and nine digits) from
    ``0912 345 678``, ``+84 912-345-678`` or ``84912345678``; None if it is not one."""
    found = _VN_MOBILE.match(re.sub(r"[\s.()-]", "", raw))
    return f"84{found.group(1)}" if found else None


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def password_matches(user: User | None, password: str) -> bool:
    """Constant-shape check: an unknown user costs one argon2 verification too."""
    try:
        return _hasher.verify(user.password_hash if user else _DUMMY_HASH, password) and bool(user)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    """Whether a hash that just verified was made with other parameters than today's."""
    return _hasher.check_needs_rehash(password_hash)


def check_password_policy(password: str) -> None:
    if len(password) < MIN_PASSWORD or password.isdigit() or password.isalpha():
        raise errors.InvalidInput(
            "user.weak_password",
            f"Mật khẩu phải dài ít nhất {MIN_PASSWORD} ký tự, có cả chữ và số hoặc ký hiệu.",
            f"A password needs at least {MIN_PASSWORD} characters, mixing letters and digits"
            " or symbols.",
        )


def create_user(
    session: Session,
    actor: Actor,
    *,
    username: str,
    password: str,
    full_name: str,
    title: str = "",
    email: str | None = None,
    language: str = "vi",
    personal_id: str | None = None,
) -> User:
    """Create an active user; the user name is lower case and unique."""
    username = username.strip().lower()
    if not USERNAME_RE.match(username):
        raise errors.InvalidInput(
            "user.bad_username",
            "Tên đăng nhập chỉ gồm chữ thường không dấu, số, dấu chấm, gạch ngang (2–63 ký tự).",
            "A user name is 2–63 lower-case ASCII letters, digits, dots, dashes or underscores.",
        )
    if not full_name.strip():
        raise errors.InvalidInput("user.no_name", "Cần nhập họ và tên.", "A full name is required.")
    if language not in ("vi", "en"):
        raise errors.InvalidInput(
            "user.bad_language", "Ngôn ngữ phải là vi hoặc en.", "Language must be vi or en."
        )
    check_password_policy(password)
    if session.exec(select(User).where(User.username == username)).first():
        raise errors.Conflict(
            "user.username_taken",
            f"Tên đăng nhập {username} đã có người dùng.",
            f"User name {username} is taken.",
        )
    user = User(
        username=username,
        full_name=full_name.strip(),
        title=title.strip(),
        email=email,
        language=language,
        personal_id=(personal_id or "").strip() or None,
        password_hash=hash_password(password),
        created_at=utcnow(),
    )
    session.add(user)
    session.flush()
    audit.record(session, actor, "user.create", "user", user.id, f"{username} ({user.full_name})")
    return user


def by_username(session: Session, username: str) -> User | None:
    return session.exec(select(User).where(User.username == username.strip().lower())).first()
