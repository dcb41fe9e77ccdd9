"""The agency directory: search it (the dispatch dialog), import a file (administrators
of the province)."""

from __future__ import annotations

from pydantic import BaseModel
from sqlmodel import Session
from starlette.responses import Response

from documents.agency_directory import importing, lookup
from documents.agency_directory.models import DirectoryLevel
from ecabinet.api.framework import Call, model_json
from ecabinet.api.registry import api
from ecabinet.core import errors
from ecabinet.core.policy import Action, Subject, System, authorize

TAG = "documents"
MAX_FILE_BYTES = 5 * 1024 * 1024


class DirectoryEntryOut(BaseModel):
    code: str
    name: str
    level: DirectoryLevel
    level_label: str
    parent_code: str
    electronic: bool
    """Reachable electronically; False: paper only."""
    agency_id: int | None
    """The agency of this deployment with that code: dispatch hands it over internally."""

    @classmethod
    def of(cls, found: lookup.Found) -> DirectoryEntryOut:
        return cls(
            code=found.code,
            name=found.name,
            level=found.level,
            level_label=found.level.label_vi,
            parent_code=found.parent_code,
            electronic=found.electronic,
            agency_id=found.agency_id,
        )


class DirectoryList(BaseModel):
    items: list[DirectoryEntryOut]


class DirectoryImportOut(BaseModel):
    created: int
    updated: int
    unchanged: int


def _level(raw: str | None) -> DirectoryLevel | None:
    if not raw:
        return None
    try:
        return DirectoryLevel(raw)
    except ValueError:
        raise errors.InvalidInput(
            "agency_directory.bad_level",
            "Cấp phải là central, province, district hoặc commune.",
            "The level is central, province, district or commune.",
        ) from None


@api.route(
    "/agency-directory",
    "GET",
    "Agencies of the directory (?q= name or code, &level=, &limit=), by level from the"
    " centre down (everyone logged in)",
    responses={200: DirectoryList},
    tag=TAG,
)
async def search_directory(call: Call) -> Response:
    query = call.request.query_params.get("q", "")[:200]
    level = _level(call.request.query_params.get("level"))
    given = call.query_int("limit", required=False)
    limit = 50 if given is None else given

    def work(session: Session) -> DirectoryList:
        found = lookup.search(session, query=query, level=level, limit=limit)
        return DirectoryList(items=[DirectoryEntryOut.of(f) for f in found])

    return model_json(await call.db(work, write=False))


@api.route(
    "/agency-directory/import",
    "POST",
    "Import a directory file, all or nothing (raw CSV or JSON body; ?format=csv|json;"
    " administrators of the province)",
    raw_body="text/csv",
    responses={200: DirectoryImportOut},
    tag=TAG,
)
async def import_directory(call: Call) -> Response:
    raw_format = call.request.query_params.get("format", "")
    content_type = call.request.headers.get("content-type", "")
    if raw_format not in ("", "csv", "json"):
        raise errors.InvalidInput(
            "agency_directory.bad_format",
            "Định dạng tệp là csv hoặc json.",
            "The file format is csv or json.",
        )
    kind = "json" if raw_format == "json" or (not raw_format and "json" in content_type) else "csv"

    def allowed(_session: Session, subject: Subject) -> None:
        authorize(subject, Action.create, System("agency_directory"))

    await call.subject(allowed, write=False)
    data = await call.raw_body(MAX_FILE_BYTES, "agency_directory.too_large")

    def work(session: Session, _subject: Subject) -> DirectoryImportOut:
        outcome = importing.import_file(session, call.actor, data, kind, f"api:{kind}")
        return DirectoryImportOut(
            created=outcome.created, updated=outcome.updated, unchanged=outcome.unchanged
        )

    return model_json(await call.subject(work))
