"""E-mail and SMS of notifications, each at most once, after the step's transaction.

One ``notification_delivery`` row per notification and channel is the idempotency key:
the unique pair (notification, channel) is inserted — the claim — in its own committed
transaction *before* the network is used, with a lease. Whoever inserted it sends;
another process delivering at the same moment inserts nothing (``ON CONFLICT DO
NOTHING … RETURNING``) and sends nothing. After the send the row is marked ``sent``, or
``failed`` with a time to try again (a failed row is claimed again by an ``UPDATE …
WHERE state = 'failed' … RETURNING``, which only one process wins).

A crash between the send and the mark leaves the row ``sending``; when its lease runs
out it becomes ``unknown`` and is never sent again: a possibly missed message is
better than a certainly doubled one (the in-app notice is there either way). E-mail
and SMS are claimed one message at a time, so a crash leaves at most one message
unknown and the unclaimed rest to the next round, in whichever process runs it; an
SMSC that is down is noticed before anything is claimed, and the next round tries
again. A step never waits on either server.

Only the scheduler process (:mod:`ecabinet.core.scheduler`) runs the loop below; the
claims, not that election, are what keep a message from going twice.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import date, datetime, timedelta
from typing import Any

import anyio
import anyio.to_thread
from sqlalchemy import Column, Engine, String, UniqueConstraint, and_, func, or_, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Field, Session, SQLModel, col, select

from documents.export_rows import format_date
from documents.levels import Confidentiality
from documents.models import Document
from documents.notification_prefs import NotificationPreference
from documents.notifications import SMS_KINDS, Notification, remind, vn_today
from ecabinet.core import errors
from ecabinet.core.db import session_scope
from ecabinet.core.mail import Mail, MailError, MailLink
from ecabinet.core.settings import Settings
from ecabinet.core.sms import Sms, SmsError, SmsLink, SmsUncertain
from ecabinet.core.types import UTCDateTime, utcnow
from ecabinet.core.users import User

log = logging.getLogger("ecabinet.notifications")

MAIL_BATCH = 200
SMS_BATCH = 100
WINDOW = timedelta(days=3)
"""A notification not delivered within this time (no address, server down) is left to
the in-app list: a message about a step days old would mislead more than help."""
SMS_WINDOW = timedelta(hours=2)
"""Urgent is urgent: an SMS not sent within two hours is not sent at all."""
LEASE = timedelta(minutes=5)
MAX_ATTEMPTS = 6
SMS_TITLE = 110


class NotificationDelivery(SQLModel, table=True):
    """One channel's delivery of one notification (the idempotency key)."""

    __tablename__ = "notification_delivery"
    __table_args__ = (UniqueConstraint("notification_id", "channel"),)
    id: int | None = Field(default=None, primary_key=True)
    notification_id: int = Field(foreign_key="notification.id", index=True)
    channel: str = Field(sa_type=String(8), description="email or sms")
    state: str = Field(sa_type=String(10), index=True)
    """sending (claimed, lease running), sent, failed (tried again at ``retry_at``),
    unknown (the lease ran out mid-send: never resent) or dropped (gave up)."""
    attempts: int = 1
    lease_until: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    retry_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    sent_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    error: str = Field(default="", max_length=300)
    reference: str = Field(default="", max_length=64)
    """The SMSC's message id of an SMS."""


Row = tuple[Notification, User, Document | None]


def _candidates(session: Session, channel: str, now: datetime, limit: int) -> list[int]:
    """Notifications this channel should carry and nobody has claimed yet."""
    query = _unclaimed(channel, now)
    ids = session.exec(query.order_by(col(Notification.id)).limit(limit)).all()
    return [i for i in ids if i is not None]


def _unclaimed(channel: str, now: datetime) -> Any:
    pref = NotificationPreference
    query = (
        select(Notification.id)
        .join(User, col(User.id) == col(Notification.user_id))
        .outerjoin(
            pref,
            and_(
                col(pref.user_id) == col(Notification.user_id),
                col(pref.kind) == col(Notification.kind),
            ),
        )
        .outerjoin(
            NotificationDelivery,
            and_(
                col(NotificationDelivery.notification_id) == col(Notification.id),
                col(NotificationDelivery.channel) == channel,
            ),
        )
        .where(
            col(NotificationDelivery.id).is_(None),
            col(Notification.read_at).is_(None),
            col(User.is_active),
        )
    )
    if channel == "email":
        query = query.where(
            col(Notification.created_at) >= now - WINDOW,
            col(User.email).is_not(None),
            col(User.email) != "",
            or_(col(pref.email).is_(None), col(pref.email)),
        )
    else:
        query = query.where(
            col(Notification.created_at) >= now - SMS_WINDOW,
            col(Notification.urgent),
            col(Notification.kind).in_([k.value for k in SMS_KINDS]),
            col(User.phone).is_not(None),
            or_(col(pref.sms).is_(None), col(pref.sms)),
        )
    return query


def queue_sizes(session: Session, now: datetime | None = None) -> dict[str, int]:
    """Messages waiting, by channel (``email``, ``sms``): not claimed yet, being sent, or
    failed and waiting to be tried again. For monitoring: a queue that keeps growing
    means the mail server or the SMSC is not taking them (or no process sends)."""
    now = now or utcnow()
    sizes: dict[str, int] = {}
    for channel in ("email", "sms"):
        waiting = session.exec(
            select(func.count()).select_from(_unclaimed(channel, now).subquery())
        ).one()
        claimed = session.exec(
            select(func.count())
            .select_from(NotificationDelivery)
            .where(
                col(NotificationDelivery.channel) == channel,
                col(NotificationDelivery.state).in_(["sending", "failed"]),
            )
        ).one()
        sizes[channel] = int(waiting) + int(claimed)
    return sizes


def claim(engine: Engine, channel: str, limit: int, now: datetime | None = None) -> list[int]:
    """Claim up to ``limit`` notifications for ``channel`` (committed before returning):
    failed ones whose time has come, then new ones. Only the caller may send them."""
    now = now or utcnow()
    lease = now + LEASE
    with session_scope(engine) as session:
        # Leases that ran out mid-send: the message may have left; never send it again.
        session.execute(
            update(NotificationDelivery)
            .where(
                col(NotificationDelivery.state) == "sending",
                col(NotificationDelivery.lease_until) < now,
            )
            .values(state="unknown", error="lease expired during the send")
        )
        retry = select(NotificationDelivery.id).where(
            NotificationDelivery.channel == channel,
            NotificationDelivery.state == "failed",
            col(NotificationDelivery.retry_at) <= now,
        )
        claimed = list(
            session.execute(
                update(NotificationDelivery)
                .where(
                    col(NotificationDelivery.id).in_(retry.limit(limit).scalar_subquery()),
                    col(NotificationDelivery.state) == "failed",
                )
                .values(
                    state="sending",
                    lease_until=lease,
                    attempts=col(NotificationDelivery.attempts) + 1,
                )
                .returning(col(NotificationDelivery.notification_id))
            ).scalars()
        )
        fresh = _candidates(session, channel, now, limit - len(claimed))
        if fresh:
            table = NotificationDelivery.__table__  # type: ignore[attr-defined]
            dialect = session.get_bind().dialect.name
            insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
            rows = [
                {"notification_id": i, "channel": channel, "state": "sending", "lease_until": lease}
                for i in fresh
            ]
            statement = (
                insert(table)
                .values(rows)
                .on_conflict_do_nothing(index_elements=["notification_id", "channel"])
                .returning(table.c.notification_id)
            )
            claimed += list(session.execute(statement).scalars())
    return claimed


def _load(session: Session, ids: Sequence[int]) -> list[Row]:
    rows = session.exec(
        select(Notification, User, Document)
        .join(User, col(User.id) == col(Notification.user_id))
        .outerjoin(Document, col(Document.id) == col(Notification.document_id))
        .where(col(Notification.id).in_(ids))
        .order_by(col(Notification.id))
    ).all()
    return [(n, u, d) for n, u, d in rows]


def mark(
    engine: Engine,
    channel: str,
    notification_id: int,
    *,
    ok: bool,
    error: str = "",
    reference: str = "",
    uncertain: bool = False,
) -> None:
    """Record the outcome of one claimed send (``uncertain``: it may have left)."""
    now = utcnow()
    with session_scope(engine) as session:
        row = session.exec(
            select(NotificationDelivery).where(
                NotificationDelivery.notification_id == notification_id,
                NotificationDelivery.channel == channel,
            )
        ).one()
        row.lease_until, row.error, row.reference = None, error[:300], reference[:64]
        if ok:
            row.state, row.sent_at = "sent", now
            if channel == "email":
                session.execute(
                    update(Notification)
                    .where(col(Notification.id) == notification_id)
                    .values(emailed_at=now)
                )
        elif uncertain:
            row.state = "unknown"
        elif row.attempts >= MAX_ATTEMPTS:
            row.state = "dropped"
        else:
            row.state = "failed"
            row.retry_at = now + timedelta(minutes=min(2**row.attempts, 60))
        session.add(row)


def _link(settings: Settings, n: Notification) -> str:
    return settings.public_base_url.rstrip("/") + (n.link or f"/documents/{n.document_id}")


_MAIL_WORDS = {
    "vi": ("Kính gửi đồng chí", "Trích yếu", "Hạn xử lý", "Xem trên hệ thống eCabinet"),
    "en": ("Dear", "Abstract", "Deadline", "Open it in eCabinet"),
}


def mail_for(settings: Settings, n: Notification, user: User, d: Document | None) -> Mail:
    """The e-mail of one notification (never a confidential document's abstract)."""
    english = user.language == "en"
    dear, abstract, deadline, open_it = _MAIL_WORDS["en" if english else "vi"]
    title = n.title_en if english else n.title_vi
    lines = [f"{dear} {user.full_name},", "", title, ""]
    if d is not None and not Confidentiality(d.confidentiality).restricted:
        lines.append(f"{abstract}: {d.abstract}")
    if d is not None and d.deadline:
        due = d.deadline.isoformat() if english else format_date(d.deadline)
        lines.append(f"{deadline}: {due}")
    lines += ["", f"{open_it}: {_link(settings, n)}"]
    subject = title.replace("\r", " ").replace("\n", " ")
    return Mail(to=user.email or "", subject=subject[:250], text="\n".join(lines) + "\n")


def sms_for(settings: Settings, n: Notification, user: User) -> Sms:
    """The SMS of one urgent notification: its title (which never carries a confidential
    document's abstract), shortened to keep the message within two or three parts."""
    title = " ".join((n.title_en if user.language == "en" else n.title_vi).split())
    if len(title) > SMS_TITLE:
        title = title[: SMS_TITLE - 1] + "…"
    head = "[HỎA TỐC] " if n.document_id is not None else ""
    return Sms(to=user.phone or "", text=f"eCabinet {head}{title} {_link(settings, n)}")


def deliver_mail(engine: Engine, settings: Settings) -> int:
    """E-mail the notifications each user wants by e-mail, not yet read nor e-mailed;
    each at most once. Without an SMTP server nothing happens. Returns how many went.

    Messages are claimed one at a time, each outcome recorded before the next is
    claimed: a crash leaves at most one message in doubt, and the rest to whichever
    process delivers next (a claimed batch would have left them all in doubt, unsent).
    """
    if settings.smtp_host is None:
        return 0
    sent = 0
    link: MailLink | None = None
    try:
        for _ in range(MAIL_BATCH):
            ids = claim(engine, "email", 1)
            if not ids:
                break
            with session_scope(engine, write=False) as session:
                [(n, user, d)] = _load(session, ids)
                mail = mail_for(settings, n, user, d)
            if link is None:
                try:
                    link = MailLink(settings)
                except MailError as exc:  # tried again later
                    mark(engine, "email", ids[0], ok=False, error=str(exc))
                    log.warning("mail not sent: %s; trying again next round", exc)
                    break
            # The network is used outside any transaction: a slow server holds no lock.
            result = link.send(mail)
            mark(
                engine,
                "email",
                ids[0],
                ok=result.ok,
                error=result.error,
                uncertain=result.uncertain,
            )
            sent += int(result.ok)
            if not link.open:
                break
    finally:
        if link is not None:
            link.close()
    return sent


def deliver_sms(engine: Engine, settings: Settings) -> int:
    """Send the urgent notifications their users want by SMS, each at most once. Without
    an SMSC nothing happens; an SMSC that is down is tried again next round. Returns how
    many messages the SMSC accepted."""
    if settings.smsc_host is None:
        return 0
    sent = 0
    try:
        with SmsLink(settings) as link:
            for _ in range(SMS_BATCH):
                ids = claim(engine, "sms", 1)
                if not ids:
                    break
                with session_scope(engine, write=False) as session:
                    [(n, user, _)] = _load(session, ids)
                try:
                    result = link.send(sms_for(settings, n, user))
                except SmsError as exc:  # nothing left: tried again later
                    mark(engine, "sms", ids[0], ok=False, error=str(exc))
                    raise
                except SmsUncertain as exc:
                    mark(engine, "sms", ids[0], ok=False, error=str(exc), uncertain=True)
                    raise SmsError(str(exc)) from exc
                mark(
                    engine,
                    "sms",
                    ids[0],
                    ok=result.ok,
                    error=result.error,
                    reference=result.message_id,
                )
                sent += int(result.ok)
    except SmsError as exc:
        log.warning("SMS not sent: %s; trying again next round", exc)
    return sent


def run_once(engine: Engine, settings: Settings, today: date) -> tuple[int, int]:
    """Remind, then e-mail and SMS: (reminders added, messages sent). For ``ecabinet
    remind`` and the background loop."""
    added = remind(engine, settings, today)
    return added, deliver_mail(engine, settings) + deliver_sms(engine, settings)


async def reminder_loop(
    engine: Engine,
    settings: Settings,
    *,
    tick: float = 60.0,
    remind_every: float | None = None,
    also: Sequence[Callable[[Engine], int]] = (),
    every_tick: Sequence[Callable[[Engine], int]] = (),
) -> None:
    """Every ``tick`` seconds run ``every_tick`` (the meetings' one-hour notices), then
    e-mail and SMS new notifications; every ``reminder_minutes`` (or ``remind_every``
    seconds) also remind, and run ``also`` (other domains' reminders, such as
    consultations', handed in by the composition root).

    Messages go from here rather than from the step that created the notification: a
    step never waits on (or fails because of) a mail server or an SMSC. Errors are
    logged and the loop goes on; cancelling the task (at shutdown) ends it after the
    round in progress.
    """
    rounds_per_remind = max(1, round((remind_every or settings.reminder_minutes * 60) / tick))
    count = 0
    while True:
        await anyio.sleep(tick)
        count += 1
        if count % rounds_per_remind == 0:
            await _guarded(remind, engine, settings, vn_today())
            for other in also:
                await _guarded(other, engine)
        for other in every_tick:
            await _guarded(other, engine)
        for deliver in (deliver_mail, deliver_sms):  # each goes out even when others failed
            await _guarded(deliver, engine, settings)


async def _guarded(work: Callable[..., int], *args: Any) -> None:
    """Run one piece of scheduled work; its failure is logged (an outage in one line,
    without a traceback: a database that is away must not fill the log every minute)."""
    name = work.__qualname__
    try:
        await anyio.to_thread.run_sync(work, *args)
    except errors.Unavailable as exc:
        errors.log_outage(log, name, exc)
    except Exception:
        log.exception("%s failed; trying again next time", name)
