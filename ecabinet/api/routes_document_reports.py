"""Reports on documents: deadlines, statistics, register exports; my notifications."""

from __future__ import annotations

from datetime import date

import anyio.to_thread
from sqlmodel import Session
from starlette.responses import Response

from documents import deadlines, notifications, register_export, stats
from documents.export_rows import RegisterSheet
from ecabinet.api.framework import Call, model_json
from ecabinet.api.registry import api
from ecabinet.api.schemas_reports import (
    DeadlinesOut,
    NotificationList,
    NotificationOut,
    ReadAllOut,
    StatsOut,
)
from ecabinet.core.policy import Subject
from ecabinet.core.storage import content_disposition
from ecabinet.core.types import utcnow

TAG = "reports"
CONTENT_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
}


@api.route(
    "/documents/deadlines",
    "GET",
    "Open documents I may see that are overdue or due soon (?agency_id=)",
    responses={200: DeadlinesOut},
    tag=TAG,
)
async def document_deadlines(call: Call) -> Response:
    agency_id = call.query_int("agency_id", required=False)
    today, days = notifications.vn_today(), call.settings.due_soon_days
    found = await call.subject(
        lambda s, subj: deadlines.deadlines(
            s, subj, today=today, due_soon_days=days, agency_id=agency_id
        ),
        write=False,
    )
    return model_json(DeadlinesOut.of(found))


@api.route(
    "/documents/stats",
    "GET",
    "Statistics per agency and unit over a period (?from=&to=&agency_id=; default: this "
    "year to today)",
    responses={200: StatsOut},
    tag=TAG,
)
async def document_stats(call: Call) -> Response:
    today = notifications.vn_today()
    date_from = call.query_date("from") or date(today.year, 1, 1)
    date_to = call.query_date("to") or today
    agency_id = call.query_int("agency_id", required=False)
    found = await call.subject(
        lambda s, subj: stats.statistics(
            s, subj, date_from=date_from, date_to=date_to, today=today, agency_id=agency_id
        ),
        write=False,
    )
    return model_json(StatsOut.of(found))


async def _export(call: Call, fmt: str) -> Response:
    register_id: int = call.request.path_params["register_id"]
    printed_at = utcnow()

    def read(session: Session, subject: Subject) -> RegisterSheet:
        return register_export.register_sheet(session, subject, register_id, printed_at)

    sheet = await call.subject(read, write=False)
    data = await anyio.to_thread.run_sync(register_export.export, sheet, fmt)
    return Response(
        data,
        media_type=CONTENT_TYPES[fmt],
        headers={
            "Content-Disposition": content_disposition(
                register_export.filename(sheet, fmt), inline=False
            ),
            "Cache-Control": "no-store",
        },
    )


@api.route(
    "/registers/{register_id:int}/export.xlsx",
    "GET",
    "The register as an Excel workbook (Decree 30 Appendix IV; documents I may see)",
    responses={200: "The XLSX file"},
    tag=TAG,
)
async def export_xlsx(call: Call) -> Response:
    return await _export(call, "xlsx")


@api.route(
    "/registers/{register_id:int}/export.pdf",
    "GET",
    "The register as a PDF (Decree 30 Appendix IV; documents I may see)",
    responses={200: "The PDF file"},
    tag=TAG,
)
async def export_pdf(call: Call) -> Response:
    return await _export(call, "pdf")


@api.route(
    "/notifications",
    "GET",
    "My notifications, newest first (?unread=1&limit=)",
    responses={200: NotificationList},
    tag=TAG,
)
async def my_notifications(call: Call) -> Response:
    unread_only = call.request.query_params.get("unread") == "1"
    limit = call.query_int("limit", required=False) or 100
    me = call.user.user.id or 0
    rows, unread = await call.db(
        lambda s: notifications.list_for(s, me, unread_only=unread_only, limit=limit),
        write=False,
    )
    return model_json(NotificationList(items=[NotificationOut.of(n) for n in rows], unread=unread))


@api.route(
    "/notifications/{notification_id:int}/read",
    "POST",
    "Mark one of my notifications read",
    responses={200: NotificationOut},
    tag=TAG,
)
async def read_one(call: Call) -> Response:
    notification_id: int = call.request.path_params["notification_id"]
    me = call.user.user.id or 0
    found = await call.db(lambda s: notifications.mark_read(s, me, notification_id))
    return model_json(NotificationOut.of(found))


@api.route(
    "/notifications/read-all",
    "POST",
    "Mark all my notifications read",
    responses={200: ReadAllOut},
    tag=TAG,
)
async def read_all(call: Call) -> Response:
    me = call.user.user.id or 0
    marked = await call.db(lambda s: notifications.mark_all_read(s, me))
    return model_json(ReadAllOut(marked=marked))
