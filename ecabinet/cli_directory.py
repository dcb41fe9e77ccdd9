"""``ecabinet directory import FILE``: the agency directory from a CSV or JSON file;
``ecabinet directory sync``: from the national axis (or ``--peer URL``, an eCabinet
peer), through the exchange's axis adapter (decision 0034)."""

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
    sync = directory.add_parser(
        "sync", help="bring the directory up to date from the national axis (or a peer)"
    )
    sync.add_argument("--peer", metavar="URL", help="an eCabinet peer instead of the axis")
    sync.add_argument("--as", dest="caller", metavar="CODE", help="agency that asks the axis")
    sync.set_defaults(run=_sync)


def _import(settings: Settings, args: argparse.Namespace) -> int:
    from documents.agency_directory import sources

    return _synchronise(settings, sources.FileDirectorySource(args.file, args.format))


def _sync(settings: Settings, args: argparse.Namespace) -> int:
    from sqlmodel import col, select

    from documents.exchange import national_axis
    from documents.exchange.axis import PeerAxis
    from documents.exchange.directory_source import AxisDirectorySource
    from ecabinet.core.agencies import Agency
    from ecabinet.core.db import make_engine, session_scope

    if args.peer:
        source = AxisDirectorySource(PeerAxis(timeout=settings.network_timeout * 3), args.peer)
        return _synchronise(settings, source)
    caller = args.caller
    if not caller:
        engine = make_engine(settings)
        try:
            with session_scope(engine, write=False) as session:
                query = select(Agency.code).where(col(Agency.code) != "").order_by(col(Agency.id))
                caller = session.exec(query).first() or ""
        finally:
            engine.dispose()
    axis = national_axis.configured(settings, caller)
    if axis is None:
        print(
            "ecabinet: no national axis (ECABINET_NATIONAL_AXIS_URL) and no --peer"
            " / chưa cấu hình trục liên thông quốc gia",
            file=sys.stderr,
        )
        return 2
    return _synchronise(settings, AxisDirectorySource(axis, axis.url))


def _synchronise(settings: Settings, source: Any) -> int:
    from documents.agency_directory import sources
    from documents.agency_directory.importing import DirectoryRefused
    from ecabinet.core import audit
    from ecabinet.core.db import make_engine, session_scope

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
