"""The storage sweep: blobs no row refers to, temporary uploads and unfinished multipart
uploads, once older than a grace period (``ecabinet storage sweep``).

Blobs are written before the row that names them (ARCHITECTURE.md), so a blob without a
row is either an upload still on its way to its row or what a crash left. The grace
period tells them apart: only what was last written longer ago than that is removed.
The store is listed first and the rows read after, so a row committed during the listing
keeps its blob.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import Engine

from ecabinet.core import audit
from ecabinet.core.db import session_scope
from ecabinet.core.settings import Settings
from ecabinet.core.storage import Listed, ObjectStore
from ecabinet.core.types import utcnow
from ecabinet.operations.lock import maintenance_lock
from ecabinet.operations.references import referenced


@dataclass
class Tally:
    """How many objects and bytes."""

    count: int = 0
    bytes: int = 0

    def add(self, item: Listed) -> None:
        self.count += 1
        self.bytes += item.size


@dataclass
class SweepReport:
    """What a sweep removed (or, in a dry run, would remove) and what it kept."""

    dry_run: bool
    grace: timedelta
    orphans: Tally = field(default_factory=Tally)
    """Blobs no row refers to, older than the grace period."""
    young_orphans: Tally = field(default_factory=Tally)
    """Blobs no row refers to yet, within the grace period: kept."""
    temporary: Tally = field(default_factory=Tally)
    """Temporary uploads (``tmp/``) older than the grace period."""
    multipart: Tally = field(default_factory=Tally)
    """Unfinished S3 multipart uploads older than the grace period (aborted)."""
    referenced: int = 0
    """Blobs kept because a row refers to them."""

    def summary(self) -> str:
        verb = "would remove" if self.dry_run else "removed"
        hours = int(self.grace.total_seconds() // 3600)
        return (
            f"storage sweep (grace {hours} h): {verb} {self.orphans.count} unreferenced blob(s)"
            f" ({self.orphans.bytes} bytes), {self.temporary.count} temporary upload(s)"
            f" ({self.temporary.bytes} bytes), {self.multipart.count} unfinished multipart"
            f" upload(s); kept {self.referenced} referenced blob(s) and"
            f" {self.young_orphans.count} unreferenced blob(s) younger than the grace period"
        )


def sweep(
    engine: Engine,
    store: ObjectStore,
    settings: Settings,
    *,
    grace: timedelta | None = None,
    dry_run: bool = False,
    now: datetime | None = None,
    actor: audit.Actor | None = None,
) -> SweepReport:
    """Remove what no row needs and is older than ``grace`` (default: the setting
    ``ECABINET_RETENTION_BLOB_GRACE_HOURS``); a dry run removes nothing. A real sweep
    that removed anything is written to the audit log. Holds the maintenance lock, so it
    waits for a running backup."""
    grace = grace if grace is not None else timedelta(hours=settings.retention_blob_grace_hours)
    cutoff = (now or utcnow()) - grace
    report = SweepReport(dry_run, grace)
    with maintenance_lock(engine, settings, exclusive=True):
        blobs = list(store.list_blobs())
        with session_scope(engine, write=False) as session:
            kept = referenced(session)
        for blob in blobs:
            if blob.name in kept:
                report.referenced += 1
            elif not _older(blob, cutoff):
                report.young_orphans.add(blob)
            else:
                report.orphans.add(blob)
                if not dry_run:
                    store.delete(blob.name)
        for item in store.list_leftovers():
            if not _older(item, cutoff):
                continue
            (report.multipart if item.upload_id else report.temporary).add(item)
            if not dry_run:
                store.remove_leftover(item)
    removed = report.orphans.count + report.temporary.count + report.multipart.count
    if removed and not dry_run:
        with session_scope(engine) as session:
            audit.record(
                session,
                actor or audit.Actor.system("sweep"),
                "storage.sweep",
                "store",
                "blobs",
                report.summary(),
            )
    return report


def _older(item: Listed, cutoff: datetime) -> bool:
    # An object of unknown age is left alone: it may be an upload under way.
    return item.modified is not None and item.modified < cutoff
