"""Retention: ended login sessions, idle login-failure counters and expired two-step
signatures are deleted after the periods the settings give (``ECABINET_RETENTION_*``).

:func:`daily` is what a scheduler calls once a day: the purge, then the storage sweep.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine, delete, or_
from sqlmodel import col

from ecabinet.core import audit
from ecabinet.core.auth import UserSession
from ecabinet.core.db import session_scope
from ecabinet.core.settings import Settings
from ecabinet.core.storage import ObjectStore
from ecabinet.core.throttle import KNOWN_FOR, LoginThrottle
from ecabinet.core.types import utcnow
from ecabinet.operations.sweep import SweepReport, sweep
from ecabinet.signatures.models import PendingSignature

log = logging.getLogger("ecabinet.retention")


@dataclass(frozen=True)
class PurgeReport:
    """Rows deleted by one purge."""

    sessions: int
    """Login sessions that ended more than ``retention_sessions_days`` ago."""
    failed_logins: int
    """Login-failure counters idle for ``retention_failed_logins_days``."""
    pending_signatures: int
    """Two-step signatures (USB tokens) past their expiry, never completed."""

    def summary(self) -> str:
        return (
            f"retention purge: {self.sessions} ended session(s), {self.failed_logins}"
            f" login-failure counter(s), {self.pending_signatures} expired pending signature(s)"
        )


def purge(
    engine: Engine,
    settings: Settings,
    *,
    now: datetime | None = None,
    actor: audit.Actor | None = None,
) -> PurgeReport:
    """Delete what the retention settings no longer keep, in one transaction with its
    audit entry (none when nothing was deleted)."""
    now = now or utcnow()
    sessions_before = now - timedelta(days=settings.retention_sessions_days)
    idle_before = now - timedelta(days=settings.retention_failed_logins_days)
    # An address the account logged in from lately is spared the account's delay
    # (decision 0013): its counter is kept as long as that memory lasts.
    known_before = now - max(KNOWN_FOR, timedelta(days=settings.retention_failed_logins_days))
    with session_scope(engine) as session:
        sessions = _deleted(
            session.execute(
                delete(UserSession).where(col(UserSession.expires_at) < sessions_before)
            )
        )
        throttled = _deleted(
            session.execute(
                delete(LoginThrottle).where(
                    or_(
                        col(LoginThrottle.last_failure_at).is_(None),
                        col(LoginThrottle.last_failure_at) < idle_before,
                    ),
                    or_(
                        col(LoginThrottle.blocked_until).is_(None),
                        col(LoginThrottle.blocked_until) < now,
                    ),
                    or_(
                        col(LoginThrottle.last_success_at).is_(None),
                        col(LoginThrottle.last_success_at) < known_before,
                    ),
                )
            )
        )
        pending = _deleted(
            session.execute(delete(PendingSignature).where(col(PendingSignature.expires_at) < now))
        )
        report = PurgeReport(sessions, throttled, pending)
        if sessions or throttled or pending:
            audit.record(
                session,
                actor or audit.Actor.system("retention"),
                "retention.purge",
                "retention",
                "daily",
                report.summary(),
            )
    return report


def _deleted(result: Any) -> int:
    return int(result.rowcount)


def daily(
    engine: Engine, store: ObjectStore, settings: Settings, *, now: datetime | None = None
) -> tuple[PurgeReport, SweepReport]:
    """Once a day: the retention purge, then the storage sweep with the configured grace
    period. The entry point for a scheduler (one process at a time)."""
    return purge(engine, settings, now=now), sweep(engine, store, settings, now=now)


DAY = timedelta(days=1)


def once_a_day(store: ObjectStore, settings: Settings) -> Callable[[Engine], int]:
    """For the scheduler's hourly round (``reminder_loop``'s ``also``): :func:`daily`
    when this process has not run it for a day, else nothing; what it removed."""
    last: list[datetime] = []

    def daily_upkeep(engine: Engine) -> int:
        now = utcnow()
        if last and now - last[-1] < DAY:
            return 0
        last[:] = [now]
        purged, swept = daily(engine, store, settings, now=now)
        log.info("%s; %s", purged.summary(), swept.summary())
        return (
            purged.sessions
            + purged.failed_logins
            + purged.pending_signatures
            + swept.orphans.count
            + swept.temporary.count
            + swept.multipart.count
        )

    return daily_upkeep
