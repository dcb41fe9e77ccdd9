"""Watching each HTTP request: its id, its metrics and its access log line.

:class:`Observe` wraps the whole app (outside Starlette's error handling, so a 500 is
counted and carries its id too). A request's id is the ``X-Request-ID`` its proxy sent,
when the proxy is trusted and the id well formed, else a new one; it goes back in the
response's ``X-Request-ID``, into every log line written for the request and into the
audit entries it writes. Metrics are labelled by the route's template
(``/api/v1/documents/{document_id}``), never the path, so that ids make no new series.
The access line names the route template too: a path or a query string (search terms)
never reaches the log.
"""

from __future__ import annotations

import ipaddress
import logging
import time
from collections.abc import Callable
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ecabinet.core import logs, metrics, requestctx

access_log = logging.getLogger("ecabinet.access")
UNMATCHED = "unmatched"
"""The route label of a request no route answered."""
PEER = "ecabinet.peer"
"""Scope key: the address the connection came from, before a proxy's ``X-Forwarded-For``
replaced the client (:func:`forwarded`)."""


class Observe:
    """Request id, metrics and access log line of every HTTP request."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        trusted_proxies: tuple[str, ...],
        after: Callable[[], None] | None = None,
    ) -> None:
        self.app = app
        self.trusted = Trusted(trusted_proxies)
        self.after = after
        """Run after each request (the database pool's gauges)."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        info, token = requestctx.begin(self._request_id(scope))
        header = (b"x-request-id", info.request_id.encode())
        status = 500
        complete = False

        async def observed(message: Message) -> None:
            nonlocal status, complete
            if message["type"] == "http.response.start":
                status = int(message["status"])
                kept = [(k, v) for k, v in message.get("headers", []) if k != b"x-request-id"]
                message["headers"] = [*kept, header]
            elif message["type"] == "http.response.body" and not message.get("more_body"):
                complete = True
            await send(message)

        try:
            await self.app(scope, receive, observed)
        finally:
            # An error after the head went out (a download whose store failed, a client
            # gone): the status says 200, the line says the body was cut short.
            took = time.perf_counter() - start
            self._done(scope, info, status, took, aborted=not complete)
            requestctx.end(token)

    def _request_id(self, scope: Scope) -> str:
        peer = scope.get(PEER) or scope.get("client")
        if peer and self.trusted.has(peer[0]):
            for name, value in scope.get("headers", []):
                if name == b"x-request-id":
                    sent = value.decode("latin-1")
                    return sent if requestctx.well_formed(sent) else requestctx.new_id()
        return requestctx.new_id()

    def _done(
        self,
        scope: Scope,
        info: requestctx.RequestInfo,
        status: int,
        took: float,
        *,
        aborted: bool,
    ) -> None:
        method = scope.get("method", "")
        route = route_label(scope)
        metrics.HTTP_REQUESTS.labels(method, route, str(status)).inc()
        metrics.HTTP_LATENCY.labels(method, route).observe(took)
        if self.after is not None:
            self.after()
        client = scope.get("client")
        user = str(info.user_id) if info.user_id is not None else "-"
        address = client[0] if client else "-"
        ms = round(took * 1000, 1)
        access_log.info(
            "%s %s %s %.1fms user=%s client=%s%s",
            method,
            route,
            status,
            ms,
            user,
            address,
            " aborted" if aborted else "",
            extra={
                logs.FIELDS: {
                    "method": method,
                    "route": route,
                    "status": status,
                    "duration_ms": ms,
                    "user_id": info.user_id,
                    "client": address,
                    "aborted": aborted,
                }
            },
        )


def route_label(scope: Scope) -> str:
    """The template of the route that answered (``/api/v1/documents/{document_id}``), or
    :data:`UNMATCHED`."""
    route: Any = scope.get("route")
    if route is None:
        return UNMATCHED
    template = getattr(route, "path_format", None)  # a Mount's: "/assets/{path}"
    return template if isinstance(template, str) else UNMATCHED


class Trusted:
    """Addresses of trusted proxies: IP addresses, networks (``10.0.0.0/8``) or ``*``."""

    def __init__(self, entries: tuple[str, ...]) -> None:
        self.everyone = "*" in entries
        self.networks = [ipaddress.ip_network(e, strict=False) for e in entries if e != "*"]
        self._known: dict[str, bool] = {}

    def has(self, host: str) -> bool:
        if self.everyone:
            return True
        known = self._known.get(host)
        if known is None:  # parsing costs more than the rest of the bookkeeping
            if len(self._known) > 10_000:
                self._known.clear()
            known = self._known[host] = self._check(host)
        return known

    def _check(self, host: str) -> bool:
        try:
            address = ipaddress.ip_address(host)
        except ValueError:
            return False
        return any(address in network for network in self.networks)


def forwarded(app: ASGIApp, trusted_proxies: tuple[str, ...]) -> ASGIApp:
    """``app`` behind uvicorn's handling of ``X-Forwarded-For``/``-Proto`` from the
    trusted proxies, keeping the connection's own address in the scope (:data:`PEER`),
    from which :class:`Observe` decides whether to believe an ``X-Request-ID``. The
    server then runs with ``proxy_headers=False``."""
    from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

    inner = ProxyHeadersMiddleware(app, trusted_hosts=list(trusted_proxies))  # type: ignore[arg-type]

    async def keep_peer(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] in ("http", "websocket"):
            scope[PEER] = scope.get("client")
        await inner(scope, receive, send)  # type: ignore[arg-type]

    return keep_peer
