"""Encrypted ballots: one exponential-ElGamal ciphertext per option, each with a
disjunctive Chaum-Pedersen proof that it holds 0 or 1, and a proof that they sum to 1."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ecabinet.meetings.ballots import group
from ecabinet.meetings.ballots.context import VoteContext


@dataclass(frozen=True)
class CheckedBallot:
    """A ballot whose shape and proofs hold."""

    ballot: dict[str, Any]
    """The ballot, normalised (exactly the fields of the format)."""
    tracking_code: str
    """SHA-256 (tagged) of the canonical ballot, 64 hex digits."""
    short_code: str
    """The first 80 bits in base32, four groups of four (what a voter reads)."""


def encrypt_ballot(ctx: VoteContext, choice: int, rng: group.Rng | None = None) -> dict[str, Any]:
    """The ballot a tablet sends for option ``choice`` (0-based)."""
    raise NotImplementedError


def check_ballot(ctx: VoteContext, ballot: object) -> CheckedBallot:
    """Check shape and every proof; raises :class:`errors.BallotRejected`."""
    raise NotImplementedError


def tracking_code(ballot: dict[str, Any]) -> str:
    raise NotImplementedError


def short_code(tracking: str) -> str:
    raise NotImplementedError
