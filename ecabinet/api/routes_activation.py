"""Activation data of signing credentials: the holder sets or changes the PIN, an admin
unlocks a credential locked by wrong PINs, an official enrols a TOTP second factor."""

from __future__ import annotations

import anyio.to_thread
from sqlmodel import Session
from starlette.responses import Response

from ecabinet.api.framework import Call, model_json
from ecabinet.api.registry import api
from ecabinet.api.schemas import CredentialOut
from ecabinet.api.schemas_signing import OtpIn, PinIn, TotpOut, TotpStartOut
from ecabinet.core.policy import Subject
from ecabinet.signatures import credentials, pin_changes, totp

TAG = "signing"


@api.route(
    "/signing-credentials/{credential_id}/pin",
    "POST",
    "Set the first PIN of a credential registered before PINs, or change it (its holder)",
    body=PinIn,
    responses={200: CredentialOut},
    tag=TAG,
    signing=True,
)
async def set_pin(call: Call) -> Response:
    body = await call.body(PinIn)
    credential_id: str = call.request.path_params["credential_id"]
    old = body.old_activation()
    user, actor = call.user.user, call.actor
    row = await anyio.to_thread.run_sync(
        lambda: pin_changes.set_pin(
            call.ctx.engine,
            call.settings,
            user,
            actor,
            credential_id,
            new_pin=body.new_pin.get_secret_value(),
            old=old,
        )
    )
    return model_json(CredentialOut.of(row))


@api.route(
    "/signing-credentials/{credential_id}/unlock",
    "POST",
    "Unlock a credential locked by wrong PINs (an admin of its agency, not its holder)",
    responses={200: CredentialOut},
    tag=TAG,
    signing=True,
)
async def unlock(call: Call) -> Response:
    credential_id: str = call.request.path_params["credential_id"]

    def work(session: Session, subject: Subject) -> CredentialOut:
        return CredentialOut.of(pin_changes.unlock(session, call.actor, subject, credential_id))

    return model_json(await call.subject(work))


@api.route(
    "/signing-totp", "GET", "My TOTP second factor for signing", responses={200: TotpOut}, tag=TAG
)
async def totp_status(call: Call) -> Response:
    user = call.user.user

    def work(session: Session) -> TotpOut:
        status = totp.status(session, user)
        return TotpOut(enrolled=status.enrolled, confirmed=status.confirmed)

    return model_json(await call.db(work, write=False))


@api.route(
    "/signing-totp",
    "POST",
    "Begin a TOTP enrolment for my signatures: the otpauth:// URI, shown once",
    responses={201: TotpStartOut},
    tag=TAG,
    signing=True,
)
async def totp_start(call: Call) -> Response:
    user, vault = call.user.user, credentials.vault_for(call.settings)

    def work(session: Session) -> TotpStartOut:
        secret, uri = totp.start(session, call.actor, user, vault)
        return TotpStartOut(uri=uri, secret=secret)

    return model_json(await call.db(work), status=201)


@api.route(
    "/signing-totp/confirm",
    "POST",
    "Confirm my TOTP enrolment with a first code; from then on signing needs a code",
    body=OtpIn,
    responses={200: TotpOut},
    tag=TAG,
    signing=True,
)
async def totp_confirm(call: Call) -> Response:
    body = await call.body(OtpIn)
    user, vault = call.user.user, credentials.vault_for(call.settings)
    await call.db(lambda s: totp.confirm(s, call.actor, user, vault, body.otp))
    return model_json(TotpOut(enrolled=True, confirmed=True))


@api.route(
    "/signing-totp/remove",
    "POST",
    "Remove my TOTP second factor (with a current code)",
    body=OtpIn,
    responses={200: TotpOut},
    tag=TAG,
    signing=True,
)
async def totp_remove(call: Call) -> Response:
    body = await call.body(OtpIn)
    user, vault = call.user.user, credentials.vault_for(call.settings)
    await call.db(lambda s: totp.remove(s, call.actor, user, vault, body.otp))
    return model_json(TotpOut(enrolled=False, confirmed=False))


@api.route(
    "/users/{user_id:int}/signing-totp",
    "DELETE",
    "Remove a user's TOTP second factor (an admin of their agency; a lost phone)",
    responses={204: "Removed"},
    tag=TAG,
    signing=True,
)
async def totp_remove_for(call: Call) -> Response:
    user_id: int = call.request.path_params["user_id"]
    await call.subject(lambda s, subject: totp.remove_for(s, call.actor, subject, user_id))
    return Response(status_code=204)
