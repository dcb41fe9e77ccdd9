"""My notification channels per kind, and mobile numbers (mine, or an admin's users')."""

from __future__ import annotations

from sqlmodel import Session
from starlette.responses import Response

from documents import notification_prefs
from ecabinet.api.framework import Call, model_json
from ecabinet.api.registry import api
from ecabinet.api.schemas import UserOut
from ecabinet.api.schemas_notifications import ChoiceOut, PhoneIn, PreferencesIn, PreferencesOut
from ecabinet.core import accounts, errors
from ecabinet.core.policy import Subject
from ecabinet.core.users import User

TAG = "notifications"


def _out(call: Call, session: Session, user_id: int) -> PreferencesOut:
    user = session.get(User, user_id)
    if user is None:
        raise errors.NotFound.of("người dùng", "User", "user.not_found")
    return PreferencesOut(
        items=[ChoiceOut.of(c) for c in notification_prefs.choices(session, user_id)],
        phone=user.phone,
        email=user.email,
        sms_available=call.settings.smsc_host is not None,
        email_available=call.settings.smtp_host is not None,
    )


@api.route(
    "/notification-preferences",
    "GET",
    "How each kind of notification reaches me (in the app always; e-mail; SMS if urgent)",
    responses={200: PreferencesOut},
    tag=TAG,
)
async def my_preferences(call: Call) -> Response:
    me = call.user.user.id or 0
    return model_json(await call.db(lambda s: _out(call, s, me), write=False))


@api.route(
    "/notification-preferences",
    "PUT",
    "Choose the channels of the kinds named (the others keep theirs)",
    body=PreferencesIn,
    responses={200: PreferencesOut},
    tag=TAG,
)
async def choose_preferences(call: Call) -> Response:
    body = await call.body(PreferencesIn)
    me = call.user.user.id or 0
    wanted = [(c.kind, c.email, c.sms) for c in body.items]

    def work(session: Session) -> PreferencesOut:
        notification_prefs.choose(session, call.actor, me, wanted)
        return _out(call, session, me)

    return model_json(await call.db(work))


@api.route(
    "/users/{user_id:int}/phone",
    "PUT",
    "Set or clear a mobile number for SMS (the user themselves, or their agencies' admins)",
    body=PhoneIn,
    responses={200: UserOut},
    tag=TAG,
)
async def set_phone(call: Call) -> Response:
    user_id: int = call.request.path_params["user_id"]
    body = await call.body(PhoneIn)

    def work(session: Session, subject: Subject) -> UserOut:
        return UserOut.of(accounts.set_phone(session, call.actor, user_id, body.phone, by=subject))

    return model_json(await call.subject(work))
