"""The public check of a secret vote's election record: anyone uploads the record (the
JSON file a meeting's members download, whose SHA-256 the minutes cite) and reads whether
every proof holds and the counts follow, or each problem by field path; a voter may add
their tracking code to see whether their ballot is in it. The check is the command line's
(:func:`ecabinet.meetings.ballots.record_check.check_upload`). Whatever is sent, the
answer is this page: a 4xx for what cannot be checked, never a 500 or the API's body."""

from __future__ import annotations

import anyio.to_thread
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from ecabinet.core import errors
from ecabinet.meetings.ballots import record_check
from ecabinet.meetings.ballots.record_check import RecordCheck
from ecabinet.public.context import PublicContext
from ecabinet.public.render import Render

TEMPLATE = "public/record_verify.html"
PATH = "/cong-khai/kiem-tra-bieu-quyet"


def _status(exc: errors.DomainError) -> int:
    if isinstance(exc, errors.RateLimited):
        return 429
    return 413 if isinstance(exc, errors.TooLarge) else 422


def routes(ctx: PublicContext, render: Render) -> list[BaseRoute]:
    async def page(request: Request) -> Response:
        return render(request, TEMPLATE, result=None, error=None, code="")

    async def checked(request: Request) -> tuple[RecordCheck, str]:
        ctx.validate_limit.check(request.client.host if request.client else "")
        length = request.headers.get("content-length", "")
        if length.isdigit() and int(length) > record_check.MAX_BYTES + 64 * 1024:
            raise record_check.too_large()
        try:
            form = await request.form(max_files=1, max_fields=5)
        except HTTPException as exc:  # a malformed multipart body
            raise record_check.empty() from exc
        code = form.get("tracking_code")
        code = code[:200] if isinstance(code, str) else ""
        upload = form.get("file")
        if not isinstance(upload, UploadFile):
            raise record_check.empty()
        data = await upload.read(record_check.MAX_BYTES + 1)
        result = await anyio.to_thread.run_sync(record_check.check_upload, data, code)
        return result, code

    async def upload(request: Request) -> Response:
        try:
            result, code = await checked(request)
        except errors.DomainError as exc:
            return render(request, TEMPLATE, _status(exc), result=None, error=exc, code="")
        return render(request, TEMPLATE, result=result, error=None, code=code)

    return [
        Route(PATH, page, methods=["GET"]),
        Route(PATH, upload, methods=["POST"]),
    ]
