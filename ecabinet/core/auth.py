"""Login sessions, CSRF tokens and personal API tokens (the login itself: ``login.py``).

A session cookie carries a random secret signed with the settings' secret key; the
database keeps only its SHA-256, so a leaked table opens no session. The CSRF token
is an HMAC of the session secret: nothing to store, and it dies with the session.
API tokens are random, shown once, and kept as SHA-256 (they carry 256 bits of
entropy, so a slow hash adds nothing).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import Column, delete
from sqlmodel import Field, Session, SQLModel, col, select

from ecabinet.core import audit, errors
from ecabinet.core.audit import Actor
from ecabinet.core.settings import Settings
from ecabinet.core.types import UTCDateTime, utcnow
from ecabinet.core.users import User

TOKEN_PREFIX = "ecab_"  # noqa: S105 - a marker, not a secret
_TOUCH_EVERY = timedelta(minutes=1)


class UserSession(SQLModel, table=True):
    __tablename__ = "user_session"
    id: str = Field(primary_key=True, max_length=64, description="SHA-256 of the cookie secret")
    user_id: int = Field(foreign_key="user.id", index=True)
    created_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    expires_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    last_seen_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    client_addr: str = Field(default="", max_length=64)


class ApiToken(SQLModel, table=True):
    __tablename__ = "api_token"
    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", index=True)
    name: str = Field(max_length=100)
    prefix: str = Field(max_length=16)
    token_hash: str = Field(max_length=64, unique=True)
    created_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    expires_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    last_used_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    revoked_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))


@dataclass(frozen=True)
class Principal:
    """The authenticated caller of a request."""

    user: User
    via: str  # "session" | "token"
    csrf_token: str | None = None
    session_id: str | None = None
    token_id: int | None = None
    token_touch_due: bool = False

    def actor(self, client_addr: str = "") -> Actor:
        return Actor(self.user.id, self.user.username, client_addr)


def _sha(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def _serializer(settings: Settings) -> URLSafeSerializer:
    return URLSafeSerializer(settings.secret_key, salt="ecabinet.session")


def csrf_for(settings: Settings, session_secret: str) -> str:
    key = hashlib.sha256(("csrf:" + settings.secret_key).encode()).digest()
    return hmac.new(key, session_secret.encode(), hashlib.sha256).hexdigest()


def open_session(
    session: Session, settings: Settings, user: User, client_addr: str
) -> tuple[str, str]:
    """Open a login session for ``user`` (audited); return its cookie and CSRF token."""
    assert user.id is not None
    now = utcnow()
    secret = secrets.token_urlsafe(32)
    session.add(
        UserSession(
            id=_sha(secret),
            user_id=user.id,
            created_at=now,
            expires_at=now + timedelta(hours=settings.session_hours),
            last_seen_at=now,
            client_addr=client_addr[:64],
        )
    )
    audit.record(session, Actor(user.id, user.username, client_addr), "auth.login", "user", user.id)
    return _serializer(settings).dumps(secret), csrf_for(settings, secret)


def principal_from_cookie(session: Session, settings: Settings, cookie: str) -> Principal | None:
    """Resolve a session cookie; ``None`` when it is forged, unknown or expired."""
    try:
        secret = _serializer(settings).loads(cookie)
    except BadSignature:
        return None
    if not isinstance(secret, str):
        return None
    row = session.get(UserSession, _sha(secret))
    now = utcnow()
    if row is None or row.expires_at <= now:
        return None
    user = session.get(User, row.user_id)
    if user is None or not user.is_active:
        return None
    return Principal(user, "session", csrf_for(settings, secret), row.id)


def logout(session: Session, principal: Principal, client_addr: str) -> None:
    """End the caller's session (token callers have no session to end)."""
    if principal.session_id:
        session.execute(delete(UserSession).where(col(UserSession.id) == principal.session_id))
    audit.record(session, principal.actor(client_addr), "auth.logout", "user", principal.user.id)


def create_token(
    session: Session,
    principal: Principal,
    *,
    name: str,
    expires_in_days: int | None,
    client_addr: str,
) -> tuple[str, ApiToken]:
    """Create a personal API token; the secret is returned once and never stored."""
    name = name.strip()
    if not 1 <= len(name) <= 100:
        raise errors.InvalidInput(
            "token.bad_name",
            "Tên mã truy cập dài từ 1 đến 100 ký tự.",
            "A token name is 1 to 100 characters.",
        )
    if expires_in_days is not None and not 1 <= expires_in_days <= 3650:
        raise errors.InvalidInput(
            "token.bad_expiry",
            "Thời hạn phải từ 1 đến 3650 ngày.",
            "Expiry must be 1 to 3650 days.",
        )
    assert principal.user.id is not None
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    now = utcnow()
    token = ApiToken(
        user_id=principal.user.id,
        name=name,
        prefix=secret[:12],
        token_hash=_sha(secret),
        created_at=now,
        expires_at=now + timedelta(days=expires_in_days) if expires_in_days else None,
    )
    session.add(token)
    session.flush()
    audit.record(session, principal.actor(client_addr), "token.create", "api_token", token.id, name)
    return secret, token


def list_tokens(session: Session, principal: Principal) -> list[ApiToken]:
    return list(
        session.exec(
            select(ApiToken)
            .where(ApiToken.user_id == principal.user.id, col(ApiToken.revoked_at).is_(None))
            .order_by(col(ApiToken.id))
        )
    )


def revoke_token(session: Session, principal: Principal, token_id: int, client_addr: str) -> None:
    """Revoke one of the caller's own tokens; someone else's looks like a missing one."""
    from ecabinet.core.policy import Action, authorize, subject_for

    token = session.get(ApiToken, token_id)
    if token is None or token.revoked_at is not None:
        raise errors.NotFound.of("mã truy cập", "API token", "token.not_found")
    authorize(subject_for(session, principal.user), Action.delete, token)
    token.revoked_at = utcnow()
    session.add(token)
    audit.record(session, principal.actor(client_addr), "token.revoke", "api_token", token.id)


def principal_from_token(session: Session, secret: str) -> Principal | None:
    """Resolve a bearer token; ``None`` when unknown, revoked or expired."""
    if not secret.startswith(TOKEN_PREFIX) or len(secret) > 200:
        return None
    token = session.exec(select(ApiToken).where(ApiToken.token_hash == _sha(secret))).first()
    now = utcnow()
    if token is None or token.revoked_at is not None:
        return None
    if token.expires_at is not None and token.expires_at <= now:
        return None
    user = session.get(User, token.user_id)
    if user is None or not user.is_active:
        return None
    due = token.last_used_at is None or now - token.last_used_at > _TOUCH_EVERY
    return Principal(user, "token", token_id=token.id, token_touch_due=due)


def touch_token(session: Session, token_id: int) -> None:
    """Record that a token was used (at most once a minute, so reads stay reads)."""
    token = session.get(ApiToken, token_id)
    if token is not None:
        token.last_used_at = utcnow()
        session.add(token)
