"""Each user's choice, per kind of notification, of how it reaches them.

In the app always; by e-mail unless turned off; by SMS only for the kinds in
:data:`~documents.notifications.SMS_KINDS`, and then only when the notice is urgent (a
hỏa tốc document, a meeting within the hour). A user who never chose has the defaults:
e-mail and SMS on. Only the choices that differ from nothing are stored, one row per
user and kind.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import String
from sqlmodel import Field, Session, SQLModel, select

from documents.notifications import SMS_KINDS, Kind
from ecabinet.core import audit, errors
from ecabinet.core.audit import Actor


class NotificationPreference(SQLModel, table=True):
    """One user's channels for one kind."""

    __tablename__ = "notification_preference"
    user_id: int = Field(foreign_key="user.id", primary_key=True)
    kind: str = Field(sa_type=String(12), primary_key=True)
    email: bool = True
    sms: bool = True


@dataclass(frozen=True)
class Choice:
    kind: Kind
    email: bool
    sms: bool
    """Meaningful only when :attr:`sms_possible`."""

    @property
    def sms_possible(self) -> bool:
        return self.kind in SMS_KINDS


def choices(session: Session, user_id: int) -> list[Choice]:
    """The user's channels for every kind, defaults filled in, in :class:`Kind` order."""
    stored = {
        p.kind: p
        for p in session.exec(
            select(NotificationPreference).where(NotificationPreference.user_id == user_id)
        )
    }
    out = []
    for kind in Kind:
        row = stored.get(kind.value)
        email, sms = (row.email, row.sms) if row else (True, True)
        out.append(Choice(kind, email, sms and kind in SMS_KINDS))
    return out


def choose(
    session: Session, actor: Actor, user_id: int, wanted: Sequence[tuple[str, bool, bool]]
) -> list[Choice]:
    """Store the user's ``(kind, email, sms)`` choices (kinds not named keep theirs).
    An unknown kind, or SMS asked for a kind that never goes by SMS, is refused (422)."""
    seen: set[str] = set()
    for kind, _email, sms in wanted:
        if kind not in Kind.__members__ or kind in seen:
            raise errors.InvalidInput(
                "notification.bad_kind",
                f"Loại thông báo không hợp lệ hoặc lặp lại: {kind[:40]!r}.",
                f"Unknown or repeated kind of notification: {kind[:40]!r}.",
            )
        seen.add(kind)
        if sms and Kind(kind) not in SMS_KINDS:
            raise errors.InvalidInput(
                "notification.no_sms",
                "Loại thông báo này không gửi qua SMS (chỉ việc hỏa tốc và họp sắp bắt đầu).",
                "This kind is never sent by SMS (only hỏa tốc work and meetings about to start).",
            )
    changed = []
    for kind, email, sms in wanted:
        row = session.get(NotificationPreference, (user_id, kind))
        if row is None:
            row = NotificationPreference(user_id=user_id, kind=kind)
        if (row.email, row.sms) != (email, sms):
            changed.append(f"{kind}:{'e' if email else '-'}{'s' if sms else '-'}")
        row.email, row.sms = email, sms
        session.add(row)
    session.flush()
    if changed:
        audit.record(
            session, actor, "notification.preferences", "user", user_id, " ".join(changed)[:300]
        )
    return choices(session, user_id)
