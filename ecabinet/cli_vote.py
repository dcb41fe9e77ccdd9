"""``ecabinet vote verify RECORD``: check a secret vote's election record from scratch.

Exit 0 when every proof holds and the counts follow from the ballots, 1 otherwise,
2 when the file cannot be read. Needs no database: the record is self-contained.
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
    verify.set_defaults(run=_verify)


def _verify(_settings: Settings, args: argparse.Namespace) -> int:
    from ecabinet.meetings.ballots import record_hash, verify_record

    try:
        data = args.record.read_bytes()
    except OSError as exc:
        print(f"ecabinet: không đọc được / cannot read {args.record}: {exc}", file=sys.stderr)
        return 2
    report = verify_record(data)
    print(f"SHA-256: {record_hash(data)}")
    print(f"Số phiếu / ballots: {report.ballots}")
    if report.counts is not None:
        counts = ", ".join(str(c) for c in report.counts)
        print(f"Kết quả giải mã / decrypted counts: {counts}")
    if report.ok:
        print("Hồ sơ hợp lệ: mọi chứng minh đều đúng. / Record valid: every proof holds.")
        return 0
    n = len(report.problems)
    print(f"Hồ sơ KHÔNG hợp lệ: {n} lỗi. / Record INVALID: {n} problems.")
    for path, reason in report.problems:
        print(f"  {path or '(record)'}: {reason}")
    return 1
