"""Published documents as open data (no login): a list with the public page's filters and
paging, one document by its stable address, its PDF. Every answer carries an ETag that
changes with the publication log (each publication, withdrawal or expiry appends to it),
and Last-Modified, so a repeated visit costs one small query and a 304."""

from __future__ import annotations

import time
from datetime import date, datetime

import anyio.to_thread
from pydantic import BaseModel, Field
from sqlmodel import Session, col, select
from starlette.responses import Response

from documents import public_queries, publication_facts, sectors
from documents.public_queries import PublicFilter, PublicItem
from ecabinet.api.download import file_response
from ecabinet.api.framework import Call, model_json
from ecabinet.api.registry import api
from ecabinet.core import conditional, errors
from ecabinet.core.files import StoredFile
from ecabinet.core.storage import ObjectStore

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
    """A published document as the publication log states it (never the database's rows
    where they differ: ``contradicts`` then names the fields, and the operator is told)."""

    slug: str
    number_symbol: str
    type: str
    agency: str
    signer: str
    signer_title: str
    issued_on: date | None
    abstract: str
    state: str = Field(description="published, withdrawn (đã thu hồi) or expired (hết hiệu lực)")
    published_at: datetime | None
    ended_on: date | None
    reason: str
    sha256: str
    log_seq: int | None
    sector: str = Field(description="Lĩnh vực: a code of GET /public/sectors")
    contradicts: list[str] = Field(
        default=[],
        description="Fields where the server's database differs from the publication log"
        " (the values above are the log's); 'entry': the log has no entry for this row,"
        " and nothing of it is given",
    )

    @classmethod
    def of(cls, item: PublicItem) -> PublicDocumentOut:
        f = item.shown
        if f is None:
            return cls(
                slug=item.publication.slug,
                number_symbol="",
                type="",
                agency="",
                signer="",
                signer_title="",
                issued_on=None,
                abstract="",
                state="",
                published_at=None,
                ended_on=None,
                reason="",
                sha256="",
                log_seq=None,
                sector="",
                contradicts=list(item.contradicts),
            )
        return cls(
            slug=f.slug,
            number_symbol=f.number_symbol,
            type=item.type_name,
            agency=item.agency_name,
            signer=f.signer,
            signer_title=f.signer_title or "",
            issued_on=f.issued_on,
            abstract=f.abstract,
            state=f.state,
            published_at=f.published_at,
            ended_on=f.ended_on,
            reason=f.reason,
            sha256=f.sha256,
            log_seq=f.log_seq,
            sector=f.sector or "",
            contradicts=list(item.contradicts),
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
            for r in public_queries.related(session, item)
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
        if item is not None and item.shown is None:
            raise _not_logged()
        stored = (
            session.exec(
                select(StoredFile).where(col(StoredFile.sha256) == item.shown.sha256)
            ).first()
            if item and item.shown
            else None
        )
        if stored is None:
            raise errors.NotFound.of("văn bản công khai", "Published document", "public.not_found")
        return stored

    stored = await call.db(run, write=False)
    if call.request.headers.get("range"):
        await anyio.to_thread.run_sync(_check_whole, call.ctx.store, stored.sha256)
    # a whole read is hash-checked as it streams: altered bytes are cut before the end
    return await file_response(call.request, call.ctx.store, stored)


_CHECKED: dict[str, float] = {}
CHECK_AGAIN = 300.0


def _check_whole(store: ObjectStore, sha256: str) -> None:
    """Before a range of the published file is served (a range read is not hash-checked),
    check the whole file's hash against the logged one (again after ``CHECK_AGAIN``
    seconds): altered bytes are a 409 and the operator's alarm, never a range of them."""
    now = time.monotonic()
    if now - _CHECKED.get(sha256, -CHECK_AGAIN) < CHECK_AGAIN:
        return
    try:
        store.read_bytes(sha256)
    except errors.IntegrityFailure:
        _CHECKED.pop(sha256, None)
        publication_facts.alarm(
            [publication_facts.Contradiction(0, "file", "altered", sha256)], where="download"
        )
        raise errors.Conflict(
            "public.file_altered",
            "Tệp PDF lưu trên máy chủ không khớp mã băm đã ghi trong nhật ký công khai:"
            " tệp không được cung cấp.",
            "The stored PDF does not match the hash in the public log: it is not served.",
        ) from None
    if len(_CHECKED) > 4096:
        _CHECKED.clear()
    _CHECKED[sha256] = now


def _not_logged() -> errors.DomainError:
    return errors.Conflict(
        "public.not_in_log",
        "Văn bản này không có trong nhật ký công khai: tệp không được cung cấp.",
        "This document is not in the public log: its file is not served.",
    )


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
