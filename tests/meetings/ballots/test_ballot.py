"""Ballots: honest ones pass; every forged, altered, replayed or malformed one is refused
with a BallotRejected (never another exception)."""

from __future__ import annotations

import copy
import json
import pickle
from collections.abc import Callable
from typing import Any

import pytest

from ecabinet.meetings import ballots as b
from ecabinet.meetings.ballots import group
from ecabinet.meetings.ballots.ballot import encrypt_plaintexts
from tests.meetings.ballots.helpers import Ceremony, context, run_ceremony


@pytest.fixture(scope="module")
def ceremony() -> Ceremony:
    return run_ceremony(3, 2)


@pytest.fixture(scope="module")
def ctx(ceremony: Ceremony) -> b.VoteContext:
    return context(ceremony)


@pytest.fixture(scope="module")
def ballot(ctx: b.VoteContext) -> dict[str, Any]:
    return b.encrypt_ballot(ctx, 1)


def _rejected(ctx: b.VoteContext, ballot: object) -> b.BallotRejected:
    with pytest.raises(b.BallotRejected) as caught:
        b.check_ballot(ctx, ballot)
    return caught.value


def test_honest_ballots_pass_with_a_stable_tracking_code(ctx: b.VoteContext) -> None:
    for choice in range(len(ctx.options)):
        ballot = b.encrypt_ballot(ctx, choice)
        checked = b.check_ballot(ctx, ballot)
        assert checked.ballot == ballot
        assert checked.tracking_code == b.tracking_code(ballot)
        assert len(checked.tracking_code) == 64
        again = b.check_ballot(ctx, json.loads(json.dumps(ballot)))
        assert again.tracking_code == checked.tracking_code
        assert len(checked.short_code) == 19 and checked.short_code.count("-") == 3


@pytest.mark.parametrize("count", [2, 5, 10])
def test_any_option_count_from_2_to_10(ceremony: Ceremony, count: int) -> None:
    ctx = context(ceremony, [f"Phương án {i}" for i in range(count)])
    b.check_ballot(ctx, b.encrypt_ballot(ctx, count - 1))
    with pytest.raises(b.BadInput):
        b.encrypt_ballot(ctx, count)


def test_context_outside_2_to_10_options_is_refused(ceremony: Ceremony) -> None:
    for options in (["Một"], [f"o{i}" for i in range(11)], ["a", ""], ["Có", "Có"]):
        with pytest.raises(b.BadInput):
            context(ceremony, options)


def _set(path: str, value: Any) -> Callable[[dict[str, Any]], None]:
    def mutate(ballot: dict[str, Any]) -> None:
        target: Any = ballot
        keys = [int(k) if k.isdigit() else k for k in path.split(".")]
        for k in keys[:-1]:
            target = target[k]
        target[keys[-1]] = value(target[keys[-1]]) if callable(value) else value

    return mutate


def _bump_scalar(hexed: str) -> str:
    return group.scalar_hex(int(hexed, 16) + 1)


def _other_point(hexed: str) -> str:
    return group.point_hex(group.add([group.parse_point(hexed), group.G]))


def _negate(hexed: str) -> str:
    return group.point_hex(group.neg(group.parse_point(hexed)))


FORGERIES = (
    {
        f"selections.{j}.{part}": _set(f"selections.{j}.{part}", change)
        for j in (0, 1, 2)
        for part, change in (("A", _other_point), ("B", _other_point), ("B", _negate))
    }
    | {
        f"selections.{j}.proof.{name}": _set(f"selections.{j}.proof.{name}", _bump_scalar)
        for j in (0, 1, 2)
        for name in ("c0", "c1", "v0", "v1")
    }
    | {
        "sum_proof.c": _set("sum_proof.c", _bump_scalar),
        "sum_proof.v": _set("sum_proof.v", _bump_scalar),
    }
)


@pytest.mark.parametrize("name", sorted(FORGERIES))
def test_every_altered_part_is_refused(
    ctx: b.VoteContext, ballot: dict[str, Any], name: str
) -> None:
    bad = copy.deepcopy(ballot)
    FORGERIES[name](bad)
    assert bad != ballot
    assert _rejected(ctx, bad).code == "ballot.bad_proof"


def test_swapped_challenges_and_swapped_selections_are_refused(
    ctx: b.VoteContext, ballot: dict[str, Any]
) -> None:
    bad = copy.deepcopy(ballot)
    p = bad["selections"][0]["proof"]
    p["c0"], p["c1"], p["v0"], p["v1"] = p["c1"], p["c0"], p["v1"], p["v0"]
    assert _rejected(ctx, bad).code == "ballot.bad_proof"
    bad = copy.deepcopy(ballot)
    bad["selections"][0], bad["selections"][1] = bad["selections"][1], bad["selections"][0]
    assert _rejected(ctx, bad).code == "ballot.bad_proof"


@pytest.mark.parametrize("plaintexts", [[1, 1, 0], [0, 0, 0], [1, 1, 1], [2, 0, 0], [0, 2, 0]])
def test_sums_other_than_one_are_refused_even_with_honest_range_proofs(
    ctx: b.VoteContext, plaintexts: list[int]
) -> None:
    bad = encrypt_plaintexts(ctx, plaintexts)
    error = _rejected(ctx, bad)
    assert error.code == "ballot.bad_proof"
    if all(m in (0, 1) for m in plaintexts):  # each range proof holds; only the sum fails
        assert error.details["where"] == "sum_proof"


def test_a_2_encrypted_with_a_sum_of_one_is_refused(ctx: b.VoteContext) -> None:
    """[2, -1, 0] sums to 1: only the range proofs can catch it."""
    bad = encrypt_plaintexts(ctx, [2, group.N - 1, 0])
    assert _rejected(ctx, bad).details["where"] == "selections[0]"


def test_a_ballot_from_another_vote_is_refused(ceremony: Ceremony) -> None:
    other = context(ceremony, vote_id=8)
    ctx = context(ceremony, vote_id=7)
    replayed = b.encrypt_ballot(other, 0)
    assert _rejected(ctx, replayed).code == "ballot.wrong_vote"
    # relabelled with this vote's context digest, its proofs still fail
    replayed["context"] = ctx.digest()
    assert _rejected(ctx, replayed).code == "ballot.bad_proof"


def test_a_ballot_for_other_options_or_guardians_is_refused(ceremony: Ceremony) -> None:
    ctx = context(ceremony)
    for other in (
        context(ceremony, ["Đồng ý", "Không đồng ý", "Khác"]),
        context(run_ceremony(3, 2)),
    ):
        ballot = b.encrypt_ballot(other, 0)
        ballot["context"] = ctx.digest()
        assert _rejected(ctx, ballot).code == "ballot.bad_proof"


MALFORMED: list[tuple[str, Callable[[dict[str, Any]], Any]]] = [
    ("not an object", lambda x: [x]),
    ("null", lambda x: None),
    ("string", lambda x: json.dumps(x)),
    ("extra field", lambda x: {**x, "voter": "a"}),
    ("missing field", lambda x: {k: v for k, v in x.items() if k != "sum_proof"}),
    ("context int", lambda x: {**x, "context": 1}),
    ("selections not list", lambda x: {**x, "selections": {}}),
    ("too few selections", lambda x: {**x, "selections": x["selections"][:2]}),
    ("too many", lambda x: {**x, "selections": x["selections"] + x["selections"][:1]}),
    ("selection not dict", lambda x: {**x, "selections": [1, 2, 3]}),
    ("A int", lambda x: _with(x, "A", 5)),
    ("A short", lambda x: _with(x, "A", "02ab")),
    ("A uppercase", lambda x: _with(x, "A", x["selections"][0]["A"].upper())),
    ("A uncompressed prefix", lambda x: _with(x, "A", "04" + x["selections"][0]["A"][2:])),
    ("A infinity", lambda x: _with(x, "A", "00")),
    ("A off curve", lambda x: _with(x, "A", "02" + "00" * 31 + "05")),
    ("A x too big", lambda x: _with(x, "A", "02" + "ff" * 32)),
    ("B not hex", lambda x: _with(x, "B", "zz" * 33)),
    ("proof missing part", lambda x: _with(x, "proof", {"c0": "00" * 32})),
    ("proof list", lambda x: _with(x, "proof", [])),
    ("scalar too big", lambda x: _with_proof(x, "c0", "ff" * 32)),
    ("scalar int", lambda x: _with_proof(x, "v1", 3)),
    ("sum proof str", lambda x: {**x, "sum_proof": "x"}),
    ("sum proof bad", lambda x: {**x, "sum_proof": {"c": "1", "v": "2"}}),
]


def _with(x: dict[str, Any], name: str, value: Any) -> dict[str, Any]:
    y = copy.deepcopy(x)
    y["selections"][0][name] = value
    return y


def _with_proof(x: dict[str, Any], name: str, value: Any) -> dict[str, Any]:
    y = copy.deepcopy(x)
    y["selections"][0]["proof"][name] = value
    return y


@pytest.mark.parametrize("name", [m[0] for m in MALFORMED])
def test_malformed_ballots_are_refused_cleanly(
    ctx: b.VoteContext, ballot: dict[str, Any], name: str
) -> None:
    bad = dict(MALFORMED)[name](ballot)
    error = _rejected(ctx, bad)
    assert error.code in {
        "ballot.malformed",
        "ballot.option_count",
        "ballot.bad_point",
        "ballot.wrong_vote",
    }
    assert error.vi and error.en


def test_a_context_whose_quorum_differs_from_the_ceremony_is_refused(ceremony: Ceremony) -> None:
    with pytest.raises(b.CeremonyError):
        context(ceremony, quorum=3)


def test_a_used_context_pickles_for_a_process_pool(ctx: b.VoteContext) -> None:
    b.check_ballot(ctx, b.encrypt_ballot(ctx, 0))
    again = pickle.loads(pickle.dumps(ctx))  # noqa: S301 (our own bytes)
    assert again == ctx and again.digest() == ctx.digest()


def test_context_json_round_trip_and_digest(ctx: b.VoteContext) -> None:
    assert b.VoteContext.from_json(ctx.to_json()) == ctx
    assert b.VoteContext.from_json(json.dumps(ctx.to_json())).digest() == ctx.digest()
    changed = ctx.to_json()
    changed["question"] += "?"
    assert b.VoteContext.from_json(changed).digest() != ctx.digest()
    for bad in ({**ctx.to_json(), "extra": 1}, {**ctx.to_json(), "meeting_id": "3"}, "[]"):
        with pytest.raises(b.BadInput):
            b.VoteContext.from_json(bad)
