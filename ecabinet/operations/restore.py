"""``ecabinet restore DIR``: check the backup, then the database, the blobs and the
secrets, in that order; then check what was restored.

Nothing is written before the whole backup has been checked against its manifest, the
secrets it must hold are there, and the target is empty (or ``--force``).
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import anyio
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

from ecabinet.core import audit, migrate
from ecabinet.core.db import session_scope
from ecabinet.core.settings import Settings
from ecabinet.core.storage import ObjectStore, is_sha
from ecabinet.operations import checks, database, errors, kept_secrets, manifest
from ecabinet.operations.backup import DATABASE_DIR, OBJECTS_DIR

SIGNATURE_SAMPLE = 20
"""Signed files whose signatures a restore validates by default."""


@dataclass
class RestoreReport:
    folder: Path
    objects: int = 0
    checks: list[checks.Check] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return all(c.ok for c in self.checks)

    def summary(self) -> str:
        lines = [f"restored {self.folder}: {self.objects} object(s) in {self.seconds:.1f} s"]
        lines += [c.line() for c in self.checks]
        lines.append("restore verified" if self.ok else "restore FAILED its checks")
        return "\n".join(lines)


def verify_backup(folder: Path) -> dict[str, Any]:
    """The manifest, once every file matches it and every required secret is there."""
    body = manifest.read(folder)
    listed = body["files"]
    names = {s.get("name") for s in body["secrets"] if isinstance(s, dict)}
    for secret in kept_secrets.REQUIRED:
        if secret.name not in names or not (folder / secret.path).is_file():
            raise errors.missing_secret(secret.name, secret.path)
        if secret.path not in listed:
            raise errors.missing_secret(secret.name, secret.path)
    manifest.check_files(folder, listed)
    revision = body["schema_revision"]
    known = {s.revision for s in ScriptDirectory.from_config(_config()).walk_revisions()}
    if revision not in known:
        raise errors.bad_backup(
            f"lược đồ {revision} không có trong phiên bản này", f"schema {revision} is unknown here"
        )
    return body


def _config() -> Any:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(migrate.MIGRATIONS))
    return config


def restore(
    engine: Engine,
    store: ObjectStore,
    settings: Settings,
    folder: Path,
    *,
    force: bool = False,
    signature_sample: int = SIGNATURE_SAMPLE,
) -> RestoreReport:
    """Restore ``folder`` into the deployment ``settings`` describe and check it."""
    started = time.monotonic()
    body = verify_backup(folder)
    secret_names = [str(s["name"]) for s in body["secrets"]]
    snapshot_format = str(body["database"].get("format"))
    database.check_restorable(
        engine, snapshot_format, str(body["database"].get("tool_version", ""))
    )
    _refuse_unless_empty(engine, store, settings, folder, force)
    if force:
        database.clear(engine)
    database.restore(engine, folder / DATABASE_DIR, snapshot_format, body["schema_revision"])
    engine.dispose()
    report = RestoreReport(folder)
    report.objects = _put_blobs(store, folder / OBJECTS_DIR)
    problem = kept_secrets.restore(settings, folder, secret_names)
    report.checks = [
        checks.Check("secrets", problem is None, problem or ", ".join(secret_names) + " in place"),
        checks.audit_chain(engine, settings),
        checks.publication_chain(engine, settings),
        checks.stored_files(engine, store),
        checks.signatures(engine, store, settings, signature_sample),
    ]
    with session_scope(engine) as session:
        audit.record(
            session,
            audit.Actor.system("restore"),
            "system.restore",
            "backup",
            str(body.get("created_at", ""))[:64],
            f"restored the backup of {body.get('created_at')} (schema {body['schema_revision']},"
            f" {report.objects} objects): " + ("verified" if report.ok else "checks FAILED"),
        )
    report.seconds = time.monotonic() - started
    return report


def _refuse_unless_empty(
    engine: Engine, store: ObjectStore, settings: Settings, folder: Path, force: bool
) -> None:
    conflicts = kept_secrets.conflicts(settings, folder)
    if "key_encryption_key" in conflicts and settings.key_encryption_key:
        # Set in the environment: --force cannot help, the environment would keep the other key.
        raise errors.target_not_empty(
            "ECABINET_KEY_ENCRYPTION_KEY differs from the backup's key-encryption key"
        )
    if force:
        return
    tables = database.tables_of(engine)
    if tables:
        raise errors.target_not_empty(f"the database has {len(tables)} table(s)")
    if next(iter(store.iter_keys()), None) is not None:
        raise errors.target_not_empty("the object store holds blobs")
    if conflicts:
        raise errors.target_not_empty("other secrets in the data folder: " + ", ".join(conflicts))


def _put_blobs(store: ObjectStore, folder: Path) -> int:
    """Store every blob of the backup (those already there too: a put is idempotent),
    checking that what the store hashed is the name it had."""
    paths = sorted(p for p in folder.glob("*/*") if p.is_file()) if folder.is_dir() else []

    async def chunks(path: Path) -> AsyncIterator[bytes]:
        async with await anyio.open_file(path, "rb") as f:
            while chunk := await f.read(1024 * 1024):
                yield chunk

    async def run() -> None:
        for path in paths:
            if not is_sha(path.name):
                raise errors.bad_backup(f"tệp lạ {path.name}", f"stray file {path.name}")
            info = await store.put_stream(chunks(path))
            if info.sha256 != path.name:
                raise errors.bad_backup(
                    f"tệp {path.name} không khớp mã băm", f"{path.name} does not hash to its name"
                )

    anyio.run(run)
    return len(paths)
