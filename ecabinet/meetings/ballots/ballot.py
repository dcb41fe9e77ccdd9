"""Encrypted ballots: one exponential-ElGamal ciphertext per option, each with a
disjunctive Chaum-Pedersen proof that it holds 0 or 1, and a proof that they sum to 1.

Enc(m; r) = (A = r·G, B = m·G + r·K). Proof responses are v = u - c·r mod N, so a
verifier recomputes each commitment as v·G + c·A (and v·K + c·(B - m·G)).
"""

from __future__ import annotations

import base64
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from coincurve import PublicKey

from ecabinet.meetings.ballots import errors, group
from ecabinet.meetings.ballots.context import VoteContext, canonical_json

TAG_SELECTION = "ecabinet/ballots/v1/selection"
TAG_SUM = "ecabinet/ballots/v1/sum"
TAG_TRACKING = "ecabinet/ballots/v1/tracking"

BALLOT_FIELDS = frozenset({"context", "selections", "sum_proof"})
SELECTION_FIELDS = frozenset({"A", "B", "proof"})
RANGE_PROOF_FIELDS = frozenset({"c0", "c1", "v0", "v1"})
SUM_PROOF_FIELDS = frozenset({"c", "v"})


@dataclass(frozen=True)
class CheckedBallot:
    """A ballot whose shape and proofs hold."""

    ballot: dict[str, Any]
    """The ballot, normalised (exactly the fields of the format)."""
    tracking_code: str
    """SHA-256 (tagged) of the canonical ballot, 64 hex digits."""
    short_code: str
    """The first 80 bits in base32, four groups of four (what a voter reads)."""


@dataclass(frozen=True)
class Selection:
    a: PublicKey
    b: PublicKey
    proof: tuple[int, int, int, int]
    """c0, c1, v0, v1."""


def _selection_challenge(
    digest: bytes, j: int, a: group.Point, b: group.Point, commitments: Sequence[group.Point]
) -> int:
    return group.challenge(TAG_SELECTION, digest, j, a, b, *commitments)


def _sum_challenge(
    digest: bytes,
    selections: Sequence[tuple[group.Point, group.Point]],
    a: group.Point,
    b: group.Point,
) -> int:
    flat = [p for pair in selections for p in pair]
    return group.challenge(TAG_SUM, digest, len(selections), *flat, a, b)


def encrypt_ballot(ctx: VoteContext, choice: int, rng: group.Rng | None = None) -> dict[str, Any]:
    """The ballot a tablet sends for option ``choice`` (0-based)."""
    if type(choice) is not int or not 0 <= choice < len(ctx.options):
        raise errors.bad_input("choice")
    return encrypt_plaintexts(ctx, [int(j == choice) for j in range(len(ctx.options))], rng)


def encrypt_plaintexts(
    ctx: VoteContext, plaintexts: Sequence[int], rng: group.Rng | None = None
) -> dict[str, Any]:
    """Encrypt each plaintext with a range proof (simulating the 1 branch when a
    plaintext is neither 0 nor 1) and a sum proof for the true randomness. Only
    :func:`encrypt_ballot` makes valid ballots; tests use this to build ballots that look
    honest but break a rule."""
    digest = ctx.digest_bytes()
    k = ctx.joint_point()
    selections = []
    pairs: list[tuple[group.Point, group.Point]] = []
    total_r = 0
    for j, m in enumerate(plaintexts):
        while True:
            r = group.random_scalar(rng)
            a = group.base_mul(r)
            b = group.add([group.base_mul(m), group.mul(r, k)])
            if b is not None:
                break
        proof = _range_proof(digest, j, k, a, b, m, r, rng)
        selections.append(
            {
                "A": group.point_hex(a),
                "B": group.point_hex(b),
                "proof": {
                    name: group.scalar_hex(x)
                    for name, x in zip(("c0", "c1", "v0", "v1"), proof, strict=True)
                },
            }
        )
        pairs.append((a, b))
        total_r = (total_r + r) % group.N
    u = group.random_scalar(rng)
    c = _sum_challenge(digest, pairs, group.base_mul(u), group.mul(u, k))
    return {
        "context": digest.hex(),
        "selections": selections,
        "sum_proof": {"c": group.scalar_hex(c), "v": group.scalar_hex(u - c * total_r)},
    }


def _range_proof(
    digest: bytes,
    j: int,
    k: group.Point,
    a: group.Point,
    b: group.Point,
    m: int,
    r: int,
    rng: group.Rng | None,
) -> tuple[int, int, int, int]:
    """CDS disjunction: the real branch m is proven, the other one simulated."""
    other = 1 - m if m in (0, 1) else 1
    u = group.random_scalar(rng)
    c_sim, v_sim = group.random_scalar(rng), group.random_scalar(rng)
    sim = (
        group.add([group.base_mul(v_sim), group.mul(c_sim, a)]),
        group.add([group.mul(v_sim, k), group.mul(c_sim, group.sub(b, group.base_mul(other)))]),
    )
    real = (group.base_mul(u), group.mul(u, k))
    commitments = (*real, *sim) if m == 0 else (*sim, *real)
    c = _selection_challenge(digest, j, a, b, commitments)
    c_real = (c - c_sim) % group.N
    v_real = (u - c_real * r) % group.N
    if m == 0:
        return c_real, c_sim, v_real, v_sim
    return c_sim, c_real, v_sim, v_real


def tracking_code(ballot: dict[str, Any]) -> str:
    """SHA-256 (tagged) of the canonical JSON of a (normalised) ballot, hex."""
    return group.hash_parts(TAG_TRACKING, canonical_json(ballot)).hex()


def short_code(tracking: str) -> str:
    """What a voter reads: the first 80 bits in base32, as ``ABCD-EFGH-IJKL-MNOP``."""
    text = base64.b32encode(bytes.fromhex(tracking)[:10]).decode("ascii")
    return "-".join(text[i : i + 4] for i in range(0, 16, 4))


def parse_ballot(
    ctx: VoteContext, ballot: object
) -> tuple[dict[str, Any], list[Selection], tuple[int, int]]:
    """Shape and point checks only (no proofs): normalised ballot, selections, sum proof."""
    if not isinstance(ballot, dict) or set(ballot) != BALLOT_FIELDS:
        raise errors.ballot_malformed("fields")
    if not isinstance(ballot["context"], str) or len(ballot["context"]) != 64:
        raise errors.ballot_malformed("context")
    if ballot["context"] != ctx.digest():
        raise errors.ballot_wrong_vote()
    raw = ballot["selections"]
    if not isinstance(raw, list):
        raise errors.ballot_malformed("selections")
    if len(raw) != len(ctx.options):
        raise errors.ballot_option_count(len(ctx.options), len(raw))
    selections = []
    for j, s in enumerate(raw):
        where = f"selections[{j}]"
        if not isinstance(s, dict) or set(s) != SELECTION_FIELDS:
            raise errors.ballot_malformed(where)
        proof = s["proof"]
        if not isinstance(proof, dict) or set(proof) != RANGE_PROOF_FIELDS:
            raise errors.ballot_malformed(f"{where}.proof")
        try:
            scalars = tuple(group.parse_scalar(proof[n]) for n in ("c0", "c1", "v0", "v1"))
        except ValueError:
            raise errors.ballot_malformed(f"{where}.proof") from None
        points = []
        for name in ("A", "B"):
            try:
                points.append(group.parse_point(s[name]))
            except ValueError:
                raise errors.ballot_bad_point(f"{where}.{name}") from None
        a, b = points
        assert a is not None and b is not None
        selections.append(Selection(a, b, (scalars[0], scalars[1], scalars[2], scalars[3])))
    sp = ballot["sum_proof"]
    if not isinstance(sp, dict) or set(sp) != SUM_PROOF_FIELDS:
        raise errors.ballot_malformed("sum_proof")
    try:
        sum_proof = (group.parse_scalar(sp["c"]), group.parse_scalar(sp["v"]))
    except ValueError:
        raise errors.ballot_malformed("sum_proof") from None
    normal = {
        "context": ballot["context"],
        "selections": [{"A": s["A"], "B": s["B"], "proof": dict(s["proof"])} for s in raw],
        "sum_proof": dict(sp),
    }
    return normal, selections, sum_proof


def check_ballot(ctx: VoteContext, ballot: object) -> CheckedBallot:
    """Check shape, points and every proof; raises :class:`errors.BallotRejected`."""
    normal, selections, (c, v) = parse_ballot(ctx, ballot)
    digest = ctx.digest_bytes()
    k = ctx.joint_point()
    for j, s in enumerate(selections):
        c0, c1, v0, v1 = s.proof
        commitments = (
            group.add([group.base_mul(v0), group.mul(c0, s.a)]),
            group.add([group.mul(v0, k), group.mul(c0, s.b)]),
            group.add([group.base_mul(v1), group.mul(c1, s.a)]),
            group.add([group.mul(v1, k), group.mul(c1, group.sub(s.b, group.G))]),
        )
        if (c0 + c1) % group.N != _selection_challenge(digest, j, s.a, s.b, commitments):
            raise errors.ballot_bad_proof(f"selections[{j}]")
    a_sum = group.add(s.a for s in selections)
    b_sum = group.add(s.b for s in selections)
    pairs = [(s.a, s.b) for s in selections]
    a = group.add([group.base_mul(v), group.mul(c, a_sum)])
    b = group.add([group.mul(v, k), group.mul(c, group.sub(b_sum, group.G))])
    if c != _sum_challenge(digest, pairs, a, b):
        raise errors.ballot_bad_proof("sum_proof")
    code = tracking_code(normal)
    return CheckedBallot(normal, code, short_code(code))
