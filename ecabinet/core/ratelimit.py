"""A per-client sliding-window limit, for public endpoints that cost CPU (validation).

With ``ECABINET_REDIS_URL`` the count is kept in Redis, shared by every process of the
deployment (a client gets ``limit`` per minute, not ``processes × limit``): one Lua script
drops the hits older than the window, counts the rest and adds this one, atomically, on
Redis's own clock. Keys are under the deployment's prefix (``ECABINET_REDIS_CHANNEL``).
When Redis does not answer, requests are not failed: the process counts alone (as
without Redis) and tries Redis again after :data:`RETRY_REDIS` seconds, logging once when
it loses Redis and once when it is back.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections import deque
from typing import Any

from ecabinet.core import errors

log = logging.getLogger("ecabinet.ratelimit")
WINDOW = 60.0
_MAX_CLIENTS = 10_000
RETRY_REDIS = 5.0
"""Seconds counted in this process after Redis failed, before trying it again."""
REDIS_TIMEOUT = 0.5
"""Seconds one Redis call may take (a request waits on it)."""

_SLIDING = """
local now = redis.call('TIME')
local t = tonumber(now[1]) * 1000000 + tonumber(now[2])
local window = tonumber(ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', t - window)
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[2]) then
  local first = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
  return math.ceil((tonumber(first[2]) + window - t) / 1000000)
end
redis.call('ZADD', KEYS[1], t, ARGV[3])
redis.call('PEXPIRE', KEYS[1], math.ceil(window / 1000))
return 0
"""
"""Count one hit in the window (microseconds, Redis's clock); the seconds to wait when
the limit is reached (nothing counted), else 0."""


class RateLimiter:
    def __init__(
        self,
        per_minute: int,
        code: str,
        *,
        redis_url: str | None = None,
        key_prefix: str = "",
    ) -> None:
        self.per_minute = per_minute
        self.code = code
        self._hits: dict[str, deque[float]] = {}
        self._lock = threading.Lock()
        self._redis_url = redis_url
        self._key_prefix = key_prefix
        self._redis: Any = None
        self._script: Any = None
        self._redis_down_until = 0.0

    def check(self, client: str, now: float | None = None) -> None:
        """Count one request from ``client``; :class:`errors.RateLimited` when over."""
        wait = self._shared(client) if self._redis_url and now is None else None
        if wait is None:
            wait = self._local(client, time.monotonic() if now is None else now)
        if wait:
            raise errors.RateLimited(
                self.code,
                f"Bạn gửi quá nhiều yêu cầu. Hãy thử lại sau {wait} giây.",
                f"Too many requests. Try again in {wait} seconds.",
                {"retry_after": wait},
            )

    def _shared(self, client: str) -> int | None:
        """The wait from Redis's count; ``None`` when Redis cannot count now."""
        if time.monotonic() < self._redis_down_until:
            return None
        import redis

        try:
            if self._script is None:
                self._redis = redis.Redis.from_url(
                    self._redis_url or "",
                    socket_timeout=REDIS_TIMEOUT,
                    socket_connect_timeout=REDIS_TIMEOUT,
                )
                self._script = self._redis.register_script(_SLIDING)
            key = f"{self._key_prefix}:{self.code}:{client[:64]}"
            member = uuid.uuid4().hex
            wait = int(self._script(keys=[key], args=[int(WINDOW * 1e6), self.per_minute, member]))
        except (redis.RedisError, OSError) as exc:
            if not self._redis_down_until:
                log.warning(
                    "rate limit %s: Redis unavailable (%s); counting in this process",
                    self.code,
                    exc,
                )
            self._redis_down_until = time.monotonic() + RETRY_REDIS
            return None
        if self._redis_down_until:
            log.warning("rate limit %s: Redis is back; counting across processes", self.code)
            self._redis_down_until = 0.0
        return wait

    def _local(self, client: str, now: float) -> int:
        with self._lock:
            if len(self._hits) > _MAX_CLIENTS:
                self._forget(now)
            hits = self._hits.setdefault(client, deque())
            while hits and hits[0] <= now - WINDOW:
                hits.popleft()
            if len(hits) >= self.per_minute:
                return int(hits[0] + WINDOW - now) + 1
            hits.append(now)
            return 0

    def _forget(self, now: float) -> None:
        for client in [c for c, h in self._hits.items() if not h or h[-1] <= now - WINDOW]:
            del self._hits[client]


class FailureGate:
    """Refuses a client that failed too often, before it costs anything more.

    Each failure is counted by ``limiter`` (shared through Redis when configured); the
    failure that goes over the limit closes the gate for that client in this process
    until the window ends, and :meth:`admit` refuses it without reading its request.
    Successes are not counted: a busy honest peer is never slowed down.
    """

    def __init__(self, limiter: RateLimiter) -> None:
        self.limiter = limiter
        self._closed: dict[str, float] = {}
        self._lock = threading.Lock()

    def admit(self, client: str, now: float | None = None) -> None:
        """:class:`errors.RateLimited` while ``client``'s gate is closed."""
        now = time.monotonic() if now is None else now
        with self._lock:
            until = self._closed.get(client, 0.0)
            if until <= now:
                self._closed.pop(client, None)
                return
        self._refuse(int(until - now) + 1)

    def failed(self, client: str, now: float | None = None) -> None:
        """Count one failure of ``client``; closes its gate when over the limit."""
        try:
            self.limiter.check(client, now)
        except errors.RateLimited as exc:
            wait = int((exc.details or {}).get("retry_after", WINDOW))
            with self._lock:
                if len(self._closed) > _MAX_CLIENTS:
                    self._closed.clear()
                moment = time.monotonic() if now is None else now
                self._closed[client] = moment + wait

    def _refuse(self, wait: int) -> None:
        raise errors.RateLimited(
            self.limiter.code,
            f"Quá nhiều gói tin không xác thực được từ địa chỉ này. Hãy thử lại sau {wait} giây.",
            f"Too many messages that failed authentication from this address. "
            f"Try again in {wait} seconds.",
            {"retry_after": wait},
        )
