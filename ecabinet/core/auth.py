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
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime, timedelta

from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import BindParameter, Column, ColumnElement, and_, bindparam, delete, or_
from sqlmodel import Field, Session, SQLModel, col, select

from ecabinet.core import audit, errors, outbox, scopes
from ecabinet.core.audit import Actor
from ecabinet.core.scopes import Scope
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
    scopes: str = Field(default="read write", max_length=64, description="ecabinet.core.scopes")


@dataclass(frozen=True)
class Principal:
    """The authenticated caller of a request."""

    user: User
    via: str  # "session" | "token"
    csrf_token: str | None = None
    session_id: str | None = None
    token_id: int | None = None
    token_touch_due: bool = False
    scopes: frozenset[Scope] | None = None
    """A token's scopes; None for a login session (not limited)."""

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


def session_alive(now: datetime | BindParameter[datetime]) -> ColumnElement[bool]:
    """When a login session is still good, in SQL (its ``User`` joined): not expired, its
    user active. The one statement of the rule: :func:`principal_from_cookie` (every
    request and socket event) and :func:`ecabinet.core.credentials.alive` (the sockets'
    re-check) both use it."""
    return and_(col(UserSession.expires_at) > now, col(User.is_active))


def token_alive(now: datetime | BindParameter[datetime]) -> ColumnElement[bool]:
    """When an API token is still good, in SQL (its ``User`` joined): not revoked, not
    expired, its user active; as :func:`session_alive`, for :func:`principal_from_token`
    and :func:`ecabinet.core.credentials.alive`."""
    return and_(
        col(ApiToken.revoked_at).is_(None),
        or_(col(ApiToken.expires_at).is_(None), col(ApiToken.expires_at) > now),
        col(User.is_active),
    )


# Built once: a statement made for each request costs more than the query itself.
_BY_SESSION = (
    select(UserSession, User)
    .join(User, col(User.id) == col(UserSession.user_id))
    .where(col(UserSession.id) == bindparam("key"), session_alive(bindparam("now")))
)
_BY_TOKEN = (
    select(ApiToken, User)
    .join(User, col(User.id) == col(ApiToken.user_id))
    .where(col(ApiToken.token_hash) == bindparam("key"), token_alive(bindparam("now")))
)
_BY_SESSIONS = (
    select(UserSession, User)
    .join(User, col(User.id) == col(UserSession.user_id))
    .where(
        col(UserSession.id).in_(bindparam("keys", expanding=True)),
        session_alive(bindparam("now")),
    )
)
_BY_TOKENS = (
    select(ApiToken, User)
    .join(User, col(User.id) == col(ApiToken.user_id))
    .where(
        col(ApiToken.token_hash).in_(bindparam("keys", expanding=True)),
        token_alive(bindparam("now")),
    )
)
_MANY_AT_ONCE = 500
"""Keys per query when many credentials are resolved at once (bound parameters)."""


def principal_from_cookie(session: Session, settings: Settings, cookie: str) -> Principal | None:
    """Resolve a session cookie; ``None`` when it is forged, unknown or expired, or its
    user is disabled (:func:`session_alive`)."""
    try:
        secret = _serializer(settings).loads(cookie)
    except BadSignature:
        return None
    if not isinstance(secret, str):
        return None
    found = session.exec(_BY_SESSION, params={"key": _sha(secret), "now": utcnow()}).first()
    if found is None:
        return None
    row, user = found
    return Principal(user, "session", csrf_for(settings, secret), row.id)


def principals_from_cookies(
    session: Session, settings: Settings, cookies: Collection[str]
) -> dict[str, Principal]:
    """:func:`principal_from_cookie` for many cookies in a few queries (a burst of
    ballots): the principal of each cookie that resolves, by cookie."""
    wanted: dict[str, tuple[str, str]] = {}  # session key -> (cookie, secret)
    for cookie in cookies:
        try:
            secret = _serializer(settings).loads(cookie)
        except BadSignature:
            continue
        if isinstance(secret, str):
            wanted[_sha(secret)] = (cookie, secret)
    out: dict[str, Principal] = {}
    keys, now = list(wanted), utcnow()
    for i in range(0, len(keys), _MANY_AT_ONCE):
        params = {"keys": keys[i : i + _MANY_AT_ONCE], "now": now}
        for row, user in session.exec(_BY_SESSIONS, params=params):
            cookie, secret = wanted[row.id]
            out[cookie] = Principal(user, "session", csrf_for(settings, secret), row.id)
    return out


def logout(session: Session, principal: Principal, client_addr: str) -> None:
    """End the caller's session (token callers have no session to end); its live
    connections are cut after commit."""
    if principal.session_id:
        session.execute(delete(UserSession).where(col(UserSession.id) == principal.session_id))
        outbox.cut(session, "session", principal.session_id)
    audit.record(session, principal.actor(client_addr), "auth.logout", "user", principal.user.id)


def create_token(
    session: Session,
    principal: Principal,
    *,
    name: str,
    expires_in_days: int | None,
    client_addr: str,
    scope_names: list[str] | None = None,
) -> tuple[str, ApiToken]:
    """Create a personal API token with ``scope_names`` (default: read and write); the
    secret is returned once and never stored."""
    granted = scopes.parse(scope_names) if scope_names is not None else scopes.DEFAULT
    if principal.scopes is not None and not granted <= principal.scopes:
        raise errors.PermissionDenied(
            "token.scope_escalation",
            "Mã truy cập không thể tạo mã truy cập có phạm vi rộng hơn chính nó.",
            "An API token cannot create a token with scopes it does not have itself.",
        )
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
        scopes=scopes.encode(granted),
    )
    session.add(token)
    session.flush()
    audit.record(
        session,
        principal.actor(client_addr),
        "token.create",
        "api_token",
        token.id,
        f"{name} ({token.scopes})",
    )
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
    """Revoke one of the caller's own tokens (its live connections are cut after
    commit); someone else's looks like a missing one."""
    from ecabinet.core.policy import Action, authorize, subject_for

    token = session.get(ApiToken, token_id)
    if token is None or token.revoked_at is not None:
        raise errors.NotFound.of("mã truy cập", "API token", "token.not_found")
    authorize(subject_for(session, principal.user), Action.delete, token)
    token.revoked_at = utcnow()
    session.add(token)
    outbox.cut(session, "token", token_id)
    audit.record(session, principal.actor(client_addr), "token.revoke", "api_token", token.id)


def principal_from_token(session: Session, secret: str) -> Principal | None:
    """Resolve a bearer token; ``None`` when unknown, revoked or expired, or its user is
    disabled (:func:`token_alive`)."""
    if not secret.startswith(TOKEN_PREFIX) or len(secret) > 200:
        return None
    now = utcnow()
    found = session.exec(_BY_TOKEN, params={"key": _sha(secret), "now": now}).first()
    if found is None:
        return None
    return _token_principal(*found, now)


def principals_from_tokens(session: Session, secrets: Collection[str]) -> dict[str, Principal]:
    """:func:`principal_from_token` for many tokens in a few queries (a burst of
    ballots): the principal of each token that resolves, by token."""
    wanted = {_sha(s): s for s in secrets if s.startswith(TOKEN_PREFIX) and len(s) <= 200}
    out: dict[str, Principal] = {}
    keys, now = list(wanted), utcnow()
    for i in range(0, len(keys), _MANY_AT_ONCE):
        params = {"keys": keys[i : i + _MANY_AT_ONCE], "now": now}
        for token, user in session.exec(_BY_TOKENS, params=params):
            out[wanted[token.token_hash]] = _token_principal(token, user, now)
    return out


def _token_principal(token: ApiToken, user: User, now: datetime) -> Principal:
    due = token.last_used_at is None or now - token.last_used_at > _TOUCH_EVERY
    return Principal(
        user, "token", token_id=token.id, token_touch_due=due, scopes=scopes.decode(token.scopes)
    )


def touch_token(session: Session, token_id: int) -> None:
    """Record that a token was used (at most once a minute, so reads stay reads)."""
    token = session.get(ApiToken, token_id)
    if token is not None:
        token.last_used_at = utcnow()
        session.add(token)
