"""The homomorphic tally and its threshold decryption by guardians.

Per option j the aggregate is (A_j, B_j) = Σ ballots' ciphertexts. Guardian l publishes
D_lj = x_l·A_j with a Chaum-Pedersen proof that log_G X_l = log_A_j D_lj. Any ``quorum``
of them give M_j = B_j - Σ λ_l·D_lj = t_j·G, and t_j is found by search up to the
number of ballots. Points at infinity (zero ballots, or colluding voters whose
randomness cancels) are written "00" and handled explicitly.
"""

from __future__ import annotations

from typing import Any

from ecabinet.meetings.ballots import errors, group
from ecabinet.meetings.ballots.ballot import parse_ballot, tracking_code
from ecabinet.meetings.ballots.ceremony import GuardianShare
from ecabinet.meetings.ballots.context import VoteContext, canonical_json

TAG_BALLOTS = "ecabinet/ballots/v1/ballots"
TAG_AGGREGATE = "ecabinet/ballots/v1/aggregate"
TAG_PARTIAL = "ecabinet/ballots/v1/partial"

AGGREGATE_FIELDS = frozenset({"context", "ballot_count", "ballots_digest", "selections"})
PARTIAL_FIELDS = frozenset({"guardian", "aggregate", "shares"})


def ballots_digest(codes: list[str]) -> str:
    """Tagged SHA-256 over the sorted tracking codes: which ballots the aggregate sums."""
    return group.hash_parts(TAG_BALLOTS, *(bytes.fromhex(c) for c in sorted(codes))).hex()


def aggregate(ctx: VoteContext, ballots: list[dict[str, Any]]) -> dict[str, Any]:
    """Component-wise sum of the ballots' ciphertexts, per option (anyone can compute it).
    The ballots must already have passed :func:`check_ballot`; shapes are re-checked here,
    proofs are not. Two equal ballots raise :class:`errors.BadInput`."""
    if not isinstance(ballots, list):
        raise errors.bad_input("ballots")
    columns: list[list[tuple[group.Point, group.Point]]] = [[] for _ in ctx.options]
    codes = []
    for ballot in ballots:
        normal, selections, _ = parse_ballot(ctx, ballot)
        codes.append(tracking_code(normal))
        for j, s in enumerate(selections):
            columns[j].append((s.a, s.b))
    if len(set(codes)) != len(codes):
        raise errors.bad_input("duplicate ballot")
    return {
        "context": ctx.digest(),
        "ballot_count": len(ballots),
        "ballots_digest": ballots_digest(codes),
        "selections": [
            {
                "A": group.point_hex(group.add(a for a, _ in column)),
                "B": group.point_hex(group.add(b for _, b in column)),
            }
            for column in columns
        ],
    }


def aggregate_digest(agg: dict[str, Any]) -> bytes:
    return group.hash_parts(TAG_AGGREGATE, canonical_json(agg))


def parse_aggregate(ctx: VoteContext, agg: object) -> list[tuple[group.Point, group.Point]]:
    """(A_j, B_j) per option; raises :class:`errors.BadInput` on a wrong shape."""
    if not isinstance(agg, dict) or set(agg) != AGGREGATE_FIELDS:
        raise errors.bad_input("aggregate: fields")
    if agg["context"] != ctx.digest():
        raise errors.bad_input("aggregate: another vote")
    if type(agg["ballot_count"]) is not int or agg["ballot_count"] < 0:
        raise errors.bad_input("aggregate.ballot_count")
    if not isinstance(agg["ballots_digest"], str) or len(agg["ballots_digest"]) != 64:
        raise errors.bad_input("aggregate.ballots_digest")
    selections = agg["selections"]
    if not isinstance(selections, list) or len(selections) != len(ctx.options):
        raise errors.bad_input("aggregate.selections")
    out = []
    for s in selections:
        if not isinstance(s, dict) or set(s) != {"A", "B"}:
            raise errors.bad_input("aggregate.selections")
        try:
            out.append(
                (
                    group.parse_point(s["A"], allow_infinity=True),
                    group.parse_point(s["B"], allow_infinity=True),
                )
            )
        except ValueError:
            raise errors.bad_input("aggregate.selections") from None
    return out


def _partial_challenge(
    ctx: VoteContext,
    agg_digest: bytes,
    index: int,
    j: int,
    x: group.Point,
    a: group.Point,
    d: group.Point,
    commit_g: group.Point,
    commit_a: group.Point,
) -> int:
    return group.challenge(
        TAG_PARTIAL, ctx.digest_bytes(), agg_digest, index, j, x, a, d, commit_g, commit_a
    )


def partial_decrypt(
    ctx: VoteContext, share: GuardianShare, aggregate: dict[str, Any], rng: group.Rng | None = None
) -> dict[str, Any]:
    """D_l = x_l·A per option, each with a Chaum-Pedersen proof (``null`` when A is the
    point at infinity, where D must be too)."""
    pairs = parse_aggregate(ctx, aggregate)
    if (
        share.joint_key != ctx.joint_key
        or ctx.verification_keys[share.index - 1] != share.verification_key
    ):
        raise errors.bad_input("guardian share: not this vote's key")
    digest = aggregate_digest(aggregate)
    x = group.parse_point(share.verification_key)
    shares: list[dict[str, Any]] = []
    for j, (a, _) in enumerate(pairs):
        if a is None:
            shares.append({"D": group.INFINITY_HEX, "proof": None})
            continue
        d = group.mul(share.secret, a)
        u = group.random_scalar(rng)
        c = _partial_challenge(
            ctx, digest, share.index, j, x, a, d, group.base_mul(u), group.mul(u, a)
        )
        v = (u - c * share.secret) % group.N
        shares.append(
            {"D": group.point_hex(d), "proof": {"c": group.scalar_hex(c), "v": group.scalar_hex(v)}}
        )
    return {"guardian": share.index, "aggregate": digest.hex(), "shares": shares}


def _parse_partial(
    ctx: VoteContext, index: int, aggregate: dict[str, Any], partial: object
) -> list[group.Point]:
    """The D_lj of a partial whose proofs hold; raises :class:`errors.PartialRejected`."""
    pairs = parse_aggregate(ctx, aggregate)
    if type(index) is not int or not 1 <= index <= ctx.guardian_count:
        raise errors.partial_rejected(index, "no such guardian")
    if not isinstance(partial, dict) or set(partial) != PARTIAL_FIELDS:
        raise errors.partial_rejected(index, "fields")
    if partial["guardian"] != index or type(partial["guardian"]) is not int:
        raise errors.partial_rejected(index, "another guardian's")
    digest = aggregate_digest(aggregate)
    if partial["aggregate"] != digest.hex():
        raise errors.partial_rejected(index, "another aggregate")
    shares = partial["shares"]
    if not isinstance(shares, list) or len(shares) != len(pairs):
        raise errors.partial_rejected(index, "share count")
    x = group.parse_point(ctx.verification_keys[index - 1])
    out: list[group.Point] = []
    for j, ((a, _), s) in enumerate(zip(pairs, shares, strict=True)):
        if not isinstance(s, dict) or set(s) != {"D", "proof"}:
            raise errors.partial_rejected(index, f"shares[{j}]: fields")
        if a is None:
            if s["D"] != group.INFINITY_HEX or s["proof"] is not None:
                raise errors.partial_rejected(index, f"shares[{j}]: must be the point at infinity")
            out.append(None)
            continue
        proof = s["proof"]
        try:
            d = group.parse_point(s["D"])
            if not isinstance(proof, dict) or set(proof) != {"c", "v"}:
                raise ValueError("proof fields")
            c, v = group.parse_scalar(proof["c"]), group.parse_scalar(proof["v"])
        except ValueError:
            raise errors.partial_rejected(index, f"shares[{j}]: malformed") from None
        commit_g = group.add([group.base_mul(v), group.mul(c, x)])
        commit_a = group.add([group.mul(v, a), group.mul(c, d)])
        if c != _partial_challenge(ctx, digest, index, j, x, a, d, commit_g, commit_a):
            raise errors.partial_rejected(index, f"shares[{j}]: proof fails")
        out.append(d)
    return out


def check_partial(
    ctx: VoteContext, index: int, aggregate: dict[str, Any], partial: dict[str, Any]
) -> None:
    """Raise :class:`errors.PartialRejected` unless ``partial`` is guardian ``index``'s
    correct partial decryption of ``aggregate``."""
    _parse_partial(ctx, index, aggregate, partial)


def lagrange_at_zero(indices: list[int], index: int) -> int:
    """λ_l = Π_{m≠l} m / (m - l) mod N."""
    num, den = 1, 1
    for m in indices:
        if m != index:
            num = num * m % group.N
            den = den * (m - index) % group.N
    return num * pow(den, -1, group.N) % group.N


def combine(
    ctx: VoteContext,
    aggregate: dict[str, Any],
    partials: dict[int, dict[str, Any]],
    ballots: int,
) -> list[int]:
    """The counts per option (``partials`` keyed by guardian index, int or decimal string).
    Every partial given is checked; the first ``quorum`` valid ones (by index) are used.
    Raises :class:`errors.NotEnoughPartials` when fewer than ``quorum`` are valid (the
    invalid ones are named in its details)."""
    pairs = parse_aggregate(ctx, aggregate)
    if type(ballots) is not int or ballots != aggregate["ballot_count"]:
        raise errors.bad_input("ballot count differs from the aggregate's")
    by_index = group.index_keys(partials)
    if by_index is None:
        raise errors.bad_input("partials")
    valid: dict[int, list[group.Point]] = {}
    invalid: dict[int, str] = {}
    for index, partial in sorted(by_index.items()):
        try:
            valid[index] = _parse_partial(ctx, index, aggregate, partial)
        except errors.PartialRejected as exc:
            invalid[index] = exc.en
    if len(valid) < ctx.quorum:
        error = errors.not_enough_partials(len(valid), ctx.quorum)
        error.details["invalid"] = {str(i): reason for i, reason in invalid.items()}
        raise error
    chosen = sorted(valid)[: ctx.quorum]
    lambdas = {i: lagrange_at_zero(chosen, i) for i in chosen}
    table: dict[bytes, int] = {}
    t_point: group.Point = None
    for t in range(ballots + 1):
        table[group.encode_point(t_point)] = t
        t_point = group.add([t_point, group.G])
    counts = []
    for j, (_, b) in enumerate(pairs):
        m = group.sub(b, group.lincomb((lambdas[i], valid[i][j]) for i in chosen))
        found = table.get(group.encode_point(m))
        if found is None:
            raise errors.BadInput(
                "tally.unsolvable",
                f"Không tìm được số phiếu của lựa chọn {j + 1} trong giới hạn số phiếu.",
                f"Option {j + 1}'s count is not within the number of ballots.",
                {"option": j},
            )
        counts.append(found)
    return counts
