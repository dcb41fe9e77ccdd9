"""The public verify page: anyone uploads a PDF and reads its signature report and whether
the province published this exact file. Whatever is sent, the answer is this page, in the
visitor's language with the other one beside it: a 4xx for what cannot be checked (not a
PDF, empty, too large, too many tries), never the JSON API's error body."""

from __future__ import annotations

import anyio.to_thread
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from documents import publication_facts
from documents.publication_facts import Facts
from ecabinet.core import errors
from ecabinet.core.db import session_scope
from ecabinet.public.context import PublicContext
from ecabinet.public.plain import plain
from ecabinet.public.render import Render
from ecabinet.signatures import service
from signing.errors import SigningError
from signing.validation import Report

TEMPLATE = "public/verify.html"


def _no_file() -> errors.DomainError:
    return errors.InvalidInput("validate.empty", "Chưa gửi tệp PDF nào.", "No PDF was sent.")


def _status(exc: errors.DomainError) -> int:
    if isinstance(exc, errors.RateLimited):
        return 429
    return 413 if isinstance(exc, errors.TooLarge) else 422


def routes(ctx: PublicContext, render: Render) -> list[BaseRoute]:
    async def page(request: Request) -> Response:
        return render(request, TEMPLATE, result=None, error=None)

    async def report_of(request: Request) -> Report:
        """The report on the uploaded file; a domain error for anything that is not one
        PDF within the limits (a signing error, such as "not a PDF", becomes one)."""
        limit = ctx.settings.validate_max_bytes
        ctx.validate_limit.check(request.client.host if request.client else "")
        try:
            form = await request.form(max_files=1, max_fields=5)
        except HTTPException as exc:  # a malformed or oversized multipart body
            raise _no_file() from exc
        upload = form.get("file")
        if not isinstance(upload, UploadFile):
            raise _no_file()
        data = await upload.read(limit + 1)
        if not data:
            raise _no_file()
        if len(data) > limit:
            raise errors.TooLarge("validate.too_large", "Tệp quá lớn.", "The file is too large.")
        try:
            return await anyio.to_thread.run_sync(service.validate_upload, ctx.signing, data)
        except SigningError as exc:
            raise errors.InvalidInput(exc.code, exc.vi, exc.en) from exc

    async def upload(request: Request) -> Response:
        try:
            report = await report_of(request)
        except errors.DomainError as exc:
            return render(request, TEMPLATE, _status(exc), result=None, error=exc)

        def run() -> Facts | None:
            with session_scope(ctx.engine, write=False) as session:
                return publication_facts.published_file(session, report.sha256)

        found = await anyio.to_thread.run_sync(run)
        result = {"published": found, "report": plain(report)}
        return render(request, TEMPLATE, result=result, error=None)

    return [
        Route("/cong-khai/kiem-tra", page, methods=["GET"]),
        Route("/cong-khai/kiem-tra", upload, methods=["POST"]),
    ]
