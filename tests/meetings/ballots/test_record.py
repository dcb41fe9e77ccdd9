"""The election record verifies from scratch; tampering with any field is found and named."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from ecabinet.meetings import ballots as b
from ecabinet.meetings.ballots import group
from tests.meetings.ballots.helpers import Ceremony, context, run_ceremony

CHOICES = [0, 1, 1, 2, 0, 0]


@pytest.fixture(scope="module")
def made() -> tuple[Ceremony, b.VoteContext, bytes, list[dict[str, Any]]]:
    c = run_ceremony(3, 2)
    ctx = context(c)
    ballots = [b.encrypt_ballot(ctx, choice) for choice in CHOICES]
    agg = b.aggregate(ctx, ballots)
    partials = {s.index: b.partial_decrypt(ctx, s, agg) for s in c.shares[:2]}
    counts = b.combine(ctx, agg, partials, len(ballots))
    return c, ctx, b.build_record(ctx, c.announcements, ballots, agg, partials, counts), ballots


def test_an_honest_record_verifies(made: Any) -> None:
    _, _, record, ballots = made
    report = b.verify_record(record)
    assert report.problems == []
    assert report.ok
    assert report.counts == [3, 2, 1]
    assert sorted(report.tracking_codes) == sorted(b.tracking_code(x) for x in ballots)
    assert b.record_hash(record) == __import__("hashlib").sha256(record).hexdigest()


def _canonical(d: dict[str, Any]) -> bytes:
    return b.canonical_json(d) + b"\n"


def _bump(hexed: str) -> str:
    return group.scalar_hex(int(hexed, 16) + 1)


def _point_plus_g(hexed: str) -> str:
    return group.point_hex(group.add([group.parse_point(hexed, allow_infinity=True), group.G]))


Tamper = Callable[[dict[str, Any], Any], None]


def _add_ballot(d: dict[str, Any], made: Any) -> None:
    ctx = made[1]
    fresh = b.encrypt_ballot(ctx, 0)
    d["ballots"].append({"tracking_code": b.tracking_code(fresh), "ballot": fresh})
    d["ballots"].sort(key=lambda e: e["tracking_code"])


def _remove_and_reaggregate(d: dict[str, Any], made: Any) -> None:
    ctx = made[1]
    d["ballots"].pop(0)
    d["aggregate"] = b.aggregate(ctx, [e["ballot"] for e in d["ballots"]])


TAMPERS: dict[str, tuple[Tamper, str]] = {
    "context question": (
        lambda d, m: d["context"].__setitem__("question", "Khác?"),
        "ballots[0].ballot",
    ),
    "context option": (
        lambda d, m: d["context"]["options"].__setitem__(0, "Có"),
        "ballots[0].ballot",
    ),
    "context quorum": (lambda d, m: d["context"].__setitem__("quorum", 1), "announcements[0]"),
    "context joint key": (
        lambda d, m: d["context"].__setitem__(
            "joint_key", _point_plus_g(d["context"]["joint_key"])
        ),
        "context.joint_key",
    ),
    "context shape": (lambda d, m: d["context"].pop("vote_id"), "context"),
    "announcement commitment": (
        lambda d, m: d["announcements"][1]["commitments"].__setitem__(
            0, _point_plus_g(d["announcements"][1]["commitments"][0])
        ),
        "announcements[1]",
    ),
    "announcement aux key": (
        lambda d, m: d["announcements"][2].__setitem__("aux_key", d["announcements"][1]["aux_key"]),
        "context.ceremony",
    ),
    "announcement removed": (lambda d, m: d["announcements"].pop(), "announcements"),
    "ballot A": (
        lambda d, m: d["ballots"][2]["ballot"]["selections"][0].__setitem__(
            "A", _point_plus_g(d["ballots"][2]["ballot"]["selections"][0]["A"])
        ),
        "ballots[2].ballot",
    ),
    "ballot proof": (
        lambda d, m: d["ballots"][3]["ballot"]["sum_proof"].__setitem__(
            "v", _bump(d["ballots"][3]["ballot"]["sum_proof"]["v"])
        ),
        "ballots[3].ballot",
    ),
    "tracking code": (
        lambda d, m: d["ballots"][1].__setitem__("tracking_code", "00" * 32),
        "ballots[1].tracking_code",
    ),
    "ballot removed": (lambda d, m: d["ballots"].pop(4), "aggregate.ballot_count"),
    "ballot added": (_add_ballot, "aggregate.ballot_count"),
    "ballot duplicated": (lambda d, m: d["ballots"].insert(1, d["ballots"][0]), "ballots[1]"),
    "ballot removed and aggregate recomputed": (_remove_and_reaggregate, "partials[0]"),
    "ballots out of order": (lambda d, m: d["ballots"].reverse(), "ballots[1]"),
    "aggregate A": (
        lambda d, m: d["aggregate"]["selections"][1].__setitem__(
            "A", _point_plus_g(d["aggregate"]["selections"][1]["A"])
        ),
        "aggregate.selections[1].A",
    ),
    "aggregate B": (
        lambda d, m: d["aggregate"]["selections"][2].__setitem__(
            "B", _point_plus_g(d["aggregate"]["selections"][2]["B"])
        ),
        "aggregate.selections[2].B",
    ),
    "aggregate count": (
        lambda d, m: d["aggregate"].__setitem__("ballot_count", 7),
        "aggregate.ballot_count",
    ),
    "partial D": (
        lambda d, m: d["partials"][1]["shares"][0].__setitem__(
            "D", _point_plus_g(d["partials"][1]["shares"][0]["D"])
        ),
        "partials[1]",
    ),
    "partial proof": (
        lambda d, m: d["partials"][0]["shares"][2]["proof"].__setitem__(
            "c", _bump(d["partials"][0]["shares"][2]["proof"]["c"])
        ),
        "partials[0]",
    ),
    "partial removed": (lambda d, m: d["partials"].pop(), "partials"),
    "partial duplicated": (lambda d, m: d["partials"].append(d["partials"][0]), "partials[2]"),
    "count changed": (lambda d, m: d["counts"].__setitem__(1, 3), "counts[1]"),
    "counts swapped": (lambda d, m: d["counts"].reverse(), "counts[0]"),
    "count removed": (lambda d, m: d["counts"].pop(), "counts"),
    "version": (lambda d, m: d.__setitem__("version", "x"), "version"),
    "extra field": (lambda d, m: d.__setitem__("voters", ["a"]), ""),
}


@pytest.mark.parametrize("name", sorted(TAMPERS))
def test_tampering_with_each_field_is_found_and_named(made: Any, name: str) -> None:
    tamper, path = TAMPERS[name]
    d = json.loads(made[2])
    tamper(d, made)
    report = b.verify_record(_canonical(d))
    assert not report.ok
    assert path in [p for p, _ in report.problems], report.problems


def test_a_record_not_in_canonical_form_or_not_json_fails(made: Any) -> None:
    record = made[2]
    pretty = json.dumps(json.loads(record), indent=1).encode()
    report = b.verify_record(pretty)
    assert report.problems == [("", "not in canonical form")]
    for junk in (b"", b"[]", b"\xff\xfe", b"{}", b'{"version": 1}'):
        assert not b.verify_record(junk).ok


def test_a_huge_aggregate_count_is_reported_without_searching_for_it(made: Any) -> None:
    d = json.loads(made[2])
    d["aggregate"]["ballot_count"] = 10**15  # a search up to this would never end
    report = b.verify_record(_canonical(d))
    paths = [p for p, _ in report.problems]
    assert "aggregate.ballot_count" in paths and "counts" in paths


def test_nan_and_deep_nesting_are_reported_not_raised(made: Any) -> None:
    text = made[2].decode().replace('"counts":[3,2,1]', '"counts":[NaN,2,1]')
    assert "NaN" in text
    report = b.verify_record(text.encode())
    assert not report.ok and report.problems[0][0] == ""
    deep = b"[" * 100_000 + b"]" * 100_000
    assert not b.verify_record(deep).ok
