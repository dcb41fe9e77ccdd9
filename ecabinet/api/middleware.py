"""ASGI middleware: request size limit, text no handler can store, security headers."""

from __future__ import annotations

import json

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ecabinet.api import jsonbody
from ecabinet.api.errors import STATUS_BY_KIND
from ecabinet.core import errors


class BodyLimit:
    """Refuse bodies over ``limit`` bytes: at once from Content-Length, or while streaming."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        for name, value in scope.get("headers", []):
            if name == b"content-length" and (not value.isdigit() or int(value) > self.limit):
                await _send_error(send, errors.too_large(self.limit, "request.too_large"))
                return
        seen = 0

        async def limited() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.limit:
                    raise errors.too_large(self.limit, "request.too_large")
            return message

        await self.app(scope, limited, send)


class RefuseNul:
    """Refuse a NUL in the path (404) or the query string (422), for every route at once:
    PostgreSQL cannot hold one in text, and a filter or id that carries one is never a
    real request. (A JSON body's strings are checked by :mod:`ecabinet.api.jsonbody`.)"""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            query = scope.get("query_string", b"")
            if "\x00" in scope.get("path", ""):
                await _send_error(send, errors.route_not_found())
                return
            if b"\x00" in query or b"%00" in query:
                await _send_error(send, jsonbody.bad_text("query", "NUL"))
                return
        await self.app(scope, receive, send)


async def _send_error(send: Send, error: errors.DomainError) -> None:
    body = json.dumps(error.as_dict(), ensure_ascii=False).encode()
    await send(
        {
            "type": "http.response.start",
            "status": STATUS_BY_KIND[error.kind],
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


SECURITY_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
    (b"x-frame-options", b"DENY"),
    (
        b"content-security-policy",
        b"default-src 'self'; img-src 'self' data: blob:; style-src 'self' 'unsafe-inline';"
        b" connect-src 'self' ws: wss:; frame-ancestors 'none'; base-uri 'self';"
        b" form-action 'self'",
    ),
]


class SecurityHeaders:
    """Add defensive headers unless the response set its own."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = {k.lower() for k, _ in message.get("headers", [])}
                extra = [(k, v) for k, v in SECURITY_HEADERS if k not in present]
                message["headers"] = list(message.get("headers", [])) + extra
            await send(message)

        await self.app(scope, receive, with_headers)
