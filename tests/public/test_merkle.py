"""The publication log's Merkle tree against RFC 6962 §2.1 written out here from the RFC's
definitions (recursive MTH, PATH and PROOF over the list of entries), for every tree up to
40 leaves; tampered proofs fail."""

from __future__ import annotations

import hashlib

import pytest

from documents import merkle

N = 40


def _h(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


def mth(d: list[bytes]) -> bytes:
    n = len(d)
    if n == 0:
        return _h(b"")
    if n == 1:
        return _h(b"\x00" + d[0])
    k = 1
    while k * 2 < n:
        k *= 2
    return _h(b"\x01" + mth(d[:k]) + mth(d[k:]))


def path(m: int, d: list[bytes]) -> list[bytes]:
    n = len(d)
    if n == 1:
        return []
    k = 1
    while k * 2 < n:
        k *= 2
    if m < k:
        return [*path(m, d[:k]), mth(d[k:])]
    return [*path(m - k, d[k:]), mth(d[:k])]


def subproof(m: int, d: list[bytes], b: bool) -> list[bytes]:
    n = len(d)
    if m == n:
        return [] if b else [mth(d)]
    k = 1
    while k * 2 < n:
        k *= 2
    if m <= k:
        return [*subproof(m, d[:k], b), mth(d[k:])]
    return [*subproof(m - k, d[k:], False), mth(d[:k])]


def proof(m: int, d: list[bytes]) -> list[bytes]:
    return subproof(m, d, True) if 0 < m < len(d) else []


ENTRIES = [f"công khai văn bản {i}".encode() for i in range(N)]


@pytest.fixture(scope="module")
def tree() -> merkle.Levels:
    levels = merkle.Levels()
    for e in ENTRIES:
        levels.append(merkle.leaf_hash(e))
    return levels


def test_roots_paths_and_proofs_match_the_rfc(tree: merkle.Levels) -> None:
    assert merkle.root(tree, 0) == _h(b"")
    for n in range(1, N + 1):
        d = ENTRIES[:n]
        assert merkle.root(tree, n) == mth(d), n
        for m in range(n):
            p = merkle.inclusion_path(tree, m, n)
            assert p == path(m, d), (m, n)
            assert merkle.verify_inclusion(merkle.leaf_hash(d[m]), m, n, p, mth(d))
        for m in range(0, n + 1):
            c = merkle.consistency_proof(tree, m, n)
            assert c == proof(m, d), (m, n)
            if m:
                assert merkle.verify_consistency(m, n, mth(d[:m]), mth(d), c), (m, n)


def test_tampering_is_caught(tree: merkle.Levels) -> None:
    n = 37
    d = ENTRIES[:n]
    good_root = mth(d)
    for m in (0, 5, 16, 36):
        p = merkle.inclusion_path(tree, m, n)
        leaf = merkle.leaf_hash(d[m])
        assert not merkle.verify_inclusion(merkle.leaf_hash(b"sua doi"), m, n, p, good_root)
        assert not merkle.verify_inclusion(leaf, (m + 1) % n, n, p, good_root)
        assert not merkle.verify_inclusion(leaf, m, n, p[:-1], good_root)
        bad = [bytes([p[0][0] ^ 1]) + p[0][1:], *p[1:]]
        assert not merkle.verify_inclusion(leaf, m, n, bad, good_root)
    for m in (1, 8, 20):
        c = merkle.consistency_proof(tree, m, n)
        assert not merkle.verify_consistency(m, n, mth(ENTRIES[1 : m + 1]), good_root, c)
        assert not merkle.verify_consistency(m, n, mth(d[:m]), mth(ENTRIES[1 : n + 1]), c)
        assert not merkle.verify_consistency(m, n, mth(d[:m]), good_root, c[:-1])
        assert not merkle.verify_consistency(n, m, good_root, mth(d[:m]), c)
