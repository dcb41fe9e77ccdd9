"""A Merkle tree in the manner of Certificate Transparency (RFC 6962 §2.1, the same
hashing as RFC 9162): the publication log's mathematics, pure (no database).

Leaves are hashed ``SHA-256(0x00 || entry)``, inner nodes ``SHA-256(0x01 || left ||
right)``; the tree of ``n`` leaves splits at the largest power of two below ``n``. Every
hash the proofs need is the hash of a *perfect* subtree (2^level leaves starting at a
multiple of 2^level), which a store keeps as leaves are appended (:class:`Levels`), so a
root or a proof costs O(log n) look-ups, never a walk over the leaves.
"""

from __future__ import annotations

import hashlib
from typing import Protocol

EMPTY_ROOT = hashlib.sha256(b"").digest()


def leaf_hash(entry: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + entry).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def _split(n: int) -> int:
    """The largest power of two smaller than ``n`` (n ≥ 2)."""
    return 1 << ((n - 1).bit_length() - 1)


class Perfect(Protocol):
    """Where the hashes of perfect subtrees come from."""

    def perfect(self, level: int, index: int) -> bytes:
        """The hash of leaves ``[index·2^level, (index+1)·2^level)``."""
        ...


def range_hash(tree: Perfect, start: int, end: int) -> bytes:
    """MTH of leaves ``[start, end)``, where ``start`` is a multiple of the split sizes
    the RFC's recursion produces (always true for the ranges used below)."""
    size = end - start
    if size == 0:
        return EMPTY_ROOT
    if size & (size - 1) == 0 and start % size == 0:
        return tree.perfect(size.bit_length() - 1, start // size)
    k = _split(size)
    return node_hash(range_hash(tree, start, start + k), range_hash(tree, start + k, end))


def root(tree: Perfect, size: int) -> bytes:
    """The tree head's hash for the first ``size`` leaves."""
    return range_hash(tree, 0, size)


def inclusion_path(tree: Perfect, index: int, size: int) -> list[bytes]:
    """PATH(index, D[size]): the audit path of leaf ``index`` in the tree of ``size``."""
    if not 0 <= index < size:
        raise ValueError("leaf index outside the tree")
    path: list[bytes] = []
    start, end = 0, size
    while end - start > 1:
        k = _split(end - start)
        if index < start + k:
            path.append(range_hash(tree, start + k, end))
            end = start + k
        else:
            path.append(range_hash(tree, start, start + k))
            start += k
    path.reverse()
    return path


def consistency_proof(tree: Perfect, old: int, new: int) -> list[bytes]:
    """PROOF(old, D[new]): that the tree of ``old`` leaves is a prefix of ``new``'s."""
    if not 0 <= old <= new:
        raise ValueError("sizes out of order")
    if old == 0 or old == new:
        return []
    proof: list[bytes] = []

    def sub(m: int, start: int, end: int, whole: bool) -> None:
        n = end - start
        if m == n:
            if not whole:
                proof.append(range_hash(tree, start, end))
            return
        k = _split(n)
        if m <= k:
            sub(m, start, start + k, whole)
            proof.append(range_hash(tree, start + k, end))
        else:
            sub(m - k, start + k, end, False)
            proof.append(range_hash(tree, start, start + k))

    sub(old, 0, new, True)
    return proof


def verify_inclusion(
    leaf: bytes, index: int, size: int, path: list[bytes], root_hash: bytes
) -> bool:
    """RFC 9162 §2.1.3.2: does ``path`` lead from the leaf hash to ``root_hash``?"""
    if not 0 <= index < size:
        return False
    fn, sn, r = index, size - 1, leaf
    for p in path:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            if not fn & 1:
                while fn and not fn & 1:
                    fn >>= 1
                    sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    return sn == 0 and r == root_hash


def verify_consistency(
    old: int, new: int, old_root: bytes, new_root: bytes, proof: list[bytes]
) -> bool:
    """RFC 9162 §2.1.4.2: is the tree of ``old`` leaves with ``old_root`` a prefix of the
    tree of ``new`` leaves with ``new_root``?"""
    if old > new:
        return False
    if old == new:
        return not proof and old_root == new_root
    if old == 0:
        return not proof
    if not proof:
        return False
    path = list(proof)
    if old & (old - 1) == 0:  # a power of two: the old root starts the path
        path.insert(0, old_root)
    fn, sn = old - 1, new - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            if not fn & 1:
                while fn and not fn & 1:
                    fn >>= 1
                    sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    return sn == 0 and fr == old_root and sr == new_root


class Levels:
    """Perfect-subtree hashes kept in memory as leaves are appended (``levels[l][i]``);
    the database keeps the same rows."""

    def __init__(self) -> None:
        self.levels: list[list[bytes]] = [[]]

    @property
    def size(self) -> int:
        return len(self.levels[0])

    def append(self, leaf: bytes) -> list[tuple[int, int, bytes]]:
        """Add a leaf hash; return the new perfect subtrees ``(level, index, hash)``."""
        made = [(0, self.size, leaf)]
        self.levels[0].append(leaf)
        level = 0
        while len(self.levels[level]) % 2 == 0:
            pair = self.levels[level][-2:]
            if len(self.levels) == level + 1:
                self.levels.append([])
            up = node_hash(pair[0], pair[1])
            self.levels[level + 1].append(up)
            made.append((level + 1, len(self.levels[level + 1]) - 1, up))
            level += 1
        return made

    def perfect(self, level: int, index: int) -> bytes:
        return self.levels[level][index]


def frontier_keys(size: int) -> list[tuple[int, int]]:
    """The perfect subtrees ``(level, index)`` that the first ``size`` leaves form, largest
    (leftmost) first: all that appending the next leaves, or the root, needs."""
    keys: list[tuple[int, int]] = []
    start = 0
    for level in range(size.bit_length() - 1, -1, -1):
        if size >> level & 1:
            keys.append((level, start >> level))
            start += 1 << level
    return keys


class Frontier:
    """The right edge of a growing tree in O(log n) memory: the root at any size as the
    leaves stream past (a verifier reading a million entries keeps 20 hashes, not a million).

    RFC 6962's root of ``n`` leaves is the fold, from the right, of the perfect subtrees
    :func:`frontier_keys` names: ``H(P0, H(P1, … H(Pk-1, Pk)))``."""

    def __init__(self, edge: list[tuple[int, bytes]] | None = None, size: int = 0) -> None:
        self.edge: list[tuple[int, bytes]] = list(edge or [])  # (level, hash), largest first
        self.size = size

    def append(self, leaf: bytes) -> list[tuple[int, int, bytes]]:
        """Add a leaf hash; return the perfect subtrees it completes ``(level, index, hash)``."""
        made = [(0, self.size, leaf)]
        level, current, position = 0, leaf, self.size
        while self.edge and self.edge[-1][0] == level:
            _, left = self.edge.pop()
            current = node_hash(left, current)
            level, position = level + 1, position >> 1
            made.append((level, position, current))
        self.edge.append((level, current))
        self.size += 1
        return made

    def root(self) -> bytes:
        if not self.edge:
            return EMPTY_ROOT
        result = self.edge[-1][1]
        for _, digest in reversed(self.edge[:-1]):
            result = node_hash(digest, result)
        return result
