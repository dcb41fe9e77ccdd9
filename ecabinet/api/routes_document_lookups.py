"""Read-only look-ups the document screens need: who works in an agency (to present to a
leader, to name handlers, to name the approving leader) and its units."""

from __future__ import annotations

from pydantic import BaseModel
from sqlmodel import Session, col, select
from starlette.responses import Response

from ecabinet.api.framework import Call, model_json
from ecabinet.api.registry import api
from ecabinet.api.schemas import UnitOut
from ecabinet.core import errors
from ecabinet.core.agencies import Agency, Membership, Role, Unit
from ecabinet.core.policy import Subject
from ecabinet.core.users import User


class PersonOut(BaseModel):
    """Someone holding a role in the agency (one row per unit they belong to)."""

    id: int
    full_name: str
    title: str
    unit_id: int | None
    roles: list[Role]


class DirectoryOut(BaseModel):
    units: list[UnitOut]
    people: list[PersonOut]


def directory(session: Session, subject: Subject, agency_id: int) -> DirectoryOut:
    """The agency's units and people with their roles; for members of the agency only."""
    if session.get(Agency, agency_id) is None:
        raise errors.NotFound.of("cơ quan", "Agency", "agency.not_found")
    if not subject.member_of(agency_id):
        raise errors.PermissionDenied(
            "agency.not_member",
            "Bạn không thuộc cơ quan này.",
            "You are not a member of this agency.",
        )
    units = session.exec(
        select(Unit).where(Unit.agency_id == agency_id).order_by(col(Unit.id))
    ).all()
    rows = session.exec(
        select(Membership, User)
        .join(User, col(User.id) == col(Membership.user_id))
        .where(Membership.agency_id == agency_id, col(User.is_active))
        .order_by(col(User.full_name), col(Membership.id))
    ).all()
    people: dict[tuple[int, int | None], PersonOut] = {}
    for membership, user in rows:
        assert user.id is not None
        key = (user.id, membership.unit_id)
        person = people.setdefault(
            key,
            PersonOut(
                id=user.id,
                full_name=user.full_name,
                title=user.title,
                unit_id=membership.unit_id,
                roles=[],
            ),
        )
        if Role(membership.role) not in person.roles:
            person.roles.append(Role(membership.role))
    return DirectoryOut(units=[UnitOut.of(u) for u in units], people=list(people.values()))


@api.route(
    "/agencies/{agency_id:int}/directory",
    "GET",
    "Units and people of my agency, with their roles (for the document screens)",
    responses={200: DirectoryOut},
    tag="documents",
)
async def agency_directory(call: Call) -> Response:
    agency_id: int = call.request.path_params["agency_id"]
    return model_json(
        await call.subject(lambda s, subj: directory(s, subj, agency_id), write=False)
    )
