"""A per-client sliding-window limit, kept in this process's memory.

Enough for one process; with several, each counts alone (a client gets at most
``processes × limit``). Used for public endpoints that cost CPU, such as validation.
"""

from __future__ import annotations

import threading
import time
from collections import deque

from ecabinet.core import errors

WINDOW = 60.0
_MAX_CLIENTS = 10_000


class RateLimiter:
    def __init__(self, per_minute: int, code: str) -> None:
        self.per_minute = per_minute
        self.code = code
        self._hits: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def check(self, client: str, now: float | None = None) -> None:
        """Count one request from ``client``; :class:`errors.RateLimited` when over."""
        now = time.monotonic() if now is None else now
        with self._lock:
            if len(self._hits) > _MAX_CLIENTS:
                self._forget(now)
            hits = self._hits.setdefault(client, deque())
            while hits and hits[0] <= now - WINDOW:
                hits.popleft()
            if len(hits) >= self.per_minute:
                wait = int(hits[0] + WINDOW - now) + 1
                raise errors.RateLimited(
                    self.code,
                    f"Bạn gửi quá nhiều yêu cầu. Hãy thử lại sau {wait} giây.",
                    f"Too many requests. Try again in {wait} seconds.",
                    {"retry_after": wait},
                )
            hits.append(now)

    def _forget(self, now: float) -> None:
        for client in [c for c, h in self._hits.items() if not h or h[-1] <= now - WINDOW]:
            del self._hits[client]
