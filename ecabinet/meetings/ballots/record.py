"""The election record: canonical JSON anyone can verify from scratch.

It holds the context, the guardians' public announcements, every accepted ballot (no
voter, no time; sorted by tracking code), the aggregate, the partial decryptions with
their proofs, and the counts. :func:`verify_record` trusts none of it.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

from ecabinet.core.errors import DomainError
from ecabinet.meetings.ballots import ceremony, decryption, errors
from ecabinet.meetings.ballots.ballot import check_ballot, parse_ballot, tracking_code
from ecabinet.meetings.ballots.context import VERSION, VoteContext, canonical_json, ceremony_digest

RECORD_FIELDS = frozenset(
    {"version", "context", "announcements", "ballots", "aggregate", "partials", "counts"}
)


@dataclass(frozen=True)
class RecordReport:
    """What :func:`verify_record` found."""

    ok: bool
    counts: list[int] | None
    """The counts the record's own data decrypt to (None when they cannot be computed)."""
    problems: list[tuple[str, str]] = field(default_factory=list)
    """(field path, reason), e.g. ("ballots[3].ballot", "The ballot's proof does not hold …")."""
    ballots: int = 0
    tracking_codes: list[str] = field(default_factory=list)


def build_record(
    ctx: VoteContext,
    announcements: list[dict[str, Any]],
    ballots: list[dict[str, Any]],
    aggregate: dict[str, Any],
    partials: dict[int, dict[str, Any]],
    counts: list[int],
) -> bytes:
    """The record's canonical bytes (ballots sorted by tracking code, guardians by index).
    Ballots are normalised, not re-checked: :func:`verify_record` is the checker."""
    entries: list[dict[str, Any]] = []
    for ballot in ballots:
        normal, _, _ = parse_ballot(ctx, ballot)
        entries.append({"tracking_code": tracking_code(normal), "ballot": normal})
    entries.sort(key=lambda e: e["tracking_code"])
    record = {
        "version": VERSION,
        "context": ctx.to_json(),
        "announcements": sorted(announcements, key=lambda a: a["guardian"]),
        "ballots": entries,
        "aggregate": aggregate,
        "partials": [partials[i] for i in sorted(partials)],
        "counts": list(counts),
    }
    return canonical_json(record) + b"\n"


def record_hash(data: bytes) -> str:
    """Plain SHA-256 of the record's bytes, hex (what ``sha256sum`` prints)."""
    return hashlib.sha256(data).hexdigest()


def _reason(exc: DomainError) -> str:
    return f"{exc.code}: {exc.en}"


def verify_record(data: bytes) -> RecordReport:
    """Recompute everything from the record and report each problem (path, reason)."""
    problems: list[tuple[str, str]] = []

    def report(counts: list[int] | None = None, **extra: Any) -> RecordReport:
        return RecordReport(not problems, counts, problems, **extra)

    try:
        record = json.loads(data)
        canonical = canonical_json(record) + b"\n" == data  # NaN, Infinity: ValueError
    except (ValueError, UnicodeDecodeError, RecursionError):
        problems.append(("", "not JSON (or holds NaN, Infinity, or is nested too deep)"))
        return report()
    if not isinstance(record, dict) or set(record) != RECORD_FIELDS:
        problems.append(("", f"fields must be {sorted(RECORD_FIELDS)}"))
        return report()
    if record["version"] != VERSION:
        problems.append(("version", f"unknown version (expected {VERSION})"))
    if not canonical:
        problems.append(("", "not in canonical form"))
    try:
        ctx = VoteContext.from_json(record["context"])
    except errors.BadInput as exc:
        problems.append(("context", _reason(exc)))
        return report()

    _check_announcements(ctx, record["announcements"], problems)
    checked = _check_ballots(ctx, record["ballots"], problems)
    codes = list(checked)

    agg = record["aggregate"]
    try:
        decryption.parse_aggregate(ctx, agg)
        expected = decryption.aggregate(ctx, list(checked.values()))
    except errors.BadInput as exc:
        problems.append(("aggregate", _reason(exc)))
        return report(ballots=len(codes), tracking_codes=codes)
    for name in ("context", "ballot_count", "ballots_digest"):
        if agg[name] != expected[name]:
            problems.append((f"aggregate.{name}", "does not match the ballots"))
    for j, (got, want) in enumerate(zip(agg["selections"], expected["selections"], strict=True)):
        for part in ("A", "B"):
            if got[part] != want[part]:
                problems.append((f"aggregate.selections[{j}].{part}", "does not match the ballots"))

    partials = record["partials"]
    valid: dict[int, dict[str, Any]] = {}
    if not isinstance(partials, list):
        problems.append(("partials", "not a list"))
        partials = []
    for p, partial in enumerate(partials):
        index = partial.get("guardian") if isinstance(partial, dict) else None
        if type(index) is not int:
            problems.append((f"partials[{p}]", "no guardian index"))
            continue
        if index in valid:
            problems.append((f"partials[{p}]", f"guardian {index} appears twice"))
            continue
        try:
            decryption.check_partial(ctx, index, agg, partial)
        except errors.PartialRejected as exc:
            problems.append((f"partials[{p}]", _reason(exc)))
            continue
        valid[index] = partial

    counts = record["counts"]
    tally: list[int] | None = None
    if agg["ballot_count"] != len(codes):  # also bounds the search below by the ballots listed
        problems.append(("counts", "cannot be decrypted: the aggregate is not of these ballots"))
    else:
        try:
            tally = decryption.combine(ctx, agg, valid, len(codes))
        except DomainError as exc:
            problems.append(("partials", _reason(exc)))
    if not isinstance(counts, list) or len(counts) != len(ctx.options):
        problems.append(("counts", f"must list {len(ctx.options)} counts"))
    elif tally is not None:
        for j, (said, found) in enumerate(zip(counts, tally, strict=True)):
            if said != found or type(said) is not int:
                problems.append((f"counts[{j}]", f"record says {said!r}, decryption gives {found}"))
        if sum(tally) != len(codes):
            problems.append(("counts", f"sum {sum(tally)} differs from {len(codes)} ballots"))
    return report(tally, ballots=len(codes), tracking_codes=codes)


def _check_announcements(
    ctx: VoteContext, announcements: object, problems: list[tuple[str, str]]
) -> None:
    if not isinstance(announcements, list) or len(announcements) != ctx.guardian_count:
        problems.append(("announcements", f"must list {ctx.guardian_count} guardians"))
        return
    fine = True
    for i, a in enumerate(announcements):
        try:
            ceremony.check_announcement(a, ctx.guardian_count, ctx.quorum)
            if a["guardian"] != i + 1:
                raise errors.bad_input(f"guardian {a['guardian']} in position {i + 1}")
        except (errors.CeremonyError, errors.BadInput) as exc:
            problems.append((f"announcements[{i}]", _reason(exc)))
            fine = False
    if not fine:
        return
    if ceremony_digest(announcements) != ctx.ceremony:
        problems.append(("context.ceremony", "does not match the announcements"))
    if ceremony.joint_key(announcements) != ctx.joint_key:
        problems.append(("context.joint_key", "does not match the announcements"))
    for i in range(ctx.guardian_count):
        if ceremony.verification_key(announcements, i + 1) != ctx.verification_keys[i]:
            problems.append((f"context.verification_keys[{i}]", "does not match the announcements"))


def _check_ballots(
    ctx: VoteContext, entries: object, problems: list[tuple[str, str]]
) -> dict[str, dict[str, Any]]:
    """Tracking code → ballot, for every entry that checks."""
    out: dict[str, dict[str, Any]] = {}
    if not isinstance(entries, list):
        problems.append(("ballots", "not a list"))
        return out
    previous = ""
    for i, entry in enumerate(entries):
        path = f"ballots[{i}]"
        if not isinstance(entry, dict) or set(entry) != {"tracking_code", "ballot"}:
            problems.append((path, "fields must be ['ballot', 'tracking_code']"))
            continue
        try:
            checked = check_ballot(ctx, entry["ballot"])
        except errors.BallotRejected as exc:
            problems.append((f"{path}.ballot", _reason(exc)))
            continue
        code = checked.tracking_code
        if entry["tracking_code"] != code:
            problems.append((f"{path}.tracking_code", "does not match the ballot"))
        if code in out:
            problems.append((path, "duplicate ballot"))
            continue
        if code < previous:
            problems.append((path, "not sorted by tracking code"))
        previous = code
        out[code] = checked.ballot
    return out
