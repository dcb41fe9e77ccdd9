"""The order of a text search's hits: by relevance, newest first among equals.

A hit holds every word of the query (the last one at least as a prefix); what ranks it
is which of :data:`WEIGHTS`' features it has (:mod:`documents.search` states each as a
condition both engines answer from their index). Their weights are powers of two, each
above the sum of those below it, so the order is lexicographic and the same on SQLite
and PostgreSQL whatever their own scores (bm25 and ts_rank weigh frequencies and lengths
differently, and would make "newest first among equals" a tie that never happens):

1. every word whole: "hòa" ranks "Hòa Bình" and "hoa" above "Kế hoạch" (a prefix);
2. every word spelled exactly, marks included, in the fields: "hòa" (or "hoà", the other
   tone placement, or NFD input) ranks "Hòa" above "hoa";
3. the words as a phrase in the fields: "chuyển đổi số" above an abstract that has the
   three apart;
4. every word in the fields (the abstract), not only in the body of the PDF.

The features read whole words; a hit whose last word is only a prefix ("hoa" of "hoạch")
has none of them, and lists after every other, newest first.

A page is found by walking the combinations of features from the best down
(:func:`walk`), each one a query that reads its hits newest first and stops after a page:
a common word's 30,000 hits are never all scored (decision 0018).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence

from documents import search
from documents.search import ABSTRACT, EXACT, PHRASE, WHOLE

WEIGHTS = {WHOLE: 8, EXACT: 4, PHRASE: 2, ABSTRACT: 1}
"""Each feature's weight: above the sum of every weight after it."""

_IMPLIES = {EXACT: {WHOLE, ABSTRACT}, PHRASE: {WHOLE, ABSTRACT}, ABSTRACT: {WHOLE}}


def _possible(combination: frozenset[str]) -> bool:
    # Every feature reads whole words: one in the fields is one anywhere; an exact
    # spelling or a phrase in the fields holds every word whole there.
    return all(_IMPLIES.get(f, set()) <= combination for f in combination)


def tiers(query: str, occurs: Callable[[str], bool] = lambda f: True) -> list[frozenset[str]]:
    """The combinations of features a hit of ``query`` may have, best first (the last
    one empty: every word somewhere, one of them as a prefix); ``occurs`` rules out the
    features that no document has (see :func:`documents.search.occurs`)."""
    features = [f for f in search.terms(query).features if f == WHOLE or occurs(f)]
    every = [
        frozenset(c)
        for n in range(len(features) + 1)
        for c in itertools.combinations(features, n)
        if _possible(frozenset(c))
    ]
    return sorted(every, key=lambda c: -sum(WEIGHTS[f] for f in c))


Fetch = Callable[[frozenset[str], int], Sequence[int | None]]
"""The ids of the hits having (at least) these features, newest first, at most so many."""


def walk(
    fetch: Fetch, query: str, want: int, occurs: Callable[[str], bool] = lambda f: True
) -> list[int]:
    """The first ``want`` hits of ``query`` in rank order. Each tier's query also returns
    the hits of the better tiers that have its features (a superset of features always
    weighs more); those were all taken already, since a tier that returned fewer than
    ``want`` ids returned every hit it has: they are skipped. A tier that returns ``want``
    ids holds enough new ones to fill the page (at most ``len(taken)`` were taken)."""
    taken: list[int] = []
    seen: set[int] = set()
    for tier in tiers(query, occurs):
        found = [i for i in fetch(tier, want) if i is not None]
        for i in found:
            if i not in seen:
                seen.add(i)
                taken.append(i)
                if len(taken) == want:
                    return taken
    return taken
