"""A public page whose data cannot be read now (the database or the file store is away):
a 503 page in the visitor's language with the other one beside it, ``Retry-After``, and
one log line, instead of a server error and its traceback."""

from __future__ import annotations

import logging

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from ecabinet.core import errors
from ecabinet.public.render import Render, lang_of
from ecabinet.public.texts import TEXTS

TEMPLATE = "public/unavailable.html"
RETRY_AFTER = 30
"""Seconds a visitor's browser or a crawler is asked to wait."""
log = logging.getLogger("ecabinet.public")


def guarded(routes: list[BaseRoute], render: Render) -> list[BaseRoute]:
    """The same routes, each answering an outside service's outage with the 503 page."""
    return [_guard(route, render) if isinstance(route, Route) else route for route in routes]


def _guard(route: Route, render: Render) -> Route:
    endpoint = route.endpoint

    async def page(request: Request) -> Response:
        try:
            response: Response = await endpoint(request)
        except errors.Unavailable as exc:
            errors.log_outage(log, f"{request.method} {request.url.path}", exc)
            other = TEXTS["vi" if lang_of(request) == "en" else "en"]
            response = render(request, TEMPLATE, 503, other=other)
            response.headers["Retry-After"] = str(RETRY_AFTER)
        return response

    return Route(route.path, page, methods=list(route.methods or ()), name=route.name)
