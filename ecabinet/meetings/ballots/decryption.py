"""The homomorphic tally and its threshold decryption by guardians."""

from __future__ import annotations

from typing import Any

from ecabinet.meetings.ballots.ceremony import GuardianShare
from ecabinet.meetings.ballots.context import VoteContext


def aggregate(ctx: VoteContext, ballots: list[dict[str, Any]]) -> dict[str, Any]:
    """Component-wise sum of the ballots' ciphertexts, per option."""
    raise NotImplementedError


def partial_decrypt(
    ctx: VoteContext, share: GuardianShare, aggregate: dict[str, Any]
) -> dict[str, Any]:
    """D_l = x_l·A per option, each with a Chaum-Pedersen proof."""
    raise NotImplementedError


def check_partial(
    ctx: VoteContext, index: int, aggregate: dict[str, Any], partial: dict[str, Any]
) -> None:
    """Raise :class:`errors.PartialRejected` unless ``partial`` is guardian ``index``'s
    correct partial decryption of ``aggregate``."""
    raise NotImplementedError


def combine(
    ctx: VoteContext, aggregate: dict[str, Any], partials: dict[int, dict[str, Any]], ballots: int
) -> list[int]:
    """The counts per option from at least ``ctx.quorum`` valid partials."""
    raise NotImplementedError
