"""Agencies, units, users and roles (administration)."""

from __future__ import annotations

from sqlmodel import Session
from starlette.responses import Response

from ecabinet.api.framework import Call, model_json
from ecabinet.api.registry import api
from ecabinet.api.schemas import (
    AgencyCreateIn,
    AgencyList,
    AgencyOut,
    RoleGrantIn,
    UnitCreateIn,
    UnitOut,
    UserCreateIn,
    UserOut,
)
from ecabinet.core import accounts, agencies, agency_admin, errors, users
from ecabinet.core.agencies import Agency, Unit
from ecabinet.core.policy import Action, InAgency, Subject, System, authorize, can


@api.route("/agencies", "GET", "The agency tree, flat", responses={200: AgencyList}, tag="admin")
async def list_agencies(call: Call) -> Response:
    def work(session: Session, subject: Subject) -> AgencyList:
        visible = [a for a in agencies.list_agencies(session) if can(subject, Action.view, a)]
        return AgencyList(items=[AgencyOut.of(a) for a in visible])

    return model_json(await call.subject(work, write=False))


@api.route(
    "/agencies",
    "POST",
    "Create an agency (admins of the parent agency)",
    body=AgencyCreateIn,
    responses={201: AgencyOut},
    tag="admin",
)
async def create_agency(call: Call) -> Response:
    body = await call.body(AgencyCreateIn)

    def work(session: Session, subject: Subject) -> AgencyOut:
        if body.parent_id is None:
            # A new root (another province) is for admins of an existing root only.
            authorize(subject, Action.create, System("root_agency"))
        else:
            parent = session.get(Agency, body.parent_id)
            if parent is None or parent.id is None:
                raise errors.NotFound.of("cơ quan cấp trên", "Parent agency", "agency.not_found")
            authorize(subject, Action.create, InAgency(parent.id, "agency"))
        agency = agencies.create_agency(session, call.actor, **body.model_dump())
        return AgencyOut.of(agency)

    return model_json(await call.subject(work), status=201)


@api.route(
    "/agencies/{agency_id:int}/units",
    "POST",
    "Create a unit in an agency",
    body=UnitCreateIn,
    responses={201: UnitOut},
    tag="admin",
)
async def create_unit(call: Call) -> Response:
    body = await call.body(UnitCreateIn)
    agency_id: int = call.request.path_params["agency_id"]

    def work(session: Session, subject: Subject) -> UnitOut:
        if session.get(Agency, agency_id) is None:
            raise errors.NotFound.of("cơ quan", "Agency", "agency.not_found")
        authorize(subject, Action.create, InAgency(agency_id, "unit"))
        unit = agency_admin.add_unit(
            session, call.actor, agency_id=agency_id, name=body.name, abbreviation=body.abbreviation
        )
        return UnitOut.of(unit)

    return model_json(await call.subject(work), status=201)


@api.route(
    "/users",
    "POST",
    "Create a user (agency admins)",
    body=UserCreateIn,
    responses={201: UserOut},
    tag="admin",
)
async def create_user(call: Call) -> Response:
    body = await call.body(UserCreateIn)

    def work(session: Session, subject: Subject) -> UserOut:
        authorize(subject, Action.create, System("users"))
        return UserOut.of(users.create_user(session, call.actor, **body.model_dump()))

    return model_json(await call.subject(work), status=201)


@api.route("/users/{user_id:int}", "GET", "A user", responses={200: UserOut}, tag="admin")
async def get_user(call: Call) -> Response:
    user_id: int = call.request.path_params["user_id"]

    def work(session: Session, subject: Subject) -> UserOut:
        user = session.get(users.User, user_id)
        if user is None:
            raise errors.NotFound.of("người dùng", "User", "user.not_found")
        authorize(subject, Action.view, user)
        return UserOut.of(user)

    return model_json(await call.subject(work, write=False))


@api.route(
    "/users/{user_id:int}/roles",
    "POST",
    "Grant a user a role in an agency",
    body=RoleGrantIn,
    responses={201: "Granted"},
    tag="admin",
)
async def grant_role(call: Call) -> Response:
    body = await call.body(RoleGrantIn)
    user_id: int = call.request.path_params["user_id"]

    def work(session: Session, subject: Subject) -> None:
        if session.get(users.User, user_id) is None:
            raise errors.NotFound.of("người dùng", "User", "user.not_found")
        if session.get(Agency, body.agency_id) is None:
            raise errors.NotFound.of("cơ quan", "Agency", "agency.not_found")
        if body.unit_id is not None:
            unit = session.get(Unit, body.unit_id)
            if unit is None or unit.agency_id != body.agency_id:
                raise errors.NotFound.of("đơn vị", "Unit", "unit.not_found")
        authorize(subject, Action.create, InAgency(body.agency_id, "membership"))
        agencies.grant_role(
            session,
            call.actor,
            user_id=user_id,
            agency_id=body.agency_id,
            role=body.role,
            unit_id=body.unit_id,
        )

    await call.subject(work)
    return Response(status_code=201)


def _set_active(active: bool, summary: str) -> None:
    @api.route(
        f"/users/{{user_id:int}}/{'enable' if active else 'disable'}",
        "POST",
        summary,
        responses={200: UserOut},
        tag="admin",
    )
    async def handler(call: Call) -> Response:
        user_id: int = call.request.path_params["user_id"]

        def work(session: Session, subject: Subject) -> UserOut:
            user = accounts.set_active(session, call.actor, user_id, active, by=subject)
            return UserOut.of(user)

        return model_json(await call.subject(work))


_set_active(
    False,
    "Disable a user: no login, sessions ended, live connections cut (their agencies' admins)",
)
_set_active(True, "Enable a disabled user again (their agencies' admins)")
