"""The ``ecabinet`` command line."""

from __future__ import annotations

import argparse
import dataclasses
import sys
from collections.abc import Sequence
from pathlib import Path

from ecabinet import (
    cli_admin,
    cli_audit,
    cli_directory,
    cli_openapi,
    cli_operations,
    cli_signing,
    cli_vote,
)
from ecabinet.core import errors, logs
from ecabinet.core.settings import Settings, SettingsError


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        settings = Settings.from_env()
    except SettingsError as exc:
        print(f"ecabinet: {exc}", file=sys.stderr)
        return 2
    logs.configure(settings.log_level, settings.log_format)
    try:
        code: int = args.run(settings, args)
        return code
    except errors.DomainError as exc:
        print(f"ecabinet: {exc.code}: {exc.vi} / {exc.en}", file=sys.stderr)
        return 1
    except SettingsError as exc:  # raised late by open_store (e.g. a bad bucket name)
        print(f"ecabinet: {exc}", file=sys.stderr)
        return 2


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="ecabinet", description="eCabinet server and tools")
    sub = parser.add_subparsers(required=True, metavar="COMMAND")

    serve = sub.add_parser("serve", help="serve the app over HTTP")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument(
        "--workers",
        type=int,
        default=1,
        help="processes serving the same port (each with its own database pool)",
    )
    serve.set_defaults(run=_serve)

    migrate = sub.add_parser("migrate", help="bring the database schema up to date")
    migrate.add_argument(
        "--to", default="head", metavar="REVISION", help="up or down to this revision (or base)"
    )
    migrate.add_argument(
        "--allow-data-loss",
        action="store_true",
        help="let a downgrade drop tables or columns that hold rows",
    )
    migrate.set_defaults(run=_migrate)

    demo = sub.add_parser("demo", help="seed the demo province (idempotent)")
    demo.set_defaults(run=_demo)

    remind = sub.add_parser("remind", help="add reminders, then e-mail and SMS notifications once")
    remind.set_defaults(run=_remind)

    exchange = sub.add_parser("exchange", help="the exchange with other systems").add_subparsers(
        required=True, metavar="ACTION"
    )
    send_once = exchange.add_parser("send-once", help="attempt every outbox delivery due now")
    send_once.set_defaults(run=_exchange_send_once)

    user = sub.add_parser("user", help="manage users").add_subparsers(
        required=True, metavar="ACTION"
    )
    create = user.add_parser("create", help="create a user")
    create.add_argument("username")
    create.add_argument("--full-name", required=True)
    create.add_argument("--title", default="")
    create.add_argument("--email")
    create.add_argument("--agency", help="agency code (mã định danh) for --role")
    create.add_argument("--role", action="append", default=[], help="role in --agency (repeatable)")
    create.add_argument("--password-env", help="read the password from this environment variable")
    create.set_defaults(run=_user_create)
    unlock = user.add_parser("unlock", help="clear a user name's login throttling")
    unlock.add_argument("username")
    unlock.set_defaults(run=_user_unlock)
    for action, helps in (
        ("disable", "disable a user: no login, sessions ended, live connections cut"),
        ("enable", "enable a disabled user again"),
    ):
        state = user.add_parser(action, help=helps)
        state.add_argument("username")
        state.set_defaults(run=_user_state, active=action == "enable")

    cli_admin.add_commands(sub)
    cli_directory.add_commands(sub)
    cli_signing.add_commands(sub)
    cli_vote.add_commands(sub)
    cli_openapi.add_commands(sub)
    cli_operations.add_commands(sub)

    cli_audit.add_commands(sub)

    log = sub.add_parser("log", help="the publication log").add_subparsers(
        required=True, metavar="ACTION"
    )
    head = log.add_parser("head", help="print the log's signed tree head (JSON)")
    head.set_defaults(run=_log_head)
    check = log.add_parser(
        "verify", help="recompute the log from its entries; with --head, check it extends it"
    )
    check.add_argument("--head", type=Path, help="a signed tree head saved earlier (JSON)")
    check.add_argument(
        "--no-files", action="store_true", help="do not hash the published files in the store"
    )
    check.set_defaults(run=_log_verify)
    rotate = log.add_parser(
        "rotate-key", help="sign heads with a new key endorsed by the current one"
    )
    rotate.set_defaults(run=_log_rotate_key)
    monitor = log.add_parser(
        "monitor", help="follow a deployment's public log over HTTP, as a CT monitor does"
    )
    monitor.add_argument("url", help="the deployment's address, e.g. https://congkhai.example.vn")
    monitor.add_argument("--state", type=Path, required=True, help="where to keep what was seen")
    monitor.add_argument("--timeout", type=float, default=30.0, help="seconds per request")
    monitor.add_argument(
        "--key",
        type=Path,
        help="the log's first public key (PEM), if known: else trusted on first use",
    )
    monitor.set_defaults(run=_log_monitor)
    return parser


def _engine(settings: Settings):  # type: ignore[no-untyped-def]
    from ecabinet.core.db import make_engine

    return make_engine(settings)


def _serve(settings: Settings, args: argparse.Namespace) -> int:
    import uvicorn

    from ecabinet.core import migrate

    if args.workers < 1:
        print("ecabinet: --workers must be at least 1", file=sys.stderr)
        return 2
    if settings.metrics_multiproc_dir is not None:
        _clear_metrics_dir(settings.metrics_multiproc_dir)
    engine = _engine(settings)
    if migrate.current(engine) is None:
        print(
            "ecabinet: the database has no schema yet: run `ecabinet migrate` first",
            file=sys.stderr,
        )
        return 2
    engine.dispose()
    # Each worker process builds its app from the environment (ecabinet.app:served), so
    # it reads the same settings; the secrets are made here first, once, for all of them.
    settings.with_secret()
    # WebSocket messages, a few hundred bytes of JSON on the meeting room's network, go
    # uncompressed: compressing costs more than it saves (decision 0009).
    uvicorn.run(
        "ecabinet.app:served",
        factory=True,
        host=args.host,
        port=args.port,
        workers=args.workers,
        log_level=settings.log_level.lower(),
        # Logging is ours (ecabinet.core.logs): the access line comes from
        # ecabinet.api.observe, with the route's template instead of the path and query.
        log_config=None,
        access_log=False,
        proxy_headers=False,  # done by forwarded(), in ecabinet.app:served
        ws_per_message_deflate=False,
    )
    return 0


def _clear_metrics_dir(folder: Path) -> None:
    """Remove the metric files of earlier runs from ``PROMETHEUS_MULTIPROC_DIR``: before
    :mod:`ecabinet.core.metrics` is imported, as prometheus-client opens its files at once
    (ecabinet.core.metrics)."""
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("*.db"):
        old.unlink(missing_ok=True)


def _migrate(settings: Settings, args: argparse.Namespace) -> int:
    from alembic.util import CommandError

    from ecabinet.core import migrate

    # A migration may rewrite a large table: no statement timeout for it.
    engine = _engine(dataclasses.replace(settings, db_statement_timeout=0))
    try:
        migrate.migrate_to(engine, args.to, allow_data_loss=args.allow_data_loss)
        print(f"database at revision {migrate.current(engine)}")
    except CommandError as exc:  # an unknown revision
        print(f"ecabinet: {exc}", file=sys.stderr)
        return 2
    finally:
        engine.dispose()
    return 0


def _demo(settings: Settings, _args: argparse.Namespace) -> int:
    from ecabinet.core.storage import open_store
    from ecabinet.demo import DEMO_PIN
    from ecabinet.demo.seed import DEMO_PASSWORD, seed

    settings = settings.with_secret()
    engine = _engine(settings)
    report = seed(engine, open_store(settings), settings)
    engine.dispose()
    print(report.summary())
    print(f"\nDemo logins (password for all: {DEMO_PASSWORD}):")
    for username, full_name, title in report.logins:
        print(f"  {username:<20} {full_name} — {title}")
    print(f"Signing PIN of every demo certificate (leaders' and seals'): {DEMO_PIN}")
    return 0


def _remind(settings: Settings, _args: argparse.Namespace) -> int:
    from documents.notification_delivery import run_once
    from documents.notifications import vn_today
    from ecabinet.meetings import consultation_reminders, notices

    engine = _engine(settings)
    added = consultation_reminders.remind(engine) + notices.notify_soon(engine)
    reminded, sent = run_once(engine, settings, vn_today())
    engine.dispose()
    print(f"{added + reminded} reminder(s) added, {sent} message(s) sent")
    return 0


def _exchange_send_once(settings: Settings, _args: argparse.Namespace) -> int:
    from documents.exchange.sender import send_once
    from ecabinet.core.storage import open_store

    engine = _engine(settings)
    delivered = send_once(engine, open_store(settings), settings)
    engine.dispose()
    print(f"{delivered} message(s) delivered")
    return 0


def _user_create(settings: Settings, args: argparse.Namespace) -> int:
    from ecabinet.core import agencies, audit, users
    from ecabinet.core.agencies import Role
    from ecabinet.core.db import session_scope

    password = cli_admin.read_password(settings, args.password_env)
    if password is None:
        return 2
    try:
        roles = [Role(r) for r in args.role]
    except ValueError:
        print(f"ecabinet: roles are {', '.join(r.value for r in Role)}", file=sys.stderr)
        return 2
    if roles and not args.agency:
        print("ecabinet: --role needs --agency CODE", file=sys.stderr)
        return 2
    actor = audit.Actor.system("cli")
    with session_scope(_engine(settings)) as session:
        user = users.create_user(
            session,
            actor,
            username=args.username,
            password=password,
            full_name=args.full_name,
            title=args.title,
            email=args.email,
        )
        if roles:
            agency = agencies.agency_by_code(session, args.agency)
            if agency is None or agency.id is None:
                raise errors.NotFound.of("cơ quan " + args.agency, "Agency " + args.agency)
            assert user.id is not None
            for role in roles:
                agencies.grant_role(session, actor, user_id=user.id, agency_id=agency.id, role=role)
    print(f"created user {user.username} (id {user.id})")
    return 0


def _user_unlock(settings: Settings, args: argparse.Namespace) -> int:
    from ecabinet.core import audit, throttle
    from ecabinet.core.db import session_scope

    engine = _engine(settings)
    with session_scope(engine) as session:
        count = throttle.unlock(session, audit.Actor.system("cli"), args.username)
    engine.dispose()
    name = throttle.normalise(args.username)
    print(f"login throttling of {name} cleared ({count} address counter(s))")
    return 0


def _user_state(settings: Settings, args: argparse.Namespace) -> int:
    """Disable or enable a user; the servers cut the user's live connections at once when
    Redis is configured (else at their next re-validation, within a minute)."""
    from ecabinet.core import accounts, audit, outbox, users
    from ecabinet.core.db import session_scope
    from realtime.watch import publish_now

    with session_scope(_engine(settings)) as session:
        user = users.by_username(session, args.username)
        if user is None or user.id is None:
            raise errors.NotFound.of("người dùng " + args.username, "User " + args.username)
        accounts.set_active(session, audit.Actor.system("cli"), user.id, args.active, by=None)
    publish_now(settings, [c for c in outbox.take(session) if isinstance(c, outbox.Cut)])
    print(f"{'enabled' if args.active else 'disabled'} user {user.username} (id {user.id})")
    return 0


def _log_head(settings: Settings, _args: argparse.Namespace) -> int:
    import json

    from documents import publication_log as log
    from ecabinet.core.db import session_scope

    key = log.signing_key(settings.data_dir, settings.publication_log_key_file)
    with session_scope(_engine(settings)) as session:
        head = log.head_json(log.sign_head(session, key))
    print(json.dumps(head, indent=2))
    return 0


def _log_verify(settings: Settings, args: argparse.Namespace) -> int:
    import json

    from documents import publication_log as log
    from ecabinet.core.db import session_scope

    saved = None
    if args.head is not None:
        try:
            saved = log.head_from_json(json.loads(args.head.read_text()))
        except (OSError, ValueError, KeyError, TypeError) as exc:
            print(f"ecabinet: cannot read the tree head {args.head}: {exc}", file=sys.stderr)
            return 2
    from ecabinet.core.storage import open_store
    from ecabinet.operations.checks import publication_cross_check

    key = log.signing_key(settings.data_dir, settings.publication_log_key_file)
    with session_scope(_engine(settings), write=False) as session:
        keys, key_problems = log.trusted_keys(session, key)
        problem = log.verify(session, keys, saved)
        size = log.size_of(session)
        checked = publication_cross_check(session, None if args.no_files else open_store(settings))
    broken = bool(key_problems) or problem is not None
    for line in key_problems:
        print(f"publication log BROKEN: key: {line}")
    if problem is not None:
        print(f"publication log BROKEN: {problem.what}: {problem.detail}")
    else:
        extends = f"; it extends the saved head of {saved.size}" if saved else ""
        print(f"publication log intact: {size} entries{extends}")
    for line in checked.problems:
        print(f"publication log entry unreadable as facts: {line}")
    for c in checked.contradictions:
        print(f"publication CONTRADICTS the log: {c.line()}")
    files = "" if args.no_files else f", {checked.files} file(s) hashed"
    if checked.problems or checked.contradictions:
        print(f"{len(checked.contradictions)} contradiction(s) in {checked.checked} publication(s)")
        return 1
    print(f"{checked.checked} publication(s) agree with the log{files}")
    return 1 if broken else 0


def _log_rotate_key(settings: Settings, _args: argparse.Namespace) -> int:
    from documents import publication_log as log
    from ecabinet.core.db import session_scope

    with session_scope(_engine(settings)) as session:
        before = log.key_id_of(
            log.signing_key(settings.data_dir, settings.publication_log_key_file)
        )
        row = log.rotate_key(session, settings.data_dir, settings.publication_log_key_file)
    print(f"publication log key rotated: {before} -> {row.key_id}")
    print("the old public key stays in the key set: heads it signed still verify")
    print("back up the data folder's key file now (ecabinet backup)")
    return 0


def _log_monitor(_settings: Settings, args: argparse.Namespace) -> int:
    from ecabinet.operations import log_monitor

    pinned = args.key.read_text() if args.key else None
    report = log_monitor.run(args.url, args.state, timeout=args.timeout, pinned=pinned)
    for line in report.lines():
        print(line)
    return 0 if report.ok else 1


if __name__ == "__main__":
    sys.exit(main())
