"""The streaming frontier gives RFC 6962 roots and the same perfect subtrees as the stored
levels, at every size (the verifier and the checkpoint rely on both)."""

import hashlib

import pytest

from ecabinet.core import merkle


def _leaves(n: int) -> list[bytes]:
    return [merkle.leaf_hash(hashlib.sha256(str(i).encode()).digest()) for i in range(n)]


def test_frontier_roots_and_nodes_match_the_levels() -> None:
    levels, frontier = merkle.Levels(), merkle.Frontier()
    assert frontier.root() == merkle.EMPTY_ROOT
    for leaf in _leaves(70):
        assert sorted(frontier.append(leaf)) == sorted(levels.append(leaf))
        assert frontier.root() == merkle.root(levels, levels.size)
        keys = merkle.frontier_keys(levels.size)
        assert [levels.perfect(lv, ix) for lv, ix in keys] == [h for _, h in frontier.edge]


@pytest.mark.parametrize("start", [1, 5, 8, 13])
def test_a_frontier_resumed_from_stored_nodes_goes_on_alike(start: int) -> None:
    levels = merkle.Levels()
    leaves = _leaves(40)
    for leaf in leaves:
        levels.append(leaf)
    edge = [(lv, levels.perfect(lv, ix)) for lv, ix in merkle.frontier_keys(start)]
    resumed = merkle.Frontier(edge, start)
    for leaf in leaves[start:]:
        resumed.append(leaf)
    assert resumed.root() == merkle.root(levels, 40)


def test_frontier_keys() -> None:
    assert merkle.frontier_keys(0) == []
    assert merkle.frontier_keys(8) == [(3, 0)]
    assert merkle.frontier_keys(13) == [(3, 0), (2, 2), (0, 12)]
