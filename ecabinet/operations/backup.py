"""``ecabinet backup DIR``: the database snapshot first, then the blobs it refers to,
then the secrets, then the manifest.

The order is what makes the backup whole: blobs are written before the rows that name
them and are never removed while a row does (the sweep waits for the backup's lock), so
every blob the snapshot names is in the store when it is copied. Writers go on
meanwhile; what they add after the snapshot is not in this backup.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import anyio
from sqlalchemy import Engine

import ecabinet
from ecabinet.core import errors as core_errors
from ecabinet.core.settings import Settings
from ecabinet.core.storage import ObjectStore
from ecabinet.core.types import utcnow
from ecabinet.operations import database, errors, kept_secrets, manifest
from ecabinet.operations.lock import maintenance_lock

OBJECTS_DIR = "objects"
DATABASE_DIR = "database"
COPIES_AT_ONCE = 4
"""Blobs copied at the same time (S3 round trips overlap)."""


@dataclass(frozen=True)
class BackupReport:
    folder: Path
    snapshot: database.Snapshot
    objects: int
    object_bytes: int
    secrets: list[str]
    seconds: float
    created_at: datetime

    def summary(self) -> str:
        return (
            f"backup written to {self.folder} in {self.seconds:.1f} s: database"
            f" ({self.snapshot.format}, schema {self.snapshot.revision}), {self.objects}"
            f" object(s) ({self.object_bytes} bytes), secrets: {', '.join(self.secrets)}"
        )


def backup(
    engine: Engine, store: ObjectStore, settings: Settings, folder: Path, fmt: str = "auto"
) -> BackupReport:
    """Write a whole backup into ``folder`` (new or empty): the database snapshot (``fmt``
    ``auto``, ``pg_dump`` or ``rows`` on PostgreSQL), then every blob it refers to, then
    the secrets, then the manifest. Waits for a running storage sweep."""
    started = time.monotonic()
    if folder.exists() and any(folder.iterdir()):
        raise errors.backup_dir_not_empty(str(folder))
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    created_at = utcnow()
    with maintenance_lock(engine, settings, exclusive=False):
        snapshot = database.dump(engine, folder / DATABASE_DIR, fmt)
        count, size = copy_blobs(store, sorted(snapshot.referenced), folder / OBJECTS_DIR)
    secrets = kept_secrets.save(settings, folder)
    manifest.write(
        folder,
        {
            "app_version": ecabinet.__version__,
            "created_at": created_at.isoformat(),
            "schema_revision": snapshot.revision,
            "engine": engine.dialect.name,
            "database": {
                "format": snapshot.format,
                "server_version": snapshot.server_version,
                "tool_version": snapshot.tool_version,
            },
            "objects": {"count": count, "bytes": size},
            "demo_mode": settings.demo_mode,
            "secrets": [
                {"name": s.name, "path": s.path, "what": s.what, "required": s.required}
                for s in secrets
            ],
        },
    )
    return BackupReport(
        folder,
        snapshot,
        count,
        size,
        [s.name for s in secrets],
        time.monotonic() - started,
        created_at,
    )


def copy_blobs(store: ObjectStore, hashes: Iterable[str], folder: Path) -> tuple[int, int]:
    """Copy each blob into ``folder/<sha[:2]>/<sha>``, hash-checked as it streams; raise
    when any is missing or damaged."""
    missing: list[str] = []
    failed: list[core_errors.DomainError] = []
    totals = [0, 0]
    queue = iter(hashes)

    async def one(sha256: str) -> None:
        target = folder / sha256[:2] / sha256
        target.parent.mkdir(parents=True, exist_ok=True)
        part = target.with_suffix(".part")
        try:
            async with await anyio.open_file(part, "wb") as f:
                async for chunk in store.stream(sha256):
                    await f.write(chunk)
        except core_errors.NotFound:
            missing.append(sha256)
        except core_errors.DomainError as exc:  # damaged (IntegrityFailure), store down
            failed.append(exc)
        else:
            os.replace(part, target)
            totals[0] += 1
            totals[1] += target.stat().st_size
        finally:
            part.unlink(missing_ok=True)

    async def worker() -> None:
        for sha256 in queue:  # the workers share one iterator
            if failed:
                return
            await one(sha256)

    async def run() -> None:
        async with anyio.create_task_group() as tg:
            for _ in range(COPIES_AT_ONCE):
                tg.start_soon(worker)

    folder.mkdir(exist_ok=True)
    anyio.run(run)
    if failed:
        raise failed[0]
    if missing:
        raise errors.missing_blobs(len(missing), sorted(missing)[0])
    return totals[0], totals[1]
