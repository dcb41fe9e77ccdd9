"""The composition root: builds the Starlette app from settings."""

from __future__ import annotations

import gc
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
from documents.exchange import sender as exchange_sender
from documents.notification_delivery import reminder_loop
from ecabinet.api import (  # noqa: F401  (importing registers the routes)
    health,
    metrics_page,
    routes_activation,
    routes_admin,
    routes_admin_agencies,
    routes_admin_users,
    routes_agency_directory,
    routes_annotations,
    routes_audit,
    routes_audit_log,
    routes_auth,
    routes_axis,
    routes_consultations,
    routes_credentials,
    routes_document_copies,
    routes_document_exchange,
    routes_document_lookups,
    routes_document_reports,
    routes_document_steps,
    routes_documents,
    routes_exchange,
    routes_exchange_console,
    routes_exchange_proofs,
    routes_files,
    routes_guardians,
    routes_meetings,
    routes_minutes,
    routes_notifications,
    routes_outcome,
    routes_public_documents,
    routes_public_log,
    routes_public_record,
    routes_signing,
    routes_speakers,
    routes_tokens,
    routes_votes,
    routes_work_queue,
)
from ecabinet.api.errors import HANDLERS, error_response
from ecabinet.api.framework import AppContext, openapi
from ecabinet.api.middleware import BodyLimit, RefuseNul, SecurityHeaders
from ecabinet.api.observe import Observe
from ecabinet.api.registry import api
from ecabinet.core import db, errors, metrics, sandbox, scheduler
from ecabinet.core.settings import Settings
from ecabinet.core.storage import ObjectStore, open_store
from ecabinet.core.storage_timed import timed
from ecabinet.exchange import puller as exchange_puller
from ecabinet.meetings import annotate, consultation_reminders, notices
from ecabinet.operations import audit_anchors
from ecabinet.operations.retention import once_a_day
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
        store=timed(store or open_store(settings)),
    )
    document = api_document()

    async def openapi_json(_request: Request) -> Response:
        return JSONResponse(document)

    async def api_not_found(_request: Request) -> Response:
        return error_response(errors.route_not_found())

    routes: list[BaseRoute] = [
        *health.routes(ctx.settings, ctx.engine, ctx.store),
        Route("/api/v1/openapi.json", openapi_json, methods=["GET"]),
        metrics_page.route(ctx, lambda c: health.readiness(c.settings, c.engine, c.store)),
        *api.routes(),
        *public_pages.routes(ctx, frontend_dist),
        *_frontend_routes(frontend_dist),
    ]

    @asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[None]:
        async with anyio.create_task_group() as background:
            if settings.reminder_minutes > 0:  # in whichever process is the scheduler
                loop = partial(
                    reminder_loop,
                    ctx.engine,
                    settings,
                    tick=settings.scheduler_seconds,
                    also=[consultation_reminders.remind, once_a_day(ctx.store, settings)],
                    every_tick=[notices.notify_soon, audit_anchors.job(settings)],
                )
                background.start_soon(
                    partial(
                        scheduler.lead,
                        scheduler.lock_for(settings),
                        loop,
                        every=settings.scheduler_takeover_seconds,
                    )
                )
            if settings.exchange_send_seconds > 0 and settings.exchange_peers:
                pull = partial(exchange_puller.pull_once, ctx.engine, ctx.store, settings)
                also = [pull] if settings.national_axis_url else []
                background.start_soon(exchange_sender.run, ctx.engine, ctx.store, settings, also)
            yield
            background.cancel_scope.cancel()
        metrics.SCHEDULER_LEADER.set(0)
        metrics.process_stopped()
        for close in getattr(_app.state, "closers", ()):  # e.g. the ballot box's workers
            close()
        ctx.engine.dispose()

    app = ObservedApp(
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
    app.observe = partial(
        Observe,
        trusted_proxies=settings.trusted_proxies,
        after=metrics_page.PoolGauges(ctx.engine),
    )
    return app


class ObservedApp(Starlette):
    """Starlette with :class:`~ecabinet.api.observe.Observe` outside its error handling:
    a 500 is counted, logged with its request id and answered with it too."""

    observe: Callable[[ASGIApp], ASGIApp] | None = None

    def build_middleware_stack(self) -> ASGIApp:
        stack = super().build_middleware_stack()
        return self.observe(stack) if self.observe is not None else stack


def create_asgi(
    settings: Settings,
    *,
    engine: Engine | None = None,
    store: ObjectStore | None = None,
    frontend_dist: Path = FRONTEND_DIST,
) -> ASGIApp:
    """The served application: Socket.IO at ``/socket.io`` beside the Starlette app."""
    import socketio

    from realtime.namespaces.meetings import NAMESPACE
    from realtime.server import create_server, publisher

    app = create_app(settings, engine=engine, store=store, frontend_dist=frontend_dist)
    ctx: AppContext = app.state.ctx
    sio = create_server(ctx.settings, ctx.engine, ctx.store)
    app.state.sio = sio
    app.state.closers = [sio.namespace_handlers[NAMESPACE].ballots.close]
    ctx.publish = publisher(sio)
    asgi: ASGIApp = socketio.ASGIApp(sio, other_asgi_app=app, socketio_path="socket.io")
    return asgi


GC_YOUNG, GC_MIDDLE, GC_OLD = 50_000, 20, 20
"""Collector thresholds for the served process (Python's are 700, 10, 10); decision 0009."""


def served() -> ASGIApp:
    """The app of one ``ecabinet serve`` worker, from the environment: the factory that
    uvicorn calls in each process (``uvicorn --factory ecabinet.app:served``)."""
    from ecabinet.api.observe import forwarded
    from ecabinet.core import logs

    settings = Settings.from_env()
    logs.configure(settings.log_level, settings.log_format)
    # X-Forwarded-For/-Proto of the trusted proxies, keeping the connection's own address
    # to decide whether to believe an X-Request-ID.
    app = forwarded(create_asgi(settings), settings.trusted_proxies)
    # Decision 0009: what start-up built lives as long as the process, so it leaves the
    # collector's reach (a full collection then walks only what came after, such as the
    # live tablets' connections). Each worker does it for itself.
    gc.collect()
    gc.freeze()
    gc.set_threshold(GC_YOUNG, GC_MIDDLE, GC_OLD)
    return app


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
