"""The public transparency page: server-rendered HTML that reads without JavaScript, on
a phone as on a desktop, Vietnamese first (``?lang=en`` for English). Only what
``documents.public_queries`` finds is shown: published documents, withdrawn or expired
ones marked with date and reason."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import anyio.to_thread
from sqlmodel import Session
from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route
from starlette.templating import Jinja2Templates

from documents import public_queries, publication, publication_log, sectors
from documents.public_queries import PublicFilter, PublicItem
from documents.publication_models import Publication
from documents.symbols import format_number_symbol
from ecabinet.api import conditional
from ecabinet.api.framework import AppContext
from ecabinet.core import errors
from ecabinet.core.db import session_scope
from ecabinet.public import feeds
from ecabinet.public.plain import PlainReport, plain
from ecabinet.public.texts import TEXTS
from ecabinet.signatures import service
from signing.pdfio import VN

TEMPLATES = Path(__file__).resolve().parents[2] / "frontend" / "templates"
PAGE = 20
Facets = tuple[list[tuple[str, str]], list[tuple[str, str]]]


def _number(item: PublicItem) -> str:
    return format_number_symbol(item.document.number, item.document.symbol)


def _day(value: date | None) -> str:
    return value.strftime("%d/%m/%Y") if value else "—"


def _moment(value: datetime | None) -> str:
    return value.astimezone(VN).strftime("%H:%M %d/%m/%Y") if value else "—"


def _lang(request: Request) -> str:
    return "en" if request.query_params.get("lang") == "en" else "vi"


def routes(ctx: AppContext) -> list[BaseRoute]:
    templates = Jinja2Templates(directory=str(TEMPLATES))
    env = templates.env
    env.globals.update(number=_number, day=_day, moment=_moment, sector_name=sectors.name)

    def render(request: Request, name: str, status: int = 200, **values: Any) -> Response:
        lang = _lang(request)
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

    async def cached(
        request: Request, build: Callable[[Session], Response], max_age: int = 60
    ) -> Response:
        """``build``'s answer with ETag and Last-Modified, or a 304 when the visitor's copy
        is current (one small query: see ``ecabinet.api.conditional``)."""

        def run() -> Response:
            with session_scope(ctx.engine, write=False) as session:
                fresh, headers = conditional.check(request, session, max_age)
                if fresh is not None:
                    return fresh
                response = build(session)
            if response.status_code == 200:
                response.headers.update(headers)
            return response

        return await anyio.to_thread.run_sync(run)

    known: dict[int, Facets] = {}

    def facets(session: Session) -> Facets:
        """The search form's choices, computed again only when the publication log grew
        (every act appends to it; one primary-key read to know)."""
        size = publication_log.size_of(session)
        if size not in known:
            known.clear()
            known[size] = public_queries.facets(session)
        return known[size]

    async def listing(request: Request) -> Response:
        q = request.query_params
        values = {k: (q.get(k) or "").strip()[:200] for k in public_queries.FIELDS}
        lang = _lang(request)
        try:
            page_no = max(1, min(500, int(q.get("trang") or 1)))
        except ValueError:
            page_no = 1

        def build(session: Session) -> Response:
            problem = ""
            try:
                f = public_queries.filter_from(q, page=page_no, limit=PAGE)
                found = public_queries.published(session, f)
            except errors.DomainError as exc:
                found, problem = _EMPTY, exc.vi if lang == "vi" else exc.en
            types, agencies = facets(session)

            def page_url(n: int) -> str:
                query = {k: v for k, v in values.items() if v} | {"trang": str(n)}
                if lang == "en":
                    query["lang"] = "en"
                return "/cong-khai?" + urlencode(query)

            return render(
                request,
                "public/list.html",
                422 if problem else 200,
                f=values,
                page=found,
                types=types,
                agencies=agencies,
                sector_list=list(sectors.SECTORS),
                error=problem,
                prev_url=page_url(page_no - 1) if page_no > 1 else "",
                next_url=page_url(page_no + 1) if more(found, page_no) else "",
            )

        return await cached(request, build)

    @lru_cache(maxsize=512)
    def report_of(sha256: str) -> PlainReport:
        """The published file's signature report (validated once per file and process)."""
        try:
            data = ctx.store.read_bytes(sha256)
        except errors.DomainError:
            return PlainReport(ok=False, vi=["—"], en=["—"], detail="—")
        return plain(service.validate_upload(ctx.signing, data))

    async def detail(request: Request) -> Response:
        slug = f"{request.path_params['year']}/{request.path_params['name']}"

        def build(session: Session) -> Response:
            item = public_queries.by_slug(session, slug)
            if item is None:
                return render(
                    request,
                    "public/list.html",
                    404,
                    f={},
                    page=_EMPTY,
                    types=[],
                    agencies=[],
                    sector_list=[],
                    error=TEXTS[_lang(request)]["not_found"],
                    prev_url="",
                    next_url="",
                )
            return render(
                request,
                "public/detail.html",
                item=item,
                related=public_queries.related(session, item.publication.document_id),
                report=report_of(item.publication.sha256),
                pdf_url=f"/api/v1/public/documents/{slug}/pdf",
            )

        return await cached(request, build)

    async def verify_page(request: Request) -> Response:
        return render(request, "public/verify.html", result=None, error="")

    async def verify_upload(request: Request) -> Response:
        lang = _lang(request)
        limit = ctx.settings.validate_max_bytes
        try:
            ctx.validate_limit.check(request.client.host if request.client else "")
            form = await request.form(max_files=1, max_fields=5)
            upload = form.get("file")
            if not isinstance(upload, UploadFile):
                raise errors.InvalidInput(
                    "validate.empty", "Chưa gửi tệp PDF nào.", "No PDF was sent."
                )
            data = await upload.read(limit + 1)
            if not data:
                raise errors.InvalidInput(
                    "validate.empty", "Chưa gửi tệp PDF nào.", "No PDF was sent."
                )
            if len(data) > limit:
                raise errors.TooLarge(
                    "validate.too_large", "Tệp quá lớn.", "The file is too large."
                )
            report = await anyio.to_thread.run_sync(service.validate_upload, ctx.signing, data)
        except errors.DomainError as exc:
            status = (
                429
                if isinstance(exc, errors.RateLimited)
                else 413
                if isinstance(exc, errors.TooLarge)
                else 422
            )
            return render(
                request,
                "public/verify.html",
                status,
                result=None,
                error=exc.vi if lang == "vi" else exc.en,
            )

        def run() -> Publication | None:
            with session_scope(ctx.engine, write=False) as session:
                return publication.by_sha256(session, report.sha256)

        found = await anyio.to_thread.run_sync(run)
        result = {"published": found, "report": plain(report)}
        return render(request, "public/verify.html", result=result, error="")

    async def feed(request: Request) -> Response:
        q = request.query_params
        agency = (q.get("co_quan") or "").strip()[:40] or None
        kind = (q.get("loai") or "").strip()[:10] or None
        base = ctx.settings.public_base_url.rstrip("/")
        self_url = base + request.url.path + (f"?{request.url.query}" if request.url.query else "")

        def build(session: Session) -> Response:
            found = public_queries.published(
                session,
                PublicFilter(agency_code=agency, type_code=kind, by_publication=True, limit=50),
            )
            return Response(
                feeds.atom(found, base, TEXTS["vi"]["site"], self_url),
                media_type="application/atom+xml; charset=utf-8",
            )

        return await cached(request, build, max_age=300)

    async def sitemap(request: Request) -> Response:
        base = ctx.settings.public_base_url.rstrip("/")

        def build(session: Session) -> Response:
            return Response(
                feeds.sitemap(public_queries.slugs(session), base),
                media_type="application/xml; charset=utf-8",
            )

        return await cached(request, build, max_age=3600)

    return [
        Route("/cong-khai/feed.atom", feed, methods=["GET"]),
        Route("/sitemap.xml", sitemap, methods=["GET"]),
        Route("/cong-khai", listing, methods=["GET"]),
        Route("/cong-khai/kiem-tra", verify_page, methods=["GET"]),
        Route("/cong-khai/kiem-tra", verify_upload, methods=["POST"]),
        Route("/cong-khai/{year:int}/{name}", detail, methods=["GET"]),
    ]


_EMPTY = public_queries.PublicPage(items=[], total=0, exact=True)


def more(found: public_queries.PublicPage, page_no: int) -> bool:
    return not found.exact or found.total > page_no * PAGE
