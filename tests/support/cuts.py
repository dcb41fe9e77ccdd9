"""Watching the cuts (:class:`ecabinet.core.outbox.Cut`) that committed transactions hand
to the realtime layer."""

from __future__ import annotations

from typing import Any

import pytest

from ecabinet.core import outbox


def record_cuts(monkeypatch: pytest.MonkeyPatch) -> list[outbox.Cut]:
    """From now on, every cut taken from an outbox (after its commit) is appended to the
    list returned."""
    cuts: list[outbox.Cut] = []
    take = outbox.take

    def spy(session: Any) -> list[outbox.Outgoing]:
        taken = take(session)
        cuts.extend(c for c in taken if isinstance(c, outbox.Cut))
        return taken

    monkeypatch.setattr(outbox, "take", spy)
    return cuts
