"""The composition root: builds the Starlette app from settings."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from functools import partial
from pathlib import Path
from typing import Any

import anyio.to_thread
from sqlalchemy import Engine
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, JSONResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp

import ecabinet
from documents.notification_delivery import reminder_loop
from ecabinet.api import (  # noqa: F401  (importing registers the routes)
    routes_activation,
    routes_admin,
    routes_admin_agencies,
    routes_admin_users,
    routes_annotations,
    routes_audit,
    routes_auth,
    routes_consultations,
    routes_credentials,
    routes_document_copies,
    routes_document_exchange,
    routes_document_lookups,
    routes_document_reports,
    routes_document_steps,
    routes_documents,
    routes_files,
    routes_meetings,
    routes_minutes,
    routes_notifications,
    routes_outcome,
    routes_public_documents,
    routes_public_log,
    routes_signing,
    routes_speakers,
    routes_tokens,
    routes_votes,
    routes_work_queue,
)
from ecabinet.api.errors import HANDLERS, error_response
from ecabinet.api.framework import AppContext, openapi
from ecabinet.api.middleware import BodyLimit, RefuseNul, SecurityHeaders
from ecabinet.api.registry import api
from ecabinet.core import db, errors, sandbox
from ecabinet.core.settings import Settings
from ecabinet.core.storage import ObjectStore, open_store
from ecabinet.meetings import annotate, consultation_reminders, notices
from ecabinet.public import pages as public_pages
from ecabinet.signatures import intake

log = logging.getLogger("ecabinet")
FRONTEND_DIST = Path(__file__).resolve().parent.parent / "frontend" / "dist"


def api_document() -> dict[str, Any]:
    """The OpenAPI document of ``/api/v1`` (served, and dumped by ``ecabinet openapi``)."""
    return openapi(api, title="eCabinet API", version=ecabinet.__version__)


def create_app(
    settings: Settings,
    *,
    engine: Engine | None = None,
    store: ObjectStore | None = None,
    frontend_dist: Path = FRONTEND_DIST,
) -> Starlette:
    """Build the app. ``engine`` and ``store`` default to those the settings describe."""
    settings = settings.with_secret()
    sandbox.preload([*intake.MODULES, *annotate.MODULES])
    ctx = AppContext(
        settings=settings,
        engine=engine or db.make_engine(settings),
        store=store or open_store(settings),
    )
    document = api_document()

    async def openapi_json(_request: Request) -> Response:
        return JSONResponse(document)

    async def healthz(_request: Request) -> Response:
        return JSONResponse({"status": "ok"})

    async def readyz(_request: Request) -> Response:
        checks = await anyio.to_thread.run_sync(_readiness, ctx)
        ok = all(v == "ok" for v in checks.values())
        return JSONResponse(
            {"status": "ok" if ok else "unavailable", "checks": checks},
            status_code=200 if ok else 503,
        )

    async def api_not_found(_request: Request) -> Response:
        return error_response(errors.route_not_found())

    routes: list[BaseRoute] = [
        Route("/healthz", healthz, methods=["GET"]),
        Route("/readyz", readyz, methods=["GET"]),
        Route("/api/v1/openapi.json", openapi_json, methods=["GET"]),
        *api.routes(),
        *public_pages.routes(ctx, frontend_dist),
        *_frontend_routes(frontend_dist),
    ]

    @asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[None]:
        async with anyio.create_task_group() as background:
            if settings.reminder_minutes > 0:  # reminders, e-mail and SMS, in this process
                also = [consultation_reminders.remind]
                loop = partial(
                    reminder_loop, ctx.engine, settings, also=also, every_tick=[notices.notify_soon]
                )
                background.start_soon(loop)
            yield
            background.cancel_scope.cancel()
        ctx.engine.dispose()

    app = Starlette(
        routes=routes,
        middleware=[
            Middleware(SecurityHeaders),
            Middleware(BodyLimit, limit=settings.max_upload_bytes),
            Middleware(RefuseNul),
        ],
        exception_handlers=HANDLERS,
        lifespan=lifespan,
    )
    app.state.ctx = ctx
    return app


def create_asgi(
    settings: Settings,
    *,
    engine: Engine | None = None,
    store: ObjectStore | None = None,
    frontend_dist: Path = FRONTEND_DIST,
) -> ASGIApp:
    """The served application: Socket.IO at ``/socket.io`` beside the Starlette app."""
    import socketio

    from realtime.server import create_server, publisher

    app = create_app(settings, engine=engine, store=store, frontend_dist=frontend_dist)
    ctx: AppContext = app.state.ctx
    sio = create_server(ctx.settings, ctx.engine, ctx.store)
    app.state.sio = sio
    ctx.publish = publisher(sio)
    asgi: ASGIApp = socketio.ASGIApp(sio, other_asgi_app=app, socketio_path="socket.io")
    return asgi


def _readiness(ctx: AppContext) -> dict[str, str]:
    checks: dict[str, str] = {}
    probes: list[tuple[str, Callable[[], None]]] = [
        ("database", lambda: db.check(ctx.engine)),
        ("storage", ctx.store.check),
    ]
    for name, check in probes:
        try:
            check()
            checks[name] = "ok"
        except errors.DomainError as exc:
            checks[name] = exc.code
    if ctx.settings.redis_url:
        checks["redis"] = _redis_check(ctx.settings.redis_url)
    return checks


def _redis_check(url: str) -> str:
    import redis

    try:
        client: Any = redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)
        client.ping()
        client.close()
        return "ok"
    except Exception:
        return "redis.unavailable"


def _frontend_routes(dist: Path) -> list[BaseRoute]:
    index = dist / "index.html"

    async def spa(request: Request) -> Response:
        if request.url.path.startswith(("/api/", "/socket.io/")):
            return error_response(errors.route_not_found())
        if index.exists():
            return FileResponse(index, headers={"Cache-Control": "no-cache"})
        return HTMLResponse(
            "<!doctype html><html lang=vi><meta charset=utf-8><title>eCabinet</title>"
            "<p>Ứng dụng web chưa được build: chạy <code>make run</code>."
            " / The web app is not built: run <code>make run</code>.</p>",
            status_code=503,
        )

    async def service_worker(_request: Request) -> Response:
        # Served from the root so that its scope is the whole app (tablets read meeting
        # documents offline); never cached, so a new build's worker is picked up.
        return FileResponse(
            dist / "sw.js", media_type="text/javascript", headers={"Cache-Control": "no-cache"}
        )

    routes: list[BaseRoute] = []
    if (dist / "sw.js").is_file():
        routes.append(Route("/sw.js", service_worker, methods=["GET"]))
    if (dist / "assets").is_dir():
        routes.append(Mount("/assets", StaticFiles(directory=dist / "assets"), name="assets"))
    routes.append(Route("/{path:path}", spa, methods=["GET", "HEAD"]))
    return routes
