"""``audit verify``: the chain, the head and the tree checked against every anchor in
reach — the checkpoints stored in the database (with their RFC 3161 time-stamps), those
carried by the public publication log, a witness's state and a head file kept elsewhere.

The chain alone is unkeyed: whoever can write the database can truncate it, empty it or
recompute it. A signed checkpoint fixes the log's size and root at a moment; an anchor
kept where the database administrator cannot reach it (a monitor's copy of the
publication log, a TSA's token, a witness's state) makes the checkpoint itself hard to
remove. The report names the entries at stake: those missing under an anchor's size, and
those between the last anchor that still matches and the first that no longer does.
"""

from __future__ import annotations

import base64
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from sqlmodel import Session, col, select

from ecabinet.core import audit, audit_tree, merkle
from ecabinet.core.audit import GENESIS, REBUILT, AuditHead

CheckToken = Callable[[bytes, bytes], tuple[datetime, str]]
"""Checks an RFC 3161 token over data (the checkpoint's signed text): its time and the
TSA's name, or ``ValueError`` saying why (not a token, not over this data, or a TSA whose
certificate does not chain to a root the operator trusts)."""


@dataclass(frozen=True)
class Anchor:
    source: str
    """Where it was found ("checkpoint in the database", "publication log entry 7"…)."""
    checkpoint: audit_tree.AuditCheckpoint


@dataclass(frozen=True)
class Finding:
    broken: bool
    text: str


@dataclass
class Report:
    entries: int = 0
    covered: int = 0
    """Entries vouched for by the latest anchor that matches."""
    findings: list[Finding] = field(default_factory=list)
    stamped: int = 0
    """Checkpoints whose time-stamp token checked out."""

    @property
    def intact(self) -> bool:
        return not any(f.broken for f in self.findings)

    def bad(self, text: str) -> None:
        self.findings.append(Finding(True, text))

    def note(self, text: str) -> None:
        self.findings.append(Finding(False, text))


def _when(cp: audit_tree.AuditCheckpoint) -> str:
    return cp.at.strftime("%Y-%m-%d %H:%M:%S UTC")


def _span(first: int, last: int) -> str:
    return f"entry {first}" if first == last else f"entries {first}–{last}"


def stored_anchors(session: Session) -> list[Anchor]:
    return [
        Anchor("checkpoint in the database", cp)
        for cp in session.exec(
            select(audit_tree.AuditCheckpoint).order_by(col(audit_tree.AuditCheckpoint.size))
        )
    ]


def verify(
    session: Session,
    keys: dict[str, Ed25519PublicKey],
    *,
    anchors: Sequence[Anchor] = (),
    check_token: CheckToken | None = None,
) -> Report:
    """Check the log against its stored checkpoints and ``anchors`` (found elsewhere):
    every problem found, with the entries at stake."""
    report = Report()
    all_anchors = [*stored_anchors(session), *anchors]
    stored_tree = audit_tree.tree_size(session)
    sizes = {a.checkpoint.size for a in all_anchors} | {stored_tree}
    roots: dict[int, bytes] = {0: merkle.EMPTY_ROOT} if 0 in sizes else {}
    frontier = merkle.Frontier()
    prev, chain_problem = GENESIS, False
    for entry in audit.stored(session):
        expected = frontier.size + 1
        if not chain_problem:
            if entry.seq != expected or entry.prev_hash != prev:
                report.bad(
                    f"entry {entry.seq}: the chain breaks (expected seq {expected} after"
                    f" {prev[:12]}…): entries were inserted or deleted before it"
                )
                chain_problem = True
            elif audit.entry_hash(entry) != entry.hash:
                report.bad(f"entry {entry.seq} was edited: its content does not match its hash")
                chain_problem = True
        if entry.action == REBUILT:
            report.bad(f"entry {entry.seq} ({entry.at:%Y-%m-%d %H:%M}): {entry.summary}")
        prev = entry.hash
        frontier.append(audit_tree.leaf(entry.hash))
        if frontier.size in sizes:
            roots[frontier.size] = frontier.root()
    count = report.entries = frontier.size
    head = session.get(AuditHead, 1)
    if head is None and count:
        report.bad("the audit head row is missing (deleted?); the next write rebuilds it")
    elif head is not None and (head.seq, head.hash) != (count, prev):
        report.bad(f"the head records seq {head.seq} but the log ends at seq {count}")
    _check_anchors(report, all_anchors, roots, keys, count)
    _check_tokens(report, session, check_token)
    _check_stored_tree(report, session)
    _check_tree_head(report, session, stored_tree, roots, count)
    return report


def _check_anchors(
    report: Report,
    anchors: Sequence[Anchor],
    roots: dict[int, bytes],
    keys: dict[str, Ed25519PublicKey],
    count: int,
) -> None:
    matched = 0
    for anchor in sorted(anchors, key=lambda a: a.checkpoint.size):
        cp = anchor.checkpoint
        what = f"the {anchor.source} of {_when(cp)}, size {cp.size}"
        if not audit_tree.signature_valid(keys, cp):
            report.bad(f"{what}: its signature does not verify (key {cp.key_id})")
            continue
        if cp.size > count:
            report.bad(f"{_span(count + 1, cp.size)} are missing: {what} covers them")
            continue
        if roots.get(cp.size) != bytes.fromhex(cp.root):
            report.bad(f"{_span(matched + 1, cp.size)} contradict {what}")
            continue
        matched = max(matched, cp.size)
    report.covered = matched
    if not anchors and count:
        report.note(
            f"{_span(1, count)}: no checkpoint yet; nothing outside the database vouches for them"
        )
    elif count > matched:
        report.note(f"{_span(matched + 1, count)} are not covered by a checkpoint yet")


def _check_tokens(report: Report, session: Session, check_token: CheckToken | None) -> None:
    stored = stored_anchors(session)
    if check_token is None:
        if stored:
            report.note("no time-stamp authority configured: time-stamps not checked")
        return
    checked: set[str] = set()
    missing = 0
    for anchor in stored:
        cp = anchor.checkpoint
        if not cp.timestamp_token:
            missing += 1
            continue
        try:
            when, tsa = check_token(
                base64.b64decode(cp.timestamp_token), audit_tree.signed_text(cp).encode()
            )
        except ValueError as exc:
            report.bad(f"checkpoint of {_when(cp)}, size {cp.size}: time-stamp invalid ({exc})")
            continue
        report.stamped += 1
        if abs((when - cp.at).total_seconds()) > 3600:
            report.bad(
                f"checkpoint of {_when(cp)}, size {cp.size}: time-stamped at"
                f" {when:%Y-%m-%d %H:%M} UTC, not when it claims"
            )
        checked.add(tsa)
    if checked:
        report.note(f"time-stamps checked, by {'; '.join(sorted(checked))}")
    if missing:
        report.note(f"{missing} checkpoint(s) carry no time-stamp (the TSA was not reached)")


def _check_tree_head(
    report: Report, session: Session, size: int, roots: dict[int, bytes], count: int
) -> None:
    """The stored tree's own head (every entry it covers, checkpointed or not yet) must
    be the tree of the chain as it is now."""
    if size == 0:
        return
    if size > count:
        report.bad(
            f"{_span(count + 1, size)} are missing: the stored Merkle tree covers {size} entries"
        )
        return
    try:
        stored_root = audit_tree.root(session, size)
    except LookupError:
        stored_root = b""
    if stored_root != roots.get(size):
        report.bad(
            f"the stored Merkle tree of {size} entries does not match the chain:"
            f" {_span(1, size)} or the tree's hashes were changed"
        )


def _check_stored_tree(report: Report, session: Session) -> None:
    """The stored hashes serve consistency proofs: they must give the checkpoints' roots."""
    last = audit_tree.latest(session)
    if last is None or last.size > audit_tree.tree_size(session):
        return
    try:
        stored_root = audit_tree.root(session, last.size).hex()
    except LookupError:
        stored_root = ""
    if stored_root != last.root:
        report.bad(
            f"the stored tree hashes no longer give the checkpoint of {_when(last)},"
            f" size {last.size}: proofs served to witnesses would fail"
        )
