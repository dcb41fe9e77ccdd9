"""The publication log as pages people can read: the log's latest entries and root, and
the evidence for one entry (what was recorded and when, the entry as hashed, and its
inclusion proof in the log as it is now), each with the JSON addresses a program checks
it with (the JSON API serves those)."""

from __future__ import annotations

import json
from typing import Any

from sqlmodel import Session, col, select
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from documents import publication_log as log
from documents.publication_log_models import LogEntry
from ecabinet.public.context import PublicContext
from ecabinet.public.render import Render, cached, lang_of
from ecabinet.public.texts import TEXTS

TEMPLATE = "public/evidence.html"
LATEST = 20


def _fields(payload: str) -> dict[str, Any]:
    try:
        value = json.loads(payload)
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def routes(ctx: PublicContext, render: Render) -> list[BaseRoute]:
    async def entry(request: Request) -> Response:
        seq: int = request.path_params["seq"]

        def build(session: Session) -> Response:
            size = log.size_of(session)
            row = session.get(LogEntry, seq) if seq < size else None
            if row is None:
                t = TEXTS[lang_of(request)]
                return render(request, TEMPLATE, 404, entry=None, error=t["log_not_found"])
            fields = _fields(row.payload)
            return render(
                request,
                TEMPLATE,
                entry=row,
                error="",
                slug=str(fields.get("slug") or ""),
                payload=json.dumps(fields, ensure_ascii=False, indent=2) if fields else row.payload,
                leaf_hash=log.entry_leaf(row).hex(),
                tree_size=size,
                root_hash=log.root(session, size).hex(),
                audit_path=[h.hex() for h in log.inclusion(session, seq, size)],
            )

        return await cached(ctx.engine, request, build)

    async def latest(request: Request) -> Response:
        def build(session: Session) -> Response:
            size = log.size_of(session)
            rows = session.exec(
                select(LogEntry).order_by(col(LogEntry.seq).desc()).limit(LATEST)
            ).all()
            return render(
                request,
                "public/log.html",
                tree_size=size,
                root_hash=log.root(session, size).hex(),
                entries=[(row, str(_fields(row.payload).get("slug") or "")) for row in rows],
            )

        return await cached(ctx.engine, request, build)

    return [
        Route("/cong-khai/nhat-ky", latest, methods=["GET"]),
        Route("/cong-khai/nhat-ky/{seq:int}", entry, methods=["GET"]),
    ]
