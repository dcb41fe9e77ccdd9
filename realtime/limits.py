"""Limits on what one socket may send: a token bucket per socket against floods, and a
size cap per event (the engine.io buffer limit closes anything far bigger)."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from typing import Any

MAX_EVENT_BYTES = 300_000
"""An event's JSON at most (an ink stroke of 5,000 points is about 120 kB)."""
MAX_FRAME_BYTES = 512_000
"""engine.io closes a connection that sends a bigger message."""


@dataclass
class Bucket:
    """``rate`` events a second on average, bursts of ``burst``."""

    rate: float = 20.0
    burst: float = 40.0
    tokens: float = 40.0
    stamp: float = field(default_factory=time.monotonic)
    refused: int = 0
    """Refusals in a row: a socket that goes on flooding is disconnected."""

    def take(self) -> bool:
        now = time.monotonic()
        self.tokens = min(self.burst, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now
        if self.tokens < 1:
            self.refused += 1
            return False
        self.tokens -= 1
        self.refused = 0
        return True


def size_of(data: Any) -> int:
    """The JSON size of an event's data, stopping early for huge ones."""
    try:
        return len(json.dumps(data, ensure_ascii=False, separators=(",", ":")))
    except (TypeError, ValueError):
        return MAX_EVENT_BYTES + 1
