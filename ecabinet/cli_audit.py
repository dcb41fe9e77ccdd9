"""``ecabinet audit``: verify the log against its anchors, print or make a checkpoint, and
witness another deployment's log."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from ecabinet.core.settings import Settings


def add_commands(sub: Any) -> None:
    audit = sub.add_parser("audit", help="audit log tools").add_subparsers(
        required=True, metavar="ACTION"
    )
    verify = audit.add_parser(
        "verify",
        help="check the audit log's chain and tree against its checkpoints and anchors",
    )
    verify.add_argument(
        "--witness", type=Path, action="append", default=[], help="a witness's state folder"
    )
    verify.add_argument(
        "--head",
        type=Path,
        action="append",
        default=[],
        help="a checkpoint kept earlier (`ecabinet audit head` output)",
    )
    verify.set_defaults(run=_verify)
    head = audit.add_parser("head", help="print the latest signed checkpoint (JSON)")
    head.set_defaults(run=_head)
    now = audit.add_parser(
        "checkpoint", help="sign and anchor a checkpoint of the entries stored now"
    )
    now.set_defaults(run=_checkpoint)
    witness = audit.add_parser(
        "witness",
        help="fetch a deployment's audit checkpoint, check it extends the last one kept",
    )
    witness.add_argument("url", help="the deployment's address, e.g. https://ecabinet.example")
    witness.add_argument("--state", type=Path, required=True, help="where heads are kept")
    witness.set_defaults(run=_witness)


def _engine(settings: Settings):  # type: ignore[no-untyped-def]
    from ecabinet.core.db import make_engine

    return make_engine(settings)


def _verify(settings: Settings, args: argparse.Namespace) -> int:
    from ecabinet.operations import audit_anchors

    extra = []
    try:
        for folder in args.witness:
            extra.append(
                audit_anchors.read_anchor(folder / "head.json", f"witness state in {folder}")
            )
        for path in args.head:
            extra.append(audit_anchors.read_anchor(path, f"head file {path}"))
    except ValueError as exc:
        print(f"ecabinet: {exc}", file=sys.stderr)
        return 2
    report = audit_anchors.verify(_engine(settings), settings, extra)
    for finding in report.findings:
        print(("BROKEN: " if finding.broken else "note: ") + finding.text)
    if report.intact:
        print(
            f"audit log intact: {report.entries} entries, {report.covered} covered by a checkpoint"
        )
        return 0
    print(f"audit log BROKEN ({report.entries} entries stored)")
    return 1


def _head(settings: Settings, _args: argparse.Namespace) -> int:
    from ecabinet.core import audit_tree
    from ecabinet.core.db import session_scope
    from ecabinet.operations import audit_anchors

    with session_scope(_engine(settings), write=False) as session:
        cp = audit_tree.latest(session)
        keys = audit_anchors.keys(settings, session)
    if cp is None:
        print("ecabinet: no audit checkpoint yet (`ecabinet audit checkpoint`)", file=sys.stderr)
        return 1
    print(json.dumps(audit_tree.to_json(cp, keys.get(cp.key_id)), indent=2))
    return 0


def _checkpoint(settings: Settings, _args: argparse.Namespace) -> int:
    from ecabinet.operations import audit_anchors

    cp = audit_anchors.checkpoint_now(_engine(settings), settings, force=True)
    if cp is None:
        print("no checkpoint made: none waiting, or the log was altered (see the error log)")
        return 0
    stamped = "time-stamped" if cp.timestamp_token else "not time-stamped"
    print(f"checkpoint of {cp.size} entries, root {cp.root}, {stamped}")
    return 0


def _witness(_settings: Settings, args: argparse.Namespace) -> int:
    from ecabinet.core import audit_witness

    try:
        seen = audit_witness.watch(args.url, args.state)
    except audit_witness.Rewritten as exc:
        print(f"ecabinet: AUDIT LOG REWRITTEN at {args.url}: {exc}", file=sys.stderr)
        print(f"evidence kept in {args.state / 'alarm.json'}", file=sys.stderr)
        return 2
    except audit_witness.WitnessError as exc:
        print(f"ecabinet: cannot check {args.url} now: {exc}", file=sys.stderr)
        return 1
    since = f" (was {seen.previous})" if seen.previous is not None else " (first head kept)"
    for warning in seen.warnings:
        print(f"warning: key set of {args.url}: {warning}", file=sys.stderr)
    if seen.new_keys and seen.previous is not None:
        listed = ", ".join(k[:16] for k in seen.new_keys)
        print(f"following the log's new key {listed}: endorsed by a key this witness trusted")
    print(f"audit log consistent: {seen.size} entries{since}, root {seen.root}")
    return 0
