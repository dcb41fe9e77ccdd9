"""The one place that maps domain errors to HTTP statuses and JSON bodies."""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy.exc import SQLAlchemyError
from starlette.exceptions import HTTPException
from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse, Response

from ecabinet.core import db, errors
from signing.errors import SigningError

log = logging.getLogger("ecabinet.http")

STATUS_BY_KIND = {
    "invalid": 422,
    "unauthenticated": 401,
    "forbidden": 403,
    "not_found": 404,
    "conflict": 409,
    "too_large": 413,
    "rate_limited": 429,
    "unavailable": 503,
    "integrity": 500,
}


def _message(error: errors.DomainError) -> tuple[str, str, str]:
    return error.code, error.vi, error.en


_HTTP_MESSAGES: dict[int, tuple[str, str, str]] = {
    400: ("request.bad", "Yêu cầu không hợp lệ.", "Bad request."),
    404: _message(errors.route_not_found()),
    405: ("method.not_allowed", "Phương thức không được hỗ trợ.", "Method not allowed."),
    413: ("request.too_large", "Dữ liệu gửi lên quá lớn.", "The request body is too large."),
}


def error_response(error: errors.DomainError, status: int | None = None) -> JSONResponse:
    status = status or STATUS_BY_KIND.get(error.kind, 400)
    headers = {}
    retry = error.details.get("retry_after")
    if isinstance(retry, int):
        headers["Retry-After"] = str(retry)
    if status == 401:
        headers["WWW-Authenticate"] = 'Bearer realm="ecabinet"'
    return JSONResponse(error.as_dict(), status_code=status, headers=headers)


async def on_domain_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, errors.DomainError)
    if isinstance(exc, errors.Unavailable):
        errors.log_outage(log, f"{request.method} {request.url.path}", exc)
    elif exc.kind == "integrity":
        log.error("%s: %s", exc.code, exc.en, exc_info=exc.__cause__ or exc)
    return error_response(exc)


async def on_database_error(request: Request, exc: Exception) -> Response:
    """A database error that escaped :func:`ecabinet.core.db.session_scope` (a connection
    opened directly): an outage is a 503 like any other, anything else a 500."""
    if db.is_outage(exc):
        unavailable = db.unavailable()
        unavailable.__cause__ = exc
        return await on_domain_error(request, unavailable)
    return await on_unexpected(request, exc)


async def on_signing_error(_request: Request, exc: Exception) -> Response:
    assert isinstance(exc, SigningError)
    return error_response(errors.InvalidInput(exc.code, exc.vi, exc.en))


async def on_http_error(_request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    code, vi, en = _HTTP_MESSAGES.get(
        exc.status_code,
        (f"http.{exc.status_code}", "Yêu cầu không thực hiện được.", str(exc.detail)),
    )
    body: dict[str, Any] = {"code": code, "message": {"vi": vi, "en": en}, "details": {}}
    return JSONResponse(body, status_code=exc.status_code, headers=exc.headers)


async def on_client_gone(_request: Request, _exc: Exception) -> Response:
    # The client hung up mid-request (an aborted upload): nobody reads this answer.
    return Response(status_code=400)


async def on_unexpected(_request: Request, exc: Exception) -> Response:
    log.exception("unhandled error", exc_info=exc)
    body = {
        "code": "server.error",
        "message": {
            "vi": "Lỗi máy chủ. Sự cố đã được ghi lại.",
            "en": "Server error. It has been logged.",
        },
        "details": {},
    }
    return JSONResponse(body, status_code=500)


HANDLERS: dict[Any, Any] = {
    errors.DomainError: on_domain_error,
    HTTPException: on_http_error,
    SigningError: on_signing_error,
    SQLAlchemyError: on_database_error,
    ClientDisconnect: on_client_gone,
    Exception: on_unexpected,
}
