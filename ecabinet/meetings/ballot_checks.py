"""Checking encrypted ballots' proofs in worker processes: this module imports only the
ballots library, so a worker starts fast and holds no database or socket."""

from __future__ import annotations

from typing import Any

from ecabinet.core import errors
from ecabinet.meetings import ballots


def check_chunk(ctx: ballots.VoteContext, payloads: list[Any]) -> list[Any]:
    """Each ballot checked: a :class:`ballots.CheckedBallot`, or its refusal's fields (an
    exception crossing back from a process would lose them)."""
    out: list[Any] = []
    for p in payloads:
        try:
            out.append(ballots.check_ballot(ctx, p))
        except errors.DomainError as refused:
            out.append(refused.as_dict())
    return out


def ready() -> bool:
    """What a new worker runs first (its imports done before the first batch)."""
    return True


def refusal(fields: dict[str, Any]) -> errors.DomainError:
    return ballots.BallotRejected(
        fields["code"], fields["message"]["vi"], fields["message"]["en"], fields["details"]
    )
