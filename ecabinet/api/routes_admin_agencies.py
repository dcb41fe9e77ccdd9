"""Agencies and units after their creation: edit, remove an unused agency, list and
edit units (administration)."""

from __future__ import annotations

from sqlmodel import Session
from starlette.responses import Response

from ecabinet.api.framework import Call, model_json
from ecabinet.api.registry import api
from ecabinet.api.schemas import AgencyOut, UnitOut
from ecabinet.api.schemas_admin import AgencyUpdateIn, UnitList, UnitUpdateIn
from ecabinet.core import agency_admin
from ecabinet.core.policy import Action, InAgency, Subject, System, authorize


@api.route(
    "/agencies/{agency_id:int}",
    "PATCH",
    "Rename an agency or change its abbreviation (its administrators)",
    body=AgencyUpdateIn,
    responses={200: AgencyOut},
    tag="admin",
)
async def update_agency(call: Call) -> Response:
    body = await call.body(AgencyUpdateIn)
    agency_id: int = call.request.path_params["agency_id"]

    def work(session: Session, subject: Subject) -> AgencyOut:
        agency = agency_admin.agency_or_404(session, agency_id)
        authorize(subject, Action.update, agency)
        changed = agency_admin.update_agency(
            session, call.actor, agency, name=body.name, abbreviation=body.abbreviation
        )
        return AgencyOut.of(changed)

    return model_json(await call.subject(work))


@api.route(
    "/agencies/{agency_id:int}",
    "DELETE",
    "Remove an agency nothing refers to yet, e.g. created with a wrong code"
    " (administrators of the agency above)",
    responses={204: "Removed"},
    tag="admin",
)
async def remove_agency(call: Call) -> Response:
    agency_id: int = call.request.path_params["agency_id"]

    def work(session: Session, subject: Subject) -> None:
        agency = agency_admin.agency_or_404(session, agency_id)
        if agency.parent_id is None:
            authorize(subject, Action.delete, System("root_agency"))
        else:
            authorize(subject, Action.delete, InAgency(agency.parent_id, "agency"))
        agency_admin.remove_agency(session, call.actor, agency)

    await call.subject(work)
    return Response(status_code=204)


@api.route(
    "/agencies/{agency_id:int}/units",
    "GET",
    "The units of an agency (everyone logged in, as the agency tree)",
    responses={200: UnitList},
    tag="admin",
)
async def list_units(call: Call) -> Response:
    agency_id: int = call.request.path_params["agency_id"]

    def work(session: Session) -> UnitList:
        agency_admin.agency_or_404(session, agency_id)
        return UnitList(items=[UnitOut.of(u) for u in agency_admin.units_of(session, agency_id)])

    return model_json(await call.db(work, write=False))


@api.route(
    "/units/{unit_id:int}",
    "PATCH",
    "Rename a unit or change its abbreviation (its agency's administrators)",
    body=UnitUpdateIn,
    responses={200: UnitOut},
    tag="admin",
)
async def update_unit(call: Call) -> Response:
    body = await call.body(UnitUpdateIn)
    unit_id: int = call.request.path_params["unit_id"]

    def work(session: Session, subject: Subject) -> UnitOut:
        unit = agency_admin.unit_or_404(session, unit_id)
        authorize(subject, Action.update, InAgency(unit.agency_id, "unit"))
        changed = agency_admin.update_unit(
            session, call.actor, unit, name=body.name, abbreviation=body.abbreviation
        )
        return UnitOut.of(changed)

    return model_json(await call.subject(work))
