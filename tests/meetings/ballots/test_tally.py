"""Homomorphic tally and threshold decryption: any quorum decrypts, fewer cannot, a
wrong partial decryption is refused."""

from __future__ import annotations

import copy
import itertools
import json
import os
from collections.abc import Callable
from typing import Any

import pytest

from ecabinet.meetings import ballots as b
from ecabinet.meetings.ballots import group
from tests.meetings.ballots.helpers import Ceremony, context, run_ceremony


@pytest.mark.parametrize(("count", "quorum"), [(3, 2), (3, 3), (4, 3), (1, 1)])
def test_round_trip_with_every_choice_and_every_quorum_subset(count: int, quorum: int) -> None:
    c = run_ceremony(count, quorum)
    ctx = context(c)
    choices = [0, 1, 1, 2, 2, 2, 0, 2]
    ballots = [b.encrypt_ballot(ctx, choice) for choice in choices]
    for ballot in ballots:
        b.check_ballot(ctx, ballot)
    agg = b.aggregate(ctx, ballots)
    partials = {s.index: b.partial_decrypt(ctx, s, agg) for s in c.shares}
    expected = [choices.count(j) for j in range(len(ctx.options))]
    for subset in itertools.combinations(sorted(partials), quorum):
        assert b.combine(ctx, agg, {i: partials[i] for i in subset}, len(ballots)) == expected
    assert b.combine(ctx, agg, partials, len(ballots)) == expected


def test_a_missing_guardian_within_the_quorum_still_yields_the_tally() -> None:
    c = run_ceremony(3, 2)
    ctx = context(c)
    ballots = [b.encrypt_ballot(ctx, j % 3) for j in range(10)]
    agg = b.aggregate(ctx, ballots)
    chair, secretary = c.shares[0], c.shares[1]  # member 3's tablet is dead
    partials = {s.index: b.partial_decrypt(ctx, s, agg) for s in (chair, secretary)}
    assert b.combine(ctx, agg, partials, 10) == [4, 3, 3]


def test_fewer_than_quorum_is_refused() -> None:
    c = run_ceremony(3, 2)
    ctx = context(c)
    agg = b.aggregate(ctx, [b.encrypt_ballot(ctx, 0)])
    one = {1: b.partial_decrypt(ctx, c.shares[0], agg)}
    with pytest.raises(b.NotEnoughPartials):
        b.combine(ctx, agg, one, 1)
    with pytest.raises(b.NotEnoughPartials):
        b.combine(ctx, agg, {}, 1)


def test_zero_ballots_and_cancelling_randomness_decrypt() -> None:
    c = run_ceremony(3, 2)
    ctx = context(c)
    agg = b.aggregate(ctx, [])
    assert all(s == {"A": "00", "B": "00"} for s in agg["selections"])
    partials = {s.index: b.partial_decrypt(ctx, s, agg) for s in c.shares[:2]}
    assert b.combine(ctx, agg, partials, 0) == [0, 0, 0]
    # two colluding voters choose opposite randomness for option 0: A sums to infinity
    r = group.random_scalar()
    ballots = [
        b.encrypt_ballot(ctx, 0, rng=_first(group.scalar_bytes(r))),
        b.encrypt_ballot(ctx, 1, rng=_first(group.scalar_bytes(group.N - r))),
    ]
    agg = b.aggregate(ctx, ballots)
    assert agg["selections"][0]["A"] == "00"
    partials = {s.index: b.partial_decrypt(ctx, s, agg) for s in c.shares[1:]}
    assert partials[2]["shares"][0] == {"D": "00", "proof": None}
    assert b.combine(ctx, agg, partials, 2) == [1, 1, 0]


def _first(value: bytes) -> Callable[[int], bytes]:
    """An rng that returns ``value`` first, then real randomness."""
    queue = [value]

    def rng(n: int) -> bytes:
        return queue.pop() if queue else os.urandom(n)

    return rng


def _wrong_partials(ctx: b.VoteContext, c: Ceremony, agg: dict[str, Any]) -> list[dict[str, Any]]:
    honest = b.partial_decrypt(ctx, c.shares[1], agg)
    out = []
    # a wrong D with the proof of the right one
    bad = copy.deepcopy(honest)
    bad["shares"][0]["D"] = group.point_hex(
        group.add([group.parse_point(bad["shares"][0]["D"]), group.G])
    )
    out.append(bad)
    # a D made with another secret, proven honestly for that secret
    liar = b.GuardianShare(
        2, 3, 2, c.shares[1].secret + 1, ctx.joint_key, c.shares[1].verification_key
    )
    out.append(b.partial_decrypt(ctx, liar, agg))
    for name in ("c", "v"):
        bad = copy.deepcopy(honest)
        proof = bad["shares"][1]["proof"]
        proof[name] = group.scalar_hex(int(proof[name], 16) + 1)
        out.append(bad)
    bad = copy.deepcopy(honest)
    bad["guardian"] = 3
    out.append(bad)
    bad = copy.deepcopy(honest)
    bad["aggregate"] = "00" * 32
    out.append(bad)
    out.append({**honest, "shares": honest["shares"][:2]})
    out.append({**honest, "shares": "x"})
    out.append({"guardian": 2})
    return out


def test_a_wrong_partial_decryption_is_refused() -> None:
    c = run_ceremony(3, 2)
    ctx = context(c)
    ballots = [b.encrypt_ballot(ctx, j % 3) for j in range(4)]
    agg = b.aggregate(ctx, ballots)
    b.check_partial(ctx, 2, agg, b.partial_decrypt(ctx, c.shares[1], agg))
    for bad in _wrong_partials(ctx, c, agg):
        with pytest.raises(b.PartialRejected):
            b.check_partial(ctx, 2, agg, bad)
        good = b.partial_decrypt(ctx, c.shares[0], agg)
        with pytest.raises(b.NotEnoughPartials) as caught:
            b.combine(ctx, agg, {1: good, 2: bad}, 4)
        assert "2" in caught.value.details["invalid"]
    # a valid partial of one aggregate does not pass for another
    other = b.aggregate(ctx, ballots[:3])
    with pytest.raises(b.PartialRejected):
        b.check_partial(ctx, 2, other, b.partial_decrypt(ctx, c.shares[1], agg))


def test_an_invalid_partial_among_enough_valid_ones_is_skipped() -> None:
    c = run_ceremony(3, 2)
    ctx = context(c)
    ballots = [b.encrypt_ballot(ctx, 1), b.encrypt_ballot(ctx, 2)]
    agg = b.aggregate(ctx, ballots)
    partials = {s.index: b.partial_decrypt(ctx, s, agg) for s in c.shares}
    partials[1] = _wrong_partials(ctx, c, agg)[0] | {"guardian": 1}
    assert b.combine(ctx, agg, partials, 2) == [0, 1, 1]


def test_aggregate_refuses_duplicates_and_a_wrong_ballot_count() -> None:
    c = run_ceremony(3, 2)
    ctx = context(c)
    one = b.encrypt_ballot(ctx, 0)
    with pytest.raises(b.BadInput):
        b.aggregate(ctx, [one, one])
    agg = b.aggregate(ctx, [one])
    partials = {s.index: b.partial_decrypt(ctx, s, agg) for s in c.shares[:2]}
    with pytest.raises(b.BadInput):
        b.combine(ctx, agg, partials, 2)


def test_a_share_of_another_ceremony_cannot_decrypt() -> None:
    c = run_ceremony(3, 2)
    ctx = context(c)
    agg = b.aggregate(ctx, [b.encrypt_ballot(ctx, 0)])
    stranger = run_ceremony(3, 2).shares[0]
    with pytest.raises(b.BadInput):
        b.partial_decrypt(ctx, stranger, agg)


def test_partials_and_shares_keyed_by_json_strings_are_accepted() -> None:
    secrets = [b.new_guardian(i, 3, 2) for i in (1, 2, 3)]
    announcements = [b.announcement(g) for g in secrets]
    sent = {g.index: b.shares_for(g, announcements) for g in secrets}
    as_json = json.loads(json.dumps({i: sent[i][1] for i in (2, 3)}))
    share = b.accept_shares(secrets[0], announcements, as_json)
    ctx = b.vote_context("t", 1, 1, "Q", ["A", "B"], announcements, 2)
    agg = b.aggregate(ctx, [b.encrypt_ballot(ctx, 1)])
    other = b.accept_shares(secrets[1], announcements, {1: sent[1][2], 3: sent[3][2]})
    partials = json.loads(
        json.dumps({1: b.partial_decrypt(ctx, share, agg), 2: b.partial_decrypt(ctx, other, agg)})
    )
    assert b.combine(ctx, agg, partials, 1) == [0, 1]
    with pytest.raises(b.BadInput):
        b.combine(ctx, agg, {"one": partials["1"]}, 1)  # type: ignore[dict-item]
