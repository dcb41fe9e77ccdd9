"""``ecabinet directory import FILE``: the agency directory from a CSV or JSON file."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from ecabinet.core.settings import Settings


def add_commands(sub: Any) -> None:
    directory = sub.add_parser(
        "directory", help="the agency directory (codes of agencies to exchange with)"
    ).add_subparsers(required=True, metavar="ACTION")
    load = directory.add_parser(
        "import", help="import a directory file (CSV or JSON), all or nothing, idempotent"
    )
    load.add_argument("file", type=Path)
    load.add_argument("--format", choices=["csv", "json"], help="default: from the file name")
    load.set_defaults(run=_import)


def _import(settings: Settings, args: argparse.Namespace) -> int:
    from documents.agency_directory import sources
    from documents.agency_directory.importing import DirectoryRefused
    from ecabinet.core import audit
    from ecabinet.core.db import make_engine, session_scope

    source = sources.FileDirectorySource(args.file, args.format)
    engine = make_engine(settings)
    try:
        with session_scope(engine) as session:
            outcome = sources.synchronise(session, audit.Actor.system("cli"), source)
    except DirectoryRefused as exc:
        print("ecabinet: nothing imported / không nhập gì:", file=sys.stderr)
        for problem in exc.problems:
            print(f"  line {problem.line}: {problem.en} / {problem.vi}", file=sys.stderr)
        return 1
    finally:
        engine.dispose()
    print(
        f"{outcome.created} created, {outcome.updated} updated,"
        f" {outcome.unchanged} unchanged / {outcome.created} thêm, {outcome.updated} sửa,"
        f" {outcome.unchanged} giữ nguyên"
    )
    return 0
