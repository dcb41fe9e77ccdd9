"""The ballot box's pipeline, without sockets or a database: proofs are checked while an
earlier batch is being written (not after), and a forged ballot among a hundred is
refused alone while every other one reaches the transaction checked."""

from __future__ import annotations

import asyncio
import copy
import threading
import time
from typing import Any

import pytest

from ecabinet.core import errors, outbox
from ecabinet.meetings import ballots
from ecabinet.meetings.ballots.context import vote_context
from realtime import ballots as box_module
from realtime.ballots import BallotBox, Pending


@pytest.fixture(scope="module")
def ctx() -> ballots.VoteContext:
    keys = [ballots.new_guardian(i, 3, 2) for i in (1, 2, 3)]
    announced = [ballots.announcement(g) for g in keys]
    return vote_context("https://ecabinet.test", 1, 7, "Thông qua?", ["A", "B", "C"], announced, 2)


class Box(BallotBox):
    """The real box with its database steps replaced: the context is given, and a
    "transaction" records what it was handed and answers each checked ballot with its
    tracking code (as ``cast_many`` does)."""

    def __init__(self, ctx: ballots.VoteContext) -> None:
        super().__init__(None, lambda s, c: [], self._published)  # type: ignore[arg-type]
        self.ctx = ctx
        self.counted: list[list[Pending]] = []
        self.hold = threading.Event()
        self.hold.set()

    async def _published(self, messages: list[outbox.Outgoing]) -> None:
        return None

    def _context(self, meeting_id: int, vote_id: int) -> ballots.VoteContext | None:
        return self.ctx

    def _count(
        self, meeting_id: int, vote_id: int, group: list[Pending]
    ) -> tuple[list[dict[str, Any] | errors.DomainError], list[outbox.Outgoing]]:
        self.counted.append(list(group))
        assert self.hold.wait(30)
        out: list[dict[str, Any] | errors.DomainError] = []
        for p in group:
            assert p.checked is not None, "a ballot reached the transaction unchecked"
            if isinstance(p.checked, errors.DomainError):
                out.append(p.checked)
            else:
                out.append({"receipt": p.checked.tracking_code})
        return out, []


@pytest.fixture(params=["workers", "thread"])
def box(
    request: pytest.FixtureRequest, ctx: ballots.VoteContext, monkeypatch: pytest.MonkeyPatch
) -> Any:
    if request.param == "thread":  # a process allowed one core checks in a thread
        monkeypatch.setattr(box_module, "_cores", lambda: 1)
    else:
        monkeypatch.setattr(box_module, "_cores", lambda: 2)
    b = Box(ctx)
    b.warm()
    assert (b.pool is not None) == (request.param == "workers")
    yield b
    b.close()


async def _until(ok: Any, what: str) -> None:
    deadline = time.monotonic() + 30
    while not ok():
        assert time.monotonic() < deadline, what
        await asyncio.sleep(0.005)


def _cast(b: Box, ballot: Any) -> Any:
    return b.cast(1, 7, None, ("cookie", None), "127.0.0.1", ballot)


def test_a_forged_ballot_among_a_hundred_is_refused_alone(
    box: Box, ctx: ballots.VoteContext
) -> None:
    honest = [ballots.encrypt_ballot(ctx, i % 3) for i in range(100)]
    sent: list[Any] = list(honest)
    forged = copy.deepcopy(honest[37])
    sel = forged["selections"]
    sel[0]["B"], sel[1]["B"] = sel[1]["B"], sel[0]["B"]  # the choice changed, proofs kept
    sent[37] = forged
    sent[60] = {"selections": "x"}

    async def scenario() -> list[Any]:
        return await asyncio.gather(*(_cast(box, b) for b in sent), return_exceptions=True)

    answers = asyncio.run(scenario())
    assert isinstance(answers[37], ballots.BallotRejected)
    assert answers[37].code == "ballot.bad_proof"
    assert answers[37].vi and answers[37].en
    assert isinstance(answers[60], ballots.BallotRejected)
    assert answers[60].code.startswith("ballot.")
    for n, answer in enumerate(answers):
        if n not in (37, 60):
            assert answer == {"receipt": ballots.check_ballot(ctx, honest[n]).tracking_code}
    assert sum(len(g) for g in box.counted) == 100


def test_proofs_are_checked_while_a_batch_is_written(
    box: Box, ctx: ballots.VoteContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Ballots that arrive while the database is busy have their proofs checked by the
    time it is free: checking never waits for a transaction."""
    sent = [ballots.encrypt_ballot(ctx, i % 3) for i in range(80)]
    made: list[Pending] = []

    class Seen(Pending):
        def __init__(self, *args: Any) -> None:
            super().__init__(*args)
            made.append(self)

    monkeypatch.setattr(box_module, "Pending", Seen)

    async def scenario() -> list[Any]:
        box.hold.clear()  # the first transaction does not end until told
        first = asyncio.ensure_future(_cast(box, sent[0]))
        await _until(lambda: bool(box.counted), "the first ballot was not counted")
        rest = [asyncio.ensure_future(_cast(box, b)) for b in sent[1:]]
        await _until(
            lambda: all(p.checked is not None for p in made[1:]) and len(made) == len(sent),
            "proofs waited for the database",
        )
        assert len(box.counted) == 1  # still inside the first transaction
        box.hold.set()
        return await asyncio.gather(first, *rest)

    answers = asyncio.run(scenario())
    assert [a["receipt"] for a in answers] == [
        ballots.check_ballot(ctx, b).tracking_code for b in sent
    ]
    # the 79 waiting ones went in one transaction once the first one ended
    assert [len(g) for g in box.counted] == [1, 79]
