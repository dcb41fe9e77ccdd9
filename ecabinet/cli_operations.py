"""``ecabinet backup``, ``restore``, ``storage sweep`` and ``purge``."""

from __future__ import annotations

import argparse
from datetime import timedelta
from pathlib import Path
from typing import Any

from ecabinet.core.settings import Settings


def add_commands(sub: Any) -> None:
    backup = sub.add_parser(
        "backup", help="back up the database, the files it refers to and the secrets to DIR"
    )
    backup.add_argument("dir", type=Path)
    backup.add_argument(
        "--format",
        choices=("auto", "pg_dump", "rows"),
        default="auto",
        help="PostgreSQL: pg_dump's custom format (auto: when pg_dump's major version is the"
        " server's) or one CSV per table",
    )
    backup.set_defaults(run=_backup)

    restore = sub.add_parser("restore", help="restore a backup made by `ecabinet backup`")
    restore.add_argument("dir", type=Path)
    restore.add_argument(
        "--force", action="store_true", help="overwrite a database, store or secrets in place"
    )
    restore.add_argument(
        "--signatures",
        type=int,
        default=20,
        metavar="N",
        help="signed files whose signatures are validated after the restore (default 20)",
    )
    restore.set_defaults(run=_restore)

    storage = sub.add_parser("storage", help="object store tools").add_subparsers(
        required=True, metavar="ACTION"
    )
    sweep = storage.add_parser(
        "sweep", help="remove unreferenced blobs, temporary and unfinished uploads"
    )
    sweep.add_argument(
        "--grace",
        type=int,
        metavar="HOURS",
        help="only what is older (default ECABINET_RETENTION_BLOB_GRACE_HOURS, 24)",
    )
    sweep.add_argument("--dry-run", action="store_true", help="report, remove nothing")
    sweep.set_defaults(run=_sweep)

    purge = sub.add_parser(
        "purge", help="delete ended sessions and idle login-failure counters (retention)"
    )
    purge.set_defaults(run=_purge)


def _backup(settings: Settings, args: argparse.Namespace) -> int:
    from ecabinet.core.db import make_engine
    from ecabinet.core.storage import open_store
    from ecabinet.operations.backup import backup

    engine = make_engine(settings)
    report = backup(engine, open_store(settings), settings, args.dir.resolve(), args.format)
    engine.dispose()
    print(report.summary())
    return 0


def _restore(settings: Settings, args: argparse.Namespace) -> int:
    from ecabinet.core.db import make_engine
    from ecabinet.core.storage import open_store
    from ecabinet.operations.restore import restore

    engine = make_engine(settings)
    report = restore(
        engine,
        open_store(settings),
        settings,
        args.dir.resolve(),
        force=args.force,
        signature_sample=args.signatures,
    )
    engine.dispose()
    print(report.summary())
    return 0 if report.ok else 1


def _sweep(settings: Settings, args: argparse.Namespace) -> int:
    from ecabinet.core.db import make_engine
    from ecabinet.core.storage import open_store
    from ecabinet.operations.sweep import sweep

    if args.grace is not None and args.grace < 0:
        print("ecabinet: --grace is a number of hours, 0 or more")
        return 2
    engine = make_engine(settings)
    grace = None if args.grace is None else timedelta(hours=args.grace)
    report = sweep(engine, open_store(settings), settings, grace=grace, dry_run=args.dry_run)
    engine.dispose()
    print(report.summary())
    return 0


def _purge(settings: Settings, _args: argparse.Namespace) -> int:
    from ecabinet.core.db import make_engine
    from ecabinet.operations.retention import purge

    engine = make_engine(settings)
    report = purge(engine, settings)
    engine.dispose()
    print(report.summary())
    return 0
