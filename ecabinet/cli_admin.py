"""``ecabinet init`` and ``ecabinet agency create|import``: setting up a real province."""

from __future__ import annotations

import argparse
import getpass
import sys
from pathlib import Path
from typing import Any

from ecabinet.core.agencies import AgencyLevel
from ecabinet.core.agency_files import ImportRefused
from ecabinet.core.settings import Settings


def add_commands(sub: Any) -> None:
    init = sub.add_parser(
        "init", help="create the root agency and its first administrator (idempotent)"
    )
    init.add_argument("--code", required=True, help="the root's agency code, e.g. 000.00.00.H01")
    init.add_argument("--name", required=True, help="e.g. Ủy ban nhân dân tỉnh An Giang")
    init.add_argument("--abbreviation", required=True, help="e.g. UBND")
    init.add_argument("--level", choices=[v.value for v in AgencyLevel], default="province")
    init.add_argument("--admin", required=True, metavar="USERNAME", help="first administrator")
    init.add_argument("--admin-name", required=True, metavar="FULL_NAME")
    init.add_argument("--admin-title", default="", metavar="TITLE")
    init.add_argument("--password-env", help="read the password from this environment variable")
    init.set_defaults(run=_init)

    agency = sub.add_parser("agency", help="manage agencies").add_subparsers(
        required=True, metavar="ACTION"
    )
    create = agency.add_parser("create", help="create one agency (idempotent)")
    create.add_argument("code", help="agency code (mã định danh), e.g. 000.00.10.H01")
    create.add_argument("--name", required=True)
    create.add_argument("--abbreviation", required=True, help="used in document symbols")
    create.add_argument("--parent", metavar="CODE", help="the code of the agency above it")
    create.add_argument("--level", choices=[v.value for v in AgencyLevel])
    create.add_argument("--parent-name", help="the line above the name on its documents")
    create.set_defaults(run=_agency_create)
    load = agency.add_parser(
        "import", help="import a published code list (CSV or JSON), all or nothing, idempotent"
    )
    load.add_argument("file", type=Path)
    load.add_argument("--format", choices=["csv", "json"], help="default: from the file name")
    load.set_defaults(run=_agency_import)


def read_password(settings: Settings, env_name: str | None) -> str | None:
    """The password from the environment variable ``env_name``, else typed twice at the
    terminal; ``None`` (with the reason printed) when there is none."""
    if env_name:
        password = settings.env.get(env_name)
        if not password:
            print(f"ecabinet: environment variable {env_name} is empty", file=sys.stderr)
            return None
        return password
    password = getpass.getpass("Mật khẩu / Password: ")
    if getpass.getpass("Nhập lại / Again: ") != password:
        print("ecabinet: the passwords differ", file=sys.stderr)
        return None
    return password


def _init(settings: Settings, args: argparse.Namespace) -> int:
    from ecabinet.core import audit, install
    from ecabinet.core.db import make_engine, session_scope

    password = read_password(settings, args.password_env)
    if password is None:
        return 2
    root = install.Root(args.code, args.name, args.abbreviation, AgencyLevel(args.level))
    admin = install.FirstAdmin(args.admin, args.admin_name, password, args.admin_title)
    from documents import publication_log

    engine = make_engine(settings)
    key_path = settings.publication_log_key_path
    had_key = key_path.exists()
    key = publication_log.signing_key(settings.data_dir, settings.publication_log_key_file)
    with session_scope(engine) as session:
        created = install.initialise(session, audit.Actor.system("cli"), root, admin)
        publication_log.register_key(session, key)
    engine.dispose()
    if not had_key:
        created.append(
            f"publication log key {publication_log.key_id_of(key)} in {key_path}"
            " (a secret: ecabinet backup keeps it)"
        )
    for what in created:
        print(f"created {what}")
    if not created:
        print("already initialised: nothing changed")
    return 0


def _agency_create(settings: Settings, args: argparse.Namespace) -> int:
    values = {
        "code": args.code,
        "name": args.name,
        "abbreviation": args.abbreviation,
        "parent_code": args.parent,
        "level": args.level,
        "parent_name": args.parent_name,
    }
    return _import(settings, [(1, {k: v for k, v in values.items() if v is not None})])


def _agency_import(settings: Settings, args: argparse.Namespace) -> int:
    from ecabinet.core import agency_files

    kind = args.format or ("json" if args.file.suffix.lower() == ".json" else "csv")
    try:
        data = args.file.read_bytes()
    except OSError as exc:
        print(f"ecabinet: cannot read {args.file}: {exc.strerror}", file=sys.stderr)
        return 2
    try:
        rows = agency_files.read(data, kind)
    except agency_files.ImportRefused as exc:
        return _refused(exc)
    return _import(settings, rows)


def _import(settings: Settings, rows: list[tuple[int, dict[str, Any]]]) -> int:
    from ecabinet.core import agency_files, agency_import, audit
    from ecabinet.core.db import make_engine, session_scope

    engine = make_engine(settings)
    try:
        with session_scope(engine) as session:
            outcome = agency_import.import_rows(session, audit.Actor.system("cli"), rows)
            created = [f"{a.code} {a.abbreviation} {a.name}" for a in outcome.created]
    except agency_files.ImportRefused as exc:
        return _refused(exc)
    finally:
        engine.dispose()
    for line in created:
        print(f"created agency {line}")
    print(f"{len(created)} agency(ies) created, {outcome.unchanged} already present unchanged")
    return 0


def _refused(exc: ImportRefused) -> int:
    print("ecabinet: nothing imported / không nhập gì:", file=sys.stderr)
    for problem in exc.problems:
        print(f"  line {problem.line}: {problem.en} / {problem.vi}", file=sys.stderr)
    return 1
