"""Published documents as open data (no login): a list with the public page's filters and
paging, one document by its stable address, its PDF. Every answer carries an ETag that
changes with the publication log (each publication, withdrawal or expiry appends to it),
and Last-Modified, so a repeated visit costs one small query and a 304."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, Field
from sqlmodel import Session, col, select
from starlette.responses import Response

from documents import public_queries, sectors
from documents.public_queries import PublicFilter, PublicItem
from documents.symbols import format_number_symbol
from ecabinet.api.download import file_response
from ecabinet.api.framework import Call, model_json
from ecabinet.api.registry import api
from ecabinet.core import conditional, errors
from ecabinet.core.files import StoredFile

TAG = "public"
PAGE = 20


def _conditional(call: Call, session: Session) -> tuple[Response | None, dict[str, str]]:
    """A 304 when the caller's copy is current, and the headers a fresh answer carries."""
    url = call.request.url
    fresh, headers = conditional.check(
        call.request.headers, f"{url.path}?{url.query}", public_queries.version(session)
    )
    return (Response(status_code=304, headers=headers) if fresh else None), headers


class PublicDocumentOut(BaseModel):
    slug: str
    number_symbol: str
    type: str
    agency: str
    signer: str
    signer_title: str
    issued_on: date | None
    abstract: str
    state: str = Field(description="published, withdrawn (đã thu hồi) or expired (hết hiệu lực)")
    published_at: datetime
    ended_on: date | None
    reason: str
    sha256: str
    log_seq: int
    sector: str = Field(description="Lĩnh vực: a code of GET /public/sectors")

    @classmethod
    def of(cls, item: PublicItem) -> PublicDocumentOut:
        d, p = item.document, item.publication
        return cls(
            slug=p.slug,
            number_symbol=format_number_symbol(d.number, d.symbol),
            type=item.type_name,
            agency=item.agency_name,
            signer=d.signer_name,
            signer_title=d.signer_title,
            issued_on=d.issued_on,
            abstract=d.abstract,
            state=p.state,
            published_at=p.published_at,
            ended_on=p.ended_on,
            reason=p.reason,
            sha256=p.sha256,
            log_seq=p.log_seq,
            sector=p.sector,
        )


class RelatedOut(BaseModel):
    relation: str = Field(description="replaces, replaced_by, amends or amended_by")
    slug: str
    number_symbol: str
    type: str
    abstract: str
    state: str


class PublicDocumentFull(PublicDocumentOut):
    related: list[RelatedOut]


class SectorOut(BaseModel):
    code: str
    name: str
    name_en: str


class SectorList(BaseModel):
    items: list[SectorOut]


class PublicList(BaseModel):
    items: list[PublicDocumentOut]
    total: int
    exact: bool = Field(description="False: more than total match")
    page: int


def _filter(call: Call) -> tuple[PublicFilter, int]:
    page = call.query_int("page", required=False) or 1
    if page > 500:
        raise errors.InvalidInput(
            "public.bad_page", "Số trang quá lớn.", "The page number is too large."
        )
    return public_queries.filter_from(call.request.query_params, page=page, limit=PAGE), page


@api.route(
    "/public/documents",
    "GET",
    "Published documents, newest first: ?q= (full text) &so= &loai= &co_quan= &nguoi_ky="
    " &tu_ngay= &den_ngay= &trang_thai= &page=",
    responses={200: PublicList, 304: "Not modified"},
    tag=TAG,
    public=True,
)
async def documents(call: Call) -> Response:
    f, page = _filter(call)

    def run(session: Session) -> Response:
        fresh, headers = _conditional(call, session)
        if fresh is not None:
            return fresh
        found = public_queries.published(session, f)
        body = PublicList(
            items=[PublicDocumentOut.of(i) for i in found.items],
            total=found.total,
            exact=found.exact,
            page=page,
        )
        return model_json(body, headers=headers)

    return await call.db(run, write=False)


@api.route(
    "/public/documents/{year:int}/{name}",
    "GET",
    "One published document by its stable address (e.g. 2026/12-QĐ-UBND)",
    responses={200: PublicDocumentFull, 304: "Not modified"},
    tag=TAG,
    public=True,
)
async def document(call: Call) -> Response:
    slug = f"{call.request.path_params['year']}/{call.request.path_params['name']}"

    def run(session: Session) -> Response:
        fresh, headers = _conditional(call, session)
        if fresh is not None:
            return fresh
        item = public_queries.by_slug(session, slug)
        if item is None:
            raise errors.NotFound.of("văn bản công khai", "Published document", "public.not_found")
        related = [
            RelatedOut(
                relation=r.relation,
                slug=r.slug,
                number_symbol=r.number_symbol,
                type=r.type_name,
                abstract=r.abstract,
                state=r.state,
            )
            for r in public_queries.related(session, item.publication.document_id)
        ]
        body = PublicDocumentFull(**PublicDocumentOut.of(item).model_dump(), related=related)
        return model_json(body, headers=headers)

    return await call.db(run, write=False)


@api.route(
    "/public/documents/{year:int}/{name}/pdf",
    "GET",
    "The published PDF, exactly as published (ETag: its SHA-256)",
    responses={200: "The PDF", 206: "Part of it"},
    tag=TAG,
    public=True,
)
async def pdf(call: Call) -> Response:
    slug = f"{call.request.path_params['year']}/{call.request.path_params['name']}"

    def run(session: Session) -> StoredFile:
        item = public_queries.by_slug(session, slug)
        stored = (
            session.exec(
                select(StoredFile).where(col(StoredFile.sha256) == item.publication.sha256)
            ).first()
            if item
            else None
        )
        if stored is None:
            raise errors.NotFound.of("văn bản công khai", "Published document", "public.not_found")
        return stored

    return await file_response(call.request, call.ctx.store, await call.db(run, write=False))


@api.route(
    "/public/sectors",
    "GET",
    "The sectors (lĩnh vực) published documents are filed under",
    responses={200: SectorList},
    tag=TAG,
    public=True,
)
async def sector_list(call: Call) -> Response:
    items = [SectorOut(code=c, name=vi, name_en=en) for c, (vi, en) in sectors.SECTORS.items()]
    return model_json(SectorList(items=items))
