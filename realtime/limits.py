"""Limits on what one socket may send: a token bucket per connection against floods (an
event costs more the bigger it is), and a size cap per event (the engine.io buffer limit
closes anything far bigger)."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from typing import Any

MAX_EVENT_BYTES = 300_000
"""An event's JSON at most (an ink stroke of 5,000 points is about 120 kB)."""
MAX_FRAME_BYTES = 512_000
"""engine.io closes a connection that sends a bigger message."""
BYTES_PER_TOKEN = 16_000
"""An event costs one token, and one more per this many bytes of data: a full-size ink
stroke (about 120 kB) costs 8, so one socket re-sending big strokes is slowed as much
as it would be sending 8 small events for each."""


@dataclass
class Bucket:
    """``rate`` events a second on average, bursts of ``burst``."""

    rate: float = 20.0
    burst: float = 40.0
    tokens: float = 40.0
    stamp: float = field(default_factory=time.monotonic)
    refused: int = 0
    """Refusals in a row: a socket that goes on flooding is disconnected."""

    def take(self, cost: float = 1) -> bool:
        """Spend ``cost`` tokens if the bucket holds them."""
        now = time.monotonic()
        self.tokens = min(self.burst, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now
        if self.tokens < cost:
            self.refused += 1
            return False
        self.tokens -= cost
        self.refused = 0
        return True


def cost_of(size: int) -> float:
    """What an event of ``size`` bytes of JSON costs in tokens (at most the burst)."""
    return min(Bucket.burst, 1 + size // BYTES_PER_TOKEN)


def size_of(data: Any) -> int:
    """The JSON size of an event's data, stopping early for huge ones."""
    try:
        return len(json.dumps(data, ensure_ascii=False, separators=(",", ":")))
    except (TypeError, ValueError):
        return MAX_EVENT_BYTES + 1
