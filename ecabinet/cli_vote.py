"""``ecabinet vote verify RECORD``: check a secret vote's election record from scratch.

Exit 0 when every proof holds and the counts follow from the ballots (and the ballot of
``--tracking-code``, when given, is among them), 1 otherwise,
2 when the file cannot be read or is no record. Needs no database: the record is self-contained.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from ecabinet.core.settings import Settings


def add_commands(sub: Any) -> None:
    vote = sub.add_parser("vote", help="secret-vote tools").add_subparsers(
        required=True, metavar="ACTION"
    )
    verify = vote.add_parser(
        "verify", help="check an election record (proofs, tally, decryption) from scratch"
    )
    verify.add_argument("record", type=Path, help="the record file (canonical JSON)")
    verify.add_argument(
        "--tracking-code",
        default="",
        help="a voter's tracking code (full or short form): is that ballot in the record?",
    )
    verify.set_defaults(run=_verify)


def _verify(_settings: Settings, args: argparse.Namespace) -> int:
    from ecabinet.core.errors import DomainError
    from ecabinet.meetings.ballots.record_check import check_upload

    try:
        data = args.record.read_bytes()
    except OSError as exc:
        print(f"ecabinet: không đọc được / cannot read {args.record}: {exc}", file=sys.stderr)
        return 2
    try:
        checked = check_upload(data, args.tracking_code)
    except DomainError as exc:
        print(f"ecabinet: {exc.vi} / {exc.en}", file=sys.stderr)
        return 2
    report = checked.report
    print(f"SHA-256: {checked.record_hash}")
    print(f"Số phiếu / ballots: {report.ballots}")
    if report.counts is not None:
        counts = ", ".join(str(c) for c in report.counts)
        print(f"Kết quả giải mã / decrypted counts: {counts}")
    if checked.in_record is not None:
        said = (
            "có trong hồ sơ / is in the record"
            if checked.in_record
            else "KHÔNG có trong hồ sơ (hoặc chứng minh sai)"
            " / NOT in the record (or its proof fails)"
        )
        print(f"Phiếu {checked.tracking_code}: {said}")
    if report.ok:
        print("Hồ sơ hợp lệ: mọi chứng minh đều đúng. / Record valid: every proof holds.")
        return 0 if checked.in_record is not False else 1
    n = len(report.problems)
    print(f"Hồ sơ KHÔNG hợp lệ: {n} lỗi. / Record INVALID: {n} problems.")
    for path, reason in report.problems:
        print(f"  {path or '(record)'}: {reason}")
    return 1
