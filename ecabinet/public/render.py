"""How a public page is drawn: the Jinja templates in ``frontend/templates/public``, the
visitor's language (Vietnamese first, ``?lang=en`` for English), the formats of numbers
and dates, and the viewer script built with the web app (found in Vite's manifest)."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import anyio.to_thread
from sqlalchemy import Engine
from sqlmodel import Session
from starlette.requests import Request
from starlette.responses import Response
from starlette.templating import Jinja2Templates

from documents import public_queries, sectors
from documents.public_queries import PublicItem
from documents.symbols import format_number_symbol
from ecabinet.core import conditional
from ecabinet.core.db import session_scope
from ecabinet.public.texts import TEXTS
from signing.pdfio import VN

TEMPLATES = Path(__file__).resolve().parents[2] / "frontend" / "templates"
VIEWER_ENTRY = "src/public/viewer.tsx"
Render = Callable[..., Response]


def lang_of(request: Request) -> str:
    return "en" if request.query_params.get("lang") == "en" else "vi"


def viewer_script(dist: Path) -> str:
    """The address of the public pages' PDF viewer script in the built web app, or ``""``
    when the app is not built (the pages then offer the download link alone)."""
    try:
        manifest = json.loads((dist / ".vite" / "manifest.json").read_text(encoding="utf-8"))
        return "/" + str(manifest[VIEWER_ENTRY]["file"])
    except (OSError, ValueError, KeyError, TypeError):
        return ""


def _number(item: PublicItem) -> str:
    """The logged number and symbol (the row's only when the log has no entry: the page
    then shows the notice and nothing else of it)."""
    if item.shown is not None:
        return item.shown.number_symbol
    return format_number_symbol(item.document.number, item.document.symbol)


def _day(value: date | None) -> str:
    return value.strftime("%d/%m/%Y") if value else "—"


def _moment(value: datetime | None) -> str:
    return value.astimezone(VN).strftime("%H:%M %d/%m/%Y") if value else "—"


def renderer(script: str) -> Render:
    """``render(request, template, status=200, **values)``: a page in the visitor's
    language, with the link to the other language and the texts of both at hand;
    ``script`` is the viewer script's address (see :func:`viewer_script`)."""
    templates = Jinja2Templates(directory=str(TEMPLATES))
    templates.env.globals.update(
        number=_number,
        day=_day,
        moment=_moment,
        sector_name=sectors.name,
        viewer_script=script,
        texts=TEXTS,
    )

    def render(request: Request, name: str, status: int = 200, **values: Any) -> Response:
        lang = lang_of(request)
        other = "vi" if lang == "en" else "en"
        query = {k: v for k, v in request.query_params.items() if k != "lang"}
        if other == "en":
            query["lang"] = "en"
        return templates.TemplateResponse(
            request,
            name,
            {
                "lang": lang,
                "t": TEXTS[lang],
                "q_lang": "?lang=en" if lang == "en" else "",
                "other_lang": other,
                "other_lang_url": request.url.path + ("?" + urlencode(query) if query else ""),
                **values,
            },
            status_code=status,
            headers={"Cache-Control": "no-store"},
        )

    return render


async def cached(
    engine: Engine,
    request: Request,
    build: Callable[[Session], Response],
    max_age: int = 60,
    edition: str = "",
) -> Response:
    """``build``'s answer with ETag and Last-Modified, or a 304 when the visitor's copy is
    current (one small query: see :mod:`ecabinet.core.conditional`). ``edition`` names
    what else the answer depends on (the viewer script a new build renames)."""

    def run() -> Response:
        with session_scope(engine, write=False) as session:
            fresh, headers = conditional.check(
                request.headers,
                f"{edition}|{request.url.path}?{request.url.query}",
                public_queries.version(session),
                max_age,
            )
            if fresh:
                return Response(status_code=304, headers=headers)
            response = build(session)
        if response.status_code == 200:
            response.headers.update(headers)
        return response

    return await anyio.to_thread.run_sync(run)
