"""Log output: one line per record, as text or as JSON (``ECABINET_LOG_FORMAT``), each
carrying the id of the request it was written for (:mod:`ecabinet.core.requestctx`).

The standard library only: every module keeps its ``logging.getLogger(__name__)``; the
one handler on the root logger adds the request id and formats. Uvicorn is started with
``log_config=None`` so that its own lines go through the same handler.
"""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime
from typing import IO, Any

from ecabinet.core import requestctx

TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s]: %(message)s"
FIELDS = "fields"
"""``extra={FIELDS: {...}}``: values a JSON line carries as keys of their own (the
access log's method, route, status…)."""


class RequestIdFilter(logging.Filter):
    """Stamps each record with the current request's id (``-`` outside a request)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = requestctx.current_id() or "-"
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time (UTC), level, logger, message, request id, the
    record's own fields and, for an error, the traceback as one string."""

    def format(self, record: logging.LogRecord) -> str:
        stamped = getattr(record, "request_id", None)  # RequestIdFilter's, "-" for none
        line: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": stamped if stamped not in (None, "-") else requestctx.current_id(),
        }
        extra = getattr(record, FIELDS, None)
        if isinstance(extra, dict):
            line.update({k: v for k, v in extra.items() if k not in line})
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        elif record.exc_text:
            line["exception"] = record.exc_text
        return json.dumps(line, ensure_ascii=False, default=str)


def handler(log_format: str, stream: IO[str] | None = None) -> logging.Handler:
    """A handler writing ``log_format`` (``json`` or ``text``) lines to ``stream``
    (standard error by default)."""
    out = logging.StreamHandler(stream or sys.stderr)
    out.addFilter(RequestIdFilter())
    out.setFormatter(JsonFormatter() if log_format == "json" else logging.Formatter(TEXT_FORMAT))
    return out


def configure(level: str, log_format: str, stream: IO[str] | None = None) -> logging.Handler:
    """Replace the root logger's handlers by one of :func:`handler`; return it."""
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    out = handler(log_format, stream)
    root.addHandler(out)
    root.setLevel(level)
    for noisy in ("alembic", "fontTools"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    return out
