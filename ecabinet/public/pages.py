"""The public transparency page: server-rendered HTML that reads without JavaScript, on
a phone as on a desktop, Vietnamese first (``?lang=en`` for English). Only what
``documents.public_queries`` finds is shown: published documents, withdrawn or expired
ones marked with date and reason."""

from __future__ import annotations

import logging
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlencode

from sqlmodel import Session
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import BaseRoute, Route

from documents import public_queries, publication_log, sectors
from documents.public_queries import PublicFilter
from ecabinet.core import errors
from ecabinet.public import evidence, feeds, outage, record_verify, verify
from ecabinet.public.context import PublicContext
from ecabinet.public.plain import PlainReport, plain
from ecabinet.public.render import cached, lang_of, renderer, viewer_script
from ecabinet.public.texts import TEXTS
from ecabinet.signatures import service

PAGE = 20
log = logging.getLogger("ecabinet.public")
Facets = tuple[list[tuple[str, str]], list[tuple[str, str]]]


def routes(ctx: PublicContext, dist: Path) -> list[BaseRoute]:
    """The public pages; ``dist`` is the built web app (for the PDF viewer's script)."""
    script = viewer_script(dist)
    render = renderer(script)

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
        lang = lang_of(request)
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

        return await cached(ctx.engine, request, build)

    @lru_cache(maxsize=512)
    def checked_report(sha256: str) -> PlainReport:
        """The published file's signature report (validated once per file and process);
        raises Unavailable, which is not cached, while the file store is away."""
        try:
            data = ctx.store.read_bytes(sha256)
        except errors.Unavailable:
            raise
        except errors.DomainError:
            return _NO_REPORT
        return plain(service.validate_upload(ctx.signing, data))

    def report_of(sha256: str) -> PlainReport:
        """The report, or a dash while the store is away: the page is still served, and
        the report is read again once the store is back."""
        try:
            return checked_report(sha256)
        except errors.Unavailable as exc:
            errors.log_outage(log, f"signature report of {sha256[:12]}", exc)
            return _NO_REPORT

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
                    error=TEXTS[lang_of(request)]["not_found"],
                    prev_url="",
                    next_url="",
                )
            return render(
                request,
                "public/detail.html",
                item=item,
                related=public_queries.related(session, item),
                report=report_of(item.shown.sha256) if item.shown else _NO_REPORT,
                pdf_url=f"/api/v1/public/documents/{slug}/pdf",
            )

        return await cached(ctx.engine, request, build, edition=script)

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

        return await cached(ctx.engine, request, build, max_age=300)

    async def sitemap(request: Request) -> Response:
        base = ctx.settings.public_base_url.rstrip("/")

        def build(session: Session) -> Response:
            return Response(
                feeds.sitemap(public_queries.slugs(session), base),
                media_type="application/xml; charset=utf-8",
            )

        return await cached(ctx.engine, request, build, max_age=3600)

    async def robots(_request: Request) -> Response:
        base = ctx.settings.public_base_url.rstrip("/")
        return PlainTextResponse(
            ROBOTS.format(sitemap=f"{base}/sitemap.xml"),
            headers={"Cache-Control": "public, max-age=3600"},
        )

    pages: list[BaseRoute] = [
        Route("/cong-khai/feed.atom", feed, methods=["GET"]),
        Route("/sitemap.xml", sitemap, methods=["GET"]),
        Route("/robots.txt", robots, methods=["GET"]),
        Route("/cong-khai", listing, methods=["GET"]),
        Route("/cong-khai/{year:int}/{name}", detail, methods=["GET"]),
        *verify.routes(ctx, render),
        *record_verify.routes(ctx, render),
        *evidence.routes(ctx, render),
    ]
    return outage.guarded(pages, render)


# The public pages, their sitemap and the published PDFs (what a citizen searches for) are
# for everyone; the staff app and the rest of the JSON API are not for crawlers (the longer
# Allow wins over the Disallow, RFC 9309).
ROBOTS = """User-agent: *
Allow: /cong-khai
Allow: /sitemap.xml
Allow: /api/v1/public/documents/
Disallow: /api/
Disallow: /

Sitemap: {sitemap}
"""

_EMPTY = public_queries.PublicPage(items=[], total=0, exact=True)
_NO_REPORT = PlainReport(ok=False, vi=["—"], en=["—"], detail="—")


def more(found: public_queries.PublicPage, page_no: int) -> bool:
    return not found.exact or found.total > page_no * PAGE
