"""An election record someone sends to be checked (the public page, its JSON twin): the
upload's limits and shape, then :func:`.record.verify_record` (the one verifier, the
command line's too), and whether a voter's tracking code is among the record's ballots.

What cannot be checked at all (empty, too large, not JSON, not a record's shape, a
malformed tracking code) is a domain error with Vietnamese and English messages; a record
that is read but does not verify is a report listing each problem by field path.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from ecabinet.core.errors import InvalidInput, TooLarge
from ecabinet.meetings.ballots.ballot import short_code
from ecabinet.meetings.ballots.record import RECORD_FIELDS, RecordReport, record_hash, verify_record

MAX_BYTES = 8 * 1024 * 1024
"""Far above a meeting's record (about 1.6 KB a ballot with three options: 5,000 ballots),
and a bound on the proofs one upload makes the server check (a few seconds of CPU)."""

_HEX = re.compile(r"[0-9a-f]{64}")
_SHORT = re.compile(r"[A-Z2-7]{16}")


@dataclass(frozen=True)
class RecordCheck:
    """What checking one uploaded record found."""

    report: RecordReport
    record_hash: str
    """SHA-256 of the bytes sent (what the minutes cite)."""
    tracking_code: str
    """The tracking code asked about, as typed (stripped); ``""`` when none was."""
    in_record: bool | None
    """Whether that ballot is among the record's ballots that verify (None: not asked)."""


def empty() -> InvalidInput:
    return InvalidInput(
        "record.empty", "Chưa gửi tệp hồ sơ kiểm phiếu nào.", "No election record was sent."
    )


def too_large() -> TooLarge:
    mib = max(1, MAX_BYTES // (1024 * 1024))
    return TooLarge(
        "record.too_large",
        f"Tệp hồ sơ kiểm phiếu quá lớn (tối đa {mib} MiB).",
        f"The election record is too large (at most {mib} MiB).",
    )


def _not_json() -> InvalidInput:
    return InvalidInput(
        "record.not_json",
        "Tệp gửi lên không phải JSON: hồ sơ kiểm phiếu là một tệp JSON.",
        "The file is not JSON: an election record is a JSON file.",
    )


def _wrong_shape() -> InvalidInput:
    return InvalidInput(
        "record.wrong_shape",
        "Tệp JSON này không phải hồ sơ kiểm phiếu (thiếu hoặc thừa trường: "
        + ", ".join(sorted(RECORD_FIELDS))
        + ").",
        "This JSON is not an election record (its fields must be: "
        + ", ".join(sorted(RECORD_FIELDS))
        + ").",
    )


def _bad_code() -> InvalidInput:
    return InvalidInput(
        "record.bad_tracking_code",
        "Mã theo dõi phiếu không đúng dạng: 64 ký tự hex, hoặc mã ngắn dạng ABCD-EFGH-IJKL-MNOP.",
        "The tracking code is malformed: 64 hex characters, or the short form ABCD-EFGH-IJKL-MNOP.",
    )


def _matcher(code: str) -> tuple[str, str]:
    """('full', hex) or ('short', 16 base32 letters) for a tracking code as a voter types it."""
    folded = re.sub(r"[\s-]", "", code)
    if _HEX.fullmatch(folded.lower()):
        return "full", folded.lower()
    if _SHORT.fullmatch(folded.upper()):
        return "short", folded.upper()
    raise _bad_code()


def _no_constant(name: str) -> None:
    raise ValueError(f"{name} is not JSON")


def check_upload(data: bytes, tracking_code: str = "") -> RecordCheck:
    """Check an uploaded record from scratch (every proof, the aggregate, the decryption,
    the counts) and look for ``tracking_code`` among its verified ballots. Raises a domain
    error for what is not a record at all (see the module's docstring)."""
    code = tracking_code.strip()
    wanted = _matcher(code) if code else None
    if not data:
        raise empty()
    if len(data) > MAX_BYTES:
        raise too_large()
    try:
        parsed = json.loads(data, parse_constant=_no_constant)
    except (ValueError, UnicodeDecodeError, RecursionError) as exc:
        raise _not_json() from exc
    if not isinstance(parsed, dict) or set(parsed) != RECORD_FIELDS:
        raise _wrong_shape()
    report = verify_record(data)
    found: bool | None = None
    if wanted is not None:
        kind, value = wanted
        if kind == "full":
            found = value in report.tracking_codes
        else:
            found = any(short_code(c).replace("-", "") == value for c in report.tracking_codes)
    return RecordCheck(report, record_hash(data), code, found)
