"""The group: secp256k1 through coincurve (libsecp256k1), SHA-256 challenges.

A point is a :class:`coincurve.PublicKey`, or ``None`` for the point at infinity, which
libsecp256k1 cannot represent; every helper here handles ``None`` explicitly. Scalars are
Python ints taken mod ``N``. No arithmetic on coordinates is done here: multiplication and
addition come from libsecp256k1; negation flips the SEC1 parity byte (y -> p - y).
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Iterable

from coincurve import PublicKey

N = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141
"""Order of secp256k1's generator (prime; the curve has no cofactor)."""

Point = PublicKey | None
"""A group element; ``None`` is the point at infinity."""

Rng = Callable[[int], bytes]
"""A source of random bytes, like :func:`os.urandom` (tests pass a seeded one)."""

INFINITY_HEX = "00"
"""SEC1 encoding of the point at infinity (allowed only in aggregates and partials)."""

_ONE = (1).to_bytes(32, "big")
G: PublicKey = PublicKey.from_secret(_ONE)
"""The generator."""


def scalar_bytes(s: int) -> bytes:
    return (s % N).to_bytes(32, "big")


def random_scalar(rng: Rng | None = None) -> int:
    """A uniform scalar in [1, N-1] (rejection sampling of 32 random bytes)."""
    source = rng or os.urandom
    while True:
        s = int.from_bytes(source(32), "big")
        if 0 < s < N:
            return s


def base_mul(s: int) -> Point:
    """s·G (libsecp256k1's precomputed-table path)."""
    s %= N
    if s == 0:
        return None
    return PublicKey.from_secret(s.to_bytes(32, "big"))


def mul(s: int, p: Point) -> Point:
    """s·P."""
    s %= N
    if s == 0 or p is None:
        return None
    return p.multiply(s.to_bytes(32, "big"))


def add(points: Iterable[Point]) -> Point:
    """The sum of points (None when it is the point at infinity)."""
    present = [p for p in points if p is not None]
    if not present:
        return None
    if len(present) == 1:
        return present[0]
    try:
        return PublicKey.combine_keys(present)
    except ValueError:  # the sum is the point at infinity
        return None


def neg(p: Point) -> Point:
    if p is None:
        return None
    raw = p.format(compressed=True)
    return PublicKey(bytes([raw[0] ^ 1]) + raw[1:])


def sub(p: Point, q: Point) -> Point:
    return add([p, neg(q)])


def lincomb(terms: Iterable[tuple[int, Point]]) -> Point:
    """Σ s_i·P_i."""
    return add(mul(s, p) for s, p in terms)


def equal(p: Point, q: Point) -> bool:
    if p is None or q is None:
        return p is None and q is None
    return p.format(compressed=True) == q.format(compressed=True)


def encode_point(p: Point) -> bytes:
    return b"\x00" if p is None else p.format(compressed=True)


def point_hex(p: Point) -> str:
    return encode_point(p).hex()


def scalar_hex(s: int) -> str:
    return scalar_bytes(s).hex()


_HEX = frozenset("0123456789abcdef")


def parse_point(value: object, *, allow_infinity: bool = False) -> Point:
    """A point from its lowercase-hex compressed SEC1 form; raises ValueError if invalid."""
    if not isinstance(value, str):
        raise ValueError("not a string")
    if allow_infinity and value == INFINITY_HEX:
        return None
    if len(value) != 66 or not _HEX.issuperset(value) or value[:2] not in ("02", "03"):
        raise ValueError("not a 33-byte compressed point in lowercase hex")
    raw = bytes.fromhex(value)
    p = PublicKey(raw)  # libsecp256k1 checks x < p and that the point is on the curve
    if p.format(compressed=True) != raw:
        raise ValueError("non-canonical point encoding")
    return p


def parse_scalar(value: object) -> int:
    """A scalar from 64 lowercase hex digits, < N; raises ValueError otherwise."""
    if not isinstance(value, str) or len(value) != 64 or not _HEX.issuperset(value):
        raise ValueError("not a 32-byte scalar in lowercase hex")
    s = int(value, 16)
    if s >= N:
        raise ValueError("scalar not below the group order")
    return s


def index_keys(mapping: object) -> dict[int, object] | None:
    """A dict keyed by guardian index, accepting JSON's string keys ("2") as well as ints;
    None when it is not a dict or a key is neither."""
    if not isinstance(mapping, dict):
        return None
    out: dict[int, object] = {}
    for key, value in mapping.items():
        if isinstance(key, str) and key.isdecimal() and len(key) <= 3:
            key = int(key)
        if type(key) is not int:
            return None
        out[key] = value
    return out


Part = bytes | str | int | PublicKey | None


def _part_bytes(part: Part) -> bytes:
    if isinstance(part, bytes):
        return part
    if isinstance(part, str):
        return part.encode("utf-8")
    if isinstance(part, bool):
        raise TypeError("bool is not a hash part")
    if isinstance(part, int):
        return part.to_bytes(32, "big")  # indices and scalars alike: 32 bytes big-endian
    return encode_point(part)


def hash_parts(tag: str, *parts: Part) -> bytes:
    """SHA-256 over the tag then each part, every item prefixed by its 4-byte length."""
    h = hashlib.sha256()
    for item in (tag.encode("utf-8"), *(_part_bytes(p) for p in parts)):
        h.update(len(item).to_bytes(4, "big"))
        h.update(item)
    return h.digest()


def challenge(tag: str, *parts: Part) -> int:
    """A Fiat-Shamir challenge: :func:`hash_parts` read big-endian, mod N."""
    return int.from_bytes(hash_parts(tag, *parts), "big") % N
