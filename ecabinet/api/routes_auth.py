"""Login, logout and "who am I"."""

from __future__ import annotations

import anyio.to_thread
from sqlmodel import Session
from starlette.responses import Response

from ecabinet.api.framework import SESSION_COOKIE, Call, model_json
from ecabinet.api.registry import api
from ecabinet.api.schemas import AgencyOut, LoginIn, MembershipOut, MeOut, UnitOut, UserOut
from ecabinet.core import agencies, auth
from ecabinet.core.agencies import Role
from ecabinet.core.login import log_in
from ecabinet.core.users import User


def me_out(session: Session, user: User, csrf_token: str | None) -> MeOut:
    assert user.id is not None
    grouped: dict[tuple[int, int | None], MembershipOut] = {}
    for m, agency, unit in agencies.memberships_of(session, user.id):
        assert agency.id is not None
        key = (agency.id, m.unit_id)
        if key not in grouped:
            grouped[key] = MembershipOut(
                agency=AgencyOut.of(agency), unit=UnitOut.of(unit) if unit else None, roles=[]
            )
        grouped[key].roles.append(Role(m.role))
    return MeOut(user=UserOut.of(user), memberships=list(grouped.values()), csrf_token=csrf_token)


@api.route(
    "/auth/login",
    "POST",
    "Log in with a user name and password",
    public=True,
    body=LoginIn,
    responses={200: MeOut},
    tag="auth",
    csrf=False,
    writes_cookie=True,
)
async def login(call: Call) -> Response:
    body = await call.body(LoginIn, json_only=True)
    settings = call.settings
    done = await anyio.to_thread.run_sync(
        lambda: log_in(
            call.ctx.engine,
            settings,
            username=body.username,
            password=body.password,
            client_addr=call.client_addr,
        ),
        limiter=call.ctx.login_threads,
    )
    me = await call.db(lambda s: me_out(s, done.user, done.csrf_token), write=False)
    response = model_json(me)
    response.set_cookie(
        SESSION_COOKIE,
        done.cookie,
        max_age=settings.session_hours * 3600,
        httponly=True,
        samesite="lax",
        secure=settings.cookie_secure,
        path="/",
    )
    return response


@api.route(
    "/auth/logout",
    "POST",
    "End the current session",
    responses={204: "Logged out"},
    tag="auth",
    writes_cookie=True,
)
async def logout(call: Call) -> Response:
    principal = call.user
    await call.db(lambda s: auth.logout(s, principal, call.client_addr))
    response = Response(status_code=204)
    response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="lax")
    return response


@api.route(
    "/auth/me", "GET", "The logged-in user and their agencies", responses={200: MeOut}, tag="auth"
)
async def me(call: Call) -> Response:
    principal = call.user
    return model_json(
        await call.db(lambda s: me_out(s, principal.user, principal.csrf_token), write=False)
    )
