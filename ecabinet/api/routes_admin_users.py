"""User accounts for administrators: find, edit, reset a password, revoke a role."""

from __future__ import annotations

from sqlmodel import Session
from starlette.responses import Response

from ecabinet.api.framework import Call, model_json
from ecabinet.api.registry import api
from ecabinet.api.schemas import UserOut
from ecabinet.api.schemas_admin import PasswordResetIn, UserAdminList, UserAdminOut, UserUpdateIn
from ecabinet.core import errors, user_admin
from ecabinet.core.agencies import Role
from ecabinet.core.policy import Subject

MAX_PAGE = 200


@api.route(
    "/users",
    "GET",
    "Users an administrator manages with their roles; ?q= (name, user name, title,"
    " e-mail; marks ignored), ?agency_id=, ?active=1|0, ?limit= (≤200), ?offset=",
    responses={200: UserAdminList},
    tag="admin",
)
async def list_users(call: Call) -> Response:
    q = call.request.query_params
    text = q.get("q") or ""
    if len(text) > 200:
        raise errors.InvalidInput(
            "request.bad_query", "Từ khóa quá dài.", "Query too long.", {"parameter": "q"}
        )
    active_raw = q.get("active")
    if active_raw not in (None, "", "1", "0"):
        raise errors.InvalidInput(
            "request.bad_query",
            "Tham số active phải là 1 hoặc 0.",
            "Query parameter active must be 1 or 0.",
            {"parameter": "active"},
        )
    active = None if not active_raw else active_raw == "1"
    limit = min(call.query_int("limit", required=False) or 50, MAX_PAGE)
    offset = call.query_int("offset", required=False) or 0
    agency_id = call.query_int("agency_id", required=False)

    def work(session: Session, subject: Subject) -> UserAdminList:
        page = user_admin.find_users(
            session,
            subject,
            text=text,
            agency_id=agency_id,
            active=active,
            limit=limit,
            offset=offset,
        )
        return UserAdminList(items=[UserAdminOut.of(r) for r in page.items], total=page.total)

    return model_json(await call.subject(work, write=False))


@api.route(
    "/users/{user_id:int}",
    "PATCH",
    "Correct a user's full name, title, e-mail or mobile number (their agencies' admins)",
    body=UserUpdateIn,
    responses={200: UserAdminOut},
    tag="admin",
)
async def update_user(call: Call) -> Response:
    body = await call.body(UserUpdateIn)
    user_id: int = call.request.path_params["user_id"]

    def work(session: Session, subject: Subject) -> UserAdminOut:
        user = user_admin.update_user(
            session, call.actor, subject, user_id, **body.model_dump(exclude_unset=True)
        )
        return UserAdminOut.of(user_admin.user_row(session, user))

    return model_json(await call.subject(work))


@api.route(
    "/users/{user_id:int}/password",
    "POST",
    "Set a new password for a user: their sessions end and live connections are cut"
    " (their agencies' admins; not one's own)",
    body=PasswordResetIn,
    responses={200: UserOut},
    tag="admin",
)
async def reset_password(call: Call) -> Response:
    body = await call.body(PasswordResetIn)
    user_id: int = call.request.path_params["user_id"]

    def work(session: Session, subject: Subject) -> UserOut:
        user = user_admin.reset_password(session, call.actor, subject, user_id, body.password)
        return UserOut.of(user)

    return model_json(await call.subject(work))


@api.route(
    "/users/{user_id:int}/roles/{agency_id:int}/{role}",
    "DELETE",
    "Revoke a user's role in an agency (the agency's administrators)",
    responses={204: "Revoked"},
    tag="admin",
)
async def revoke_role(call: Call) -> Response:
    user_id: int = call.request.path_params["user_id"]
    agency_id: int = call.request.path_params["agency_id"]
    raw = call.request.path_params["role"]
    if raw not in Role.__members__:
        raise errors.InvalidInput(
            "role.unknown",
            f"Không có vai trò “{raw}”.",
            f"There is no role {raw!r}.",
            {"roles": list(Role.__members__)},
        )

    def work(session: Session, subject: Subject) -> None:
        user_admin.revoke_role(
            session, call.actor, subject, user_id=user_id, agency_id=agency_id, role=Role(raw)
        )

    await call.subject(work)
    return Response(status_code=204)
