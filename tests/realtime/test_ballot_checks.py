"""The ballot box's proof checks: the same answers whether a batch is checked in this
process or in worker processes (checked ballots and refusals cross back intact)."""

from __future__ import annotations

import copy
import multiprocessing
from concurrent.futures import ProcessPoolExecutor

from ecabinet.core import errors
from ecabinet.meetings import ballots
from realtime.ballots import POOL_FROM, check_all


def test_a_batch_checked_in_workers_answers_as_in_process() -> None:
    keys = [ballots.new_guardian(i, 3, 2) for i in (1, 2, 3)]
    announced = [ballots.announcement(g) for g in keys]
    from ecabinet.meetings.ballots.context import vote_context

    ctx = vote_context("https://ecabinet.test", 1, 7, "Thông qua?", ["A", "B", "C"], announced, 2)
    batch: list[object] = [ballots.encrypt_ballot(ctx, i % 3) for i in range(POOL_FROM)]
    forged = copy.deepcopy(batch[5])
    assert isinstance(forged, dict)
    sel = forged["selections"]
    sel[0]["B"], sel[1]["B"] = sel[1]["B"], sel[0]["B"]
    batch[5] = forged
    batch[9] = {"selections": "x"}
    serial = check_all(ctx, batch, None)
    with ProcessPoolExecutor(2, mp_context=multiprocessing.get_context("spawn")) as pool:
        pooled = check_all(ctx, batch, pool)
    assert len(pooled) == len(batch)
    for one, other in zip(serial, pooled, strict=True):
        if isinstance(one, errors.DomainError):
            assert isinstance(other, ballots.BallotRejected)
            assert (other.code, other.vi, other.en) == (one.code, one.vi, one.en)
        else:
            assert isinstance(other, ballots.CheckedBallot)
            assert other.tracking_code == one.tracking_code
    assert [n for n, r in enumerate(pooled) if isinstance(r, errors.DomainError)] == [5, 9]
    assert pooled[5].code == "ballot.bad_proof"  # type: ignore[union-attr]
