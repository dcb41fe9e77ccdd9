"""Simulated guardians' tablets and ballots for the ballot-core tests."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ecabinet.meetings import ballots as b

OPTIONS = ["Đồng ý", "Không đồng ý", "Không biểu quyết"]


@dataclass
class Ceremony:
    secrets: list[b.GuardianSecret]
    announcements: list[dict[str, Any]]
    shares: list[b.GuardianShare]


def run_ceremony(count: int = 3, quorum: int = 2) -> Ceremony:
    secrets = [b.new_guardian(i, count, quorum) for i in range(1, count + 1)]
    announcements = [b.announcement(g) for g in secrets]
    sent = {g.index: b.shares_for(g, announcements) for g in secrets}
    shares = [
        b.accept_shares(g, announcements, {i: sent[i][g.index] for i in sent if i != g.index})
        for g in secrets
    ]
    return Ceremony(secrets, announcements, shares)


def context(
    c: Ceremony, options: list[str] | None = None, vote_id: int = 7, quorum: int | None = None
) -> b.VoteContext:
    return b.vote_context(
        "test-province",
        3,
        vote_id,
        "Thông qua dự thảo nghị quyết?",
        options or OPTIONS,
        c.announcements,
        quorum if quorum is not None else c.secrets[0].quorum,
    )
