"""A small layer over Starlette routes: auth, CSRF, body parsing and the OpenAPI record.

Each API handler is declared with :meth:`Api.route`, which records what the OpenAPI
document needs (so the document is built from the same list as the routes) and wraps
the handler so that it receives a :class:`Call`.
"""

from __future__ import annotations

import hmac
import os
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from typing import Any, TypeVar, overload
from urllib.parse import urlsplit

import anyio
import anyio.to_thread
from pydantic import BaseModel, ValidationError
from sqlalchemy import Engine
from sqlmodel import Session
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ecabinet.api import jsonbody, paths
from ecabinet.core import auth, errors, outbox, requestctx, scopes
from ecabinet.core.audit import Actor
from ecabinet.core.db import session_scope
from ecabinet.core.inputs import DB_INT_MAX
from ecabinet.core.policy import Subject, subject_for
from ecabinet.core.ratelimit import FailureGate, RateLimiter
from ecabinet.core.scopes import SAFE_METHODS
from ecabinet.core.settings import Settings
from ecabinet.core.storage import ObjectStore
from ecabinet.signatures.setup import SigningSetup

SESSION_COOKIE = "ecabinet_session"
CSRF_HEADER = "x-csrf-token"
M = TypeVar("M", bound=BaseModel)
R = TypeVar("R")
Publisher = Callable[[list[outbox.Outgoing]], Awaitable[None]]


@dataclass
class AppContext:
    """What every handler may use; lives on ``app.state.ctx``."""

    settings: Settings
    engine: Engine
    store: ObjectStore
    publish: Publisher | None = None
    """Sends committed outbox messages to connected clients (set when Socket.IO is served)."""

    @cached_property
    def signing(self) -> SigningSetup:
        return SigningSetup(self.settings)

    @cached_property
    def login_threads(self) -> anyio.CapacityLimiter:
        """Worker threads for logins, each of which hashes a password (19 MiB, all of a
        core for a moment): a flood of logins queues here rather than taking every thread
        the other requests share, and its memory stays bounded."""
        return anyio.CapacityLimiter(max(4, os.cpu_count() or 1))

    @cached_property
    def exchange_gate(self) -> FailureGate:
        """Client addresses whose exchange deliveries fail authentication too often."""
        return FailureGate(
            RateLimiter(
                self.settings.exchange_failures_per_minute,
                "exchange.rate_limited",
                redis_url=self.settings.redis_url,
                key_prefix=self.settings.redis_key("ratelimit"),
            )
        )

    @cached_property
    def validate_limit(self) -> RateLimiter:
        return RateLimiter(
            self.settings.validate_per_minute,
            "validate.rate_limited",
            redis_url=self.settings.redis_url,
            key_prefix=self.settings.redis_key("ratelimit"),
        )


@dataclass
class Call:
    """One API request as a handler sees it."""

    request: Request
    ctx: AppContext
    principal: auth.Principal | None

    @property
    def settings(self) -> Settings:
        return self.ctx.settings

    @property
    def client_addr(self) -> str:
        return self.request.client.host if self.request.client else ""

    @property
    def user(self) -> auth.Principal:
        if self.principal is None:
            raise errors.NotAuthenticated(
                "auth.required", "Bạn cần đăng nhập.", "You need to log in."
            )
        return self.principal

    @property
    def actor(self) -> Actor:
        return self.user.actor(self.client_addr)

    async def db(self, fn: Callable[[Session], R], *, write: bool = True) -> R:
        """Run ``fn(session)`` in a worker thread inside one transaction; after commit,
        what the transaction put in its outbox goes to the connected clients."""

        def run() -> tuple[R, list[outbox.Outgoing]]:
            with session_scope(self.ctx.engine, write=write) as session:
                result = fn(session)
            return result, outbox.take(session)

        result, messages = await anyio.to_thread.run_sync(run)
        if messages and self.ctx.publish is not None:
            await self.ctx.publish(messages)
        return result

    async def subject(
        self, session_fn: Callable[[Session, Subject], R], *, write: bool = True
    ) -> R:
        """Run ``fn(session, subject)``: the caller's roles loaded in the same transaction."""
        principal = self.user
        return await self.db(lambda s: session_fn(s, subject_for(s, principal.user)), write=write)

    @overload
    def query_int(self, name: str) -> int: ...
    @overload
    def query_int(self, name: str, *, required: bool) -> int | None: ...

    def query_int(self, name: str, *, required: bool = True) -> int | None:
        """A whole-number query parameter from 0 to :data:`DB_INT_MAX` (what both
        databases' integer columns hold); a bad or (when required) missing one is a 422."""
        raw = self.request.query_params.get(name)
        if raw is None and not required:
            return None
        digits = raw is not None and raw.isascii() and raw.isdigit() and len(raw) <= 12
        if raw is None or not digits or int(raw) > DB_INT_MAX:
            raise errors.InvalidInput(
                "request.bad_query",
                f"Tham số {name} phải là số nguyên từ 0 đến {DB_INT_MAX}.",
                f"Query parameter {name} must be a whole number from 0 to {DB_INT_MAX}.",
                {"parameter": name},
            )
        return int(raw)

    def query_date(self, name: str) -> date | None:
        """An optional ``YYYY-MM-DD`` query parameter; a bad one is a 422."""
        raw = self.request.query_params.get(name)
        if not raw:
            return None
        try:
            return date.fromisoformat(raw)
        except ValueError:
            raise errors.InvalidInput(
                "request.bad_query",
                f"Tham số {name} phải là ngày (YYYY-MM-DD).",
                f"Query parameter {name} must be a date (YYYY-MM-DD).",
                {"parameter": name},
            ) from None

    async def raw_body(
        self, limit: int, code: str, *, before_read: Callable[[], None] | None = None
    ) -> bytes:
        """The request body as bytes, at most ``limit`` of them (413 ``code`` otherwise,
        at once from Content-Length, else while reading). ``before_read`` runs after the
        declared length is checked and before anything is read (a rate limit, say)."""
        length = self.request.headers.get("content-length", "")
        if length.isdigit() and int(length) > limit:
            raise errors.too_large(limit, code)
        if before_read is not None:
            before_read()
        body = bytearray()
        async for chunk in self.request.stream():
            body += chunk
            if len(body) > limit:
                raise errors.too_large(limit, code)
        return bytes(body)

    async def body(self, model: type[M], *, json_only: bool = False) -> M:
        """Parse and validate a JSON body; every problem becomes a bilingual 422. The body
        is read at most ``ECABINET_MAX_JSON_BYTES`` at a time (a 413 past it, before the
        rest is read) and parsed by the one loader (:mod:`ecabinet.api.jsonbody`).
        ``json_only``: refuse a body not declared ``application/json`` (a cross-site form
        can send any other type without the browser asking first)."""
        media = self.request.headers.get("content-type", "").split(";")[0].strip().lower()
        if json_only and media != "application/json":
            raise errors.InvalidInput(
                "request.not_json",
                "Dữ liệu gửi lên phải là JSON (Content-Type: application/json).",
                "The body must be JSON (Content-Type: application/json).",
            )
        raw = await self.raw_body(self.settings.max_json_bytes, "request.too_large")
        data = jsonbody.load(raw)
        try:
            return model.model_validate(data)
        except ValidationError as exc:
            problems = [
                {"field": ".".join(str(p) for p in e["loc"]), "problem": e["msg"]}
                for e in exc.errors(include_url=False, include_input=False)
            ]
            raise errors.InvalidInput(
                "request.invalid",
                "Dữ liệu gửi lên không hợp lệ: "
                + "; ".join(p["field"] or "body" for p in problems),
                "The request body is not valid.",
                {"fields": problems},
            ) from None


Handler = Callable[[Call], Awaitable[Response]]


@dataclass(frozen=True)
class Operation:
    """What the OpenAPI document says about one route."""

    path: str
    method: str
    summary: str
    handler: Handler
    public: bool = False
    body: type[BaseModel] | None = None
    responses: dict[int, type[BaseModel] | str] = field(default_factory=dict)
    raw_body: str | None = None
    tag: str = "api"
    csrf: bool = True
    writes_cookie: bool = False
    signing: bool = False
    """Signs or seals: an API token needs the ``sign`` scope (:mod:`ecabinet.core.scopes`)."""


class Api:
    """Collects the API's operations; :meth:`routes` gives the Starlette routes."""

    def __init__(self, prefix: str) -> None:
        self.prefix = prefix
        self.operations: list[Operation] = []

    def route(
        self,
        path: str,
        method: str,
        summary: str,
        *,
        public: bool = False,
        body: type[BaseModel] | None = None,
        responses: dict[int, type[BaseModel] | str] | None = None,
        raw_body: str | None = None,
        tag: str = "api",
        csrf: bool = True,
        writes_cookie: bool = False,
        signing: bool = False,
    ) -> Callable[[Handler], Handler]:
        """Register ``handler``; ``csrf=False`` only for routes that create the session
        (no CSRF token exists yet); ``writes_cookie`` for routes that set or clear the
        session cookie, which then must come from the app's own origin; ``signing=True``
        for routes that sign (a token needs the ``sign`` scope)."""

        def register(handler: Handler) -> Handler:
            self.operations.append(
                Operation(
                    path,
                    method.upper(),
                    summary,
                    handler,
                    public,
                    body,
                    responses or {},
                    raw_body,
                    tag,
                    csrf,
                    writes_cookie,
                    signing,
                )
            )
            return handler

        return register

    def routes(self) -> list[Route]:
        by_path: dict[str, dict[str, Operation]] = {}
        for op in self.operations:
            by_path.setdefault(op.path, {})[op.method] = op
        # ``{name:int}`` ids are bounded to what the databases hold (a larger one is a 404).
        return [
            Route(self.prefix + paths.bounded(path), _endpoint(ops), methods=list(ops))
            for path, ops in by_path.items()
        ]


def _endpoint(ops: dict[str, Operation]) -> Callable[[Request], Awaitable[Response]]:
    async def endpoint(request: Request) -> Response:
        op = ops.get(request.method) or ops["GET"]  # HEAD falls back to GET
        ctx: AppContext = request.app.state.ctx
        unsafe = request.method not in SAFE_METHODS
        if unsafe and op.writes_cookie:
            check_origin(request, ctx.settings)  # before anything is looked up
        principal = await _authenticate(request, ctx)
        if principal is not None:
            requestctx.note_user(principal.user.id)
        if principal is None and not op.public:
            raise errors.NotAuthenticated(
                "auth.required", "Bạn cần đăng nhập.", "You need to log in."
            )
        if unsafe and principal is not None and principal.via == "session":
            if not op.writes_cookie:  # else checked above
                check_origin(request, ctx.settings)
            if op.csrf:
                _check_csrf(request, principal)
        if principal is not None and not op.public:  # a public route needs no authority
            scopes.check(principal.scopes, request.method, signing=op.signing)
        return await op.handler(Call(request, ctx, principal))

    return endpoint


async def _authenticate(request: Request, ctx: AppContext) -> auth.Principal | None:
    header = request.headers.get("authorization", "")
    cookie = request.cookies.get(SESSION_COOKIE)
    if not header and not cookie:
        return None

    def resolve() -> auth.Principal | None:
        with session_scope(ctx.engine, write=False) as session:
            if header:
                scheme, _, token = header.partition(" ")
                if scheme.lower() != "bearer" or not token.strip():
                    raise _bad_token()
                found = auth.principal_from_token(session, token.strip())
                if found is None:
                    raise _bad_token()
                return found
            return auth.principal_from_cookie(session, ctx.settings, cookie or "")

    principal = await anyio.to_thread.run_sync(resolve)
    if principal is not None and principal.token_touch_due and principal.token_id is not None:
        token_id = principal.token_id

        def touch() -> None:
            with session_scope(ctx.engine) as session:
                auth.touch_token(session, token_id)

        await anyio.to_thread.run_sync(touch)
    return principal


def _bad_token() -> errors.DomainError:
    return errors.NotAuthenticated(
        "auth.bad_token",
        "Mã truy cập không hợp lệ, đã hết hạn hoặc đã bị thu hồi.",
        "The API token is invalid, expired or revoked.",
    )


def check_origin(request: Request, settings: Settings) -> None:
    """Refuse a request another site had the browser send (decision 0013): one whose
    ``Sec-Fetch-Site`` is ``cross-site`` or ``same-site``, or whose ``Origin`` is neither
    the configured public address nor the request's own scheme and host. Clients that
    send neither header (scripts, older browsers' same-origin requests) pass."""
    site = request.headers.get("sec-fetch-site", "").strip().lower()
    origin = request.headers.get("origin")
    own = {_origin(settings.public_base_url), _origin(str(request.base_url))} - {None}
    if site in ("cross-site", "same-site") or (origin is not None and _origin(origin) not in own):
        raise errors.PermissionDenied(
            "auth.cross_site",
            "Yêu cầu đến từ một trang web khác nên bị từ chối. Hãy mở ứng dụng từ địa chỉ"
            " chính thức của nó.",
            "A request from another web site is refused. Open the app at its own address.",
        )


def _origin(url: str) -> str | None:
    """``scheme://host[:port]`` in canonical form (no default port); ``None`` for what
    is not an http(s) origin (``null``, say)."""
    parts = urlsplit(url.strip().lower())
    try:
        port = parts.port
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return None
    host = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname
    default = 443 if parts.scheme == "https" else 80
    return f"{parts.scheme}://{host}" + (f":{port}" if port and port != default else "")


def _check_csrf(request: Request, principal: auth.Principal) -> None:
    sent = request.headers.get(CSRF_HEADER, "")
    if not principal.csrf_token or not hmac.compare_digest(sent, principal.csrf_token):
        raise errors.PermissionDenied(
            "auth.csrf",
            "Thiếu hoặc sai mã chống giả mạo yêu cầu (CSRF). Hãy tải lại trang.",
            "Missing or wrong CSRF token. Reload the page.",
        )


def model_json(
    model: BaseModel, status: int = 200, headers: dict[str, str] | None = None
) -> Response:
    return Response(
        model.model_dump_json(), status_code=status, media_type="application/json", headers=headers
    )


def openapi(api: Api, *, title: str, version: str) -> dict[str, Any]:
    """Build the OpenAPI 3.1 document from the recorded operations; a ``ValueError`` when
    two different models share a name (each schema is named after its model)."""
    components: dict[str, Any] = {}

    def put(name: str, schema: dict[str, Any]) -> None:
        # Two models of one name would document one endpoint with the other's shape.
        if components.get(name, schema) != schema:
            raise ValueError(
                f"OpenAPI: two different models are named {name!r}; rename one of them"
            )
        components[name] = schema

    def ref(model: type[BaseModel]) -> dict[str, str]:
        schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
        for name, sub in schema.pop("$defs", {}).items():
            put(name, sub)
        put(model.__name__, schema)
        return {"$ref": f"#/components/schemas/{model.__name__}"}

    error_ref = {"$ref": "#/components/schemas/Error"}
    paths: dict[str, dict[str, Any]] = {}
    for op in api.operations:
        path = api.prefix + _openapi_path(op.path)
        entry: dict[str, Any] = {"summary": op.summary, "tags": [op.tag], "responses": {}}
        params = [
            {"name": name, "in": "path", "required": True, "schema": schema}
            for name, schema in _path_params(op.path)
        ]
        if params:
            entry["parameters"] = params
        if op.body is not None:
            entry["requestBody"] = {
                "required": True,
                "content": {"application/json": {"schema": ref(op.body)}},
            }
        elif op.raw_body:
            entry["requestBody"] = {
                "required": True,
                "content": {op.raw_body: {"schema": {"type": "string", "format": "binary"}}},
            }
        for status, out in sorted(op.responses.items()):
            if isinstance(out, str):
                entry["responses"][str(status)] = {"description": out}
            else:
                entry["responses"][str(status)] = {
                    "description": out.__doc__.strip().splitlines()[0] if out.__doc__ else "OK",
                    "content": {"application/json": {"schema": ref(out)}},
                }
        entry["responses"]["default"] = {
            "description": "Error",
            "content": {"application/json": {"schema": error_ref}},
        }
        if op.public:
            entry["security"] = []
        paths.setdefault(path, {})[op.method.lower()] = entry
    components["Error"] = {
        "type": "object",
        "required": ["code", "message", "details"],
        "properties": {
            "code": {"type": "string"},
            "message": {
                "type": "object",
                "properties": {"vi": {"type": "string"}, "en": {"type": "string"}},
            },
            "details": {"type": "object"},
        },
    }
    return {
        "openapi": "3.1.0",
        "info": {"title": title, "version": version},
        "paths": paths,
        "components": {
            "schemas": components,
            "securitySchemes": {
                "session": {"type": "apiKey", "in": "cookie", "name": SESSION_COOKIE},
                "token": {"type": "http", "scheme": "bearer"},
            },
        },
        "security": [{"session": []}, {"token": []}],
    }


def _openapi_path(path: str) -> str:
    import re

    return re.sub(r"\{(\w+):\w+\}", r"{\1}", path)


def _path_params(path: str) -> list[tuple[str, dict[str, Any]]]:
    import re

    out: list[tuple[str, dict[str, Any]]] = []
    for name, conv in re.findall(r"\{(\w+)(?::(\w+))?\}", path):
        if conv == "int":
            out.append((name, {"type": "integer", "minimum": 0, "maximum": DB_INT_MAX}))
        else:
            out.append((name, {"type": "string"}))
    return out
