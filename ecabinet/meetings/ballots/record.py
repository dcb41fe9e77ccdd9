"""The election record: canonical JSON anyone can verify."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any

from ecabinet.meetings.ballots.context import VoteContext


@dataclass(frozen=True)
class RecordReport:
    ok: bool
    counts: list[int] | None
    problems: list[tuple[str, str]] = field(default_factory=list)
    """(field path, reason), e.g. ("ballots[3].selections[1].proof", "proof fails")."""


def build_record(
    ctx: VoteContext,
    announcements: list[dict[str, Any]],
    ballots: list[dict[str, Any]],
    aggregate: dict[str, Any],
    partials: dict[int, dict[str, Any]],
    counts: list[int],
) -> bytes:
    raise NotImplementedError


def record_hash(data: bytes) -> str:
    """Plain SHA-256 of the record's bytes, hex (what ``sha256sum`` prints)."""
    return hashlib.sha256(data).hexdigest()


def verify_record(data: bytes) -> RecordReport:
    raise NotImplementedError
