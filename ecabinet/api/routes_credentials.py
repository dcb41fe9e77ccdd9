"""Signing credentials: PKCS#12 uploads for officials and agency seals (with the
holder's PIN), USB-token certificates for officials (admins); signature and seal images."""

from __future__ import annotations

import anyio.to_thread
from sqlmodel import Session
from starlette.responses import Response

from ecabinet.api.framework import Call, model_json
from ecabinet.api.registry import api
from ecabinet.api.schemas import (
    CredentialList,
    CredentialOut,
    CredentialUploadIn,
    TokenCertificateIn,
)
from ecabinet.core.policy import Subject
from ecabinet.signatures import credentials, images, registration, totp, uploads


@api.route(
    "/signing-credentials",
    "POST",
    "Register an official's or an agency seal's PKCS#12 file, with its holder's signing"
    " PIN; the certificate must name its owner and chain to a trust anchor (agency admins)",
    body=CredentialUploadIn,
    responses={201: CredentialOut},
    tag="signing",
    signing=True,
)
async def upload_credential(call: Call) -> Response:
    body = await call.body(CredentialUploadIn)
    data = uploads.decode_pkcs12(body.pkcs12)
    user, actor, setup = call.user.user, call.actor, call.ctx.signing
    row = await anyio.to_thread.run_sync(
        lambda: registration.upload(
            call.ctx.engine,
            call.settings,
            setup.anchors(),
            user,
            actor,
            pkcs12=data,
            passphrase=body.passphrase.get_secret_value(),
            pin=body.pin.get_secret_value(),
            user_id=body.user_id,
            agency_id=body.agency_id,
            label=body.label,
        )
    )
    return model_json(CredentialOut.of(row), status=201)


@api.route(
    "/signing-credentials/token",
    "POST",
    "Register the certificate of an official's USB token; they sign in two steps (admins)",
    body=TokenCertificateIn,
    responses={201: CredentialOut},
    tag="signing",
    signing=True,
)
async def register_token(call: Call) -> Response:
    body = await call.body(TokenCertificateIn)
    user, actor, setup = call.user.user, call.actor, call.ctx.signing
    row = await anyio.to_thread.run_sync(
        lambda: registration.register(
            call.ctx.engine,
            setup.anchors(),
            user,
            actor,
            certificate_pem=body.certificate_pem,
            chain_pem=body.chain_pem,
            user_id=body.user_id,
            label=body.label,
        )
    )
    return model_json(CredentialOut.of(row), status=201)


@api.route(
    "/signing-credentials/{credential_id}/image",
    "POST",
    "Set the signature or seal image (PNG, transparent background; a seal with its DPI)",
    raw_body="image/png",
    responses={200: CredentialOut},
    tag="signing",
)
async def set_image(call: Call) -> Response:
    credential_id: str = call.request.path_params["credential_id"]
    png = await call.raw_body(images.MAX_IMAGE_BYTES, "credential.image_too_large")
    user, actor = call.user.user, call.actor
    row = await anyio.to_thread.run_sync(
        lambda: images.set_image(call.ctx.engine, call.ctx.store, user, actor, credential_id, png)
    )
    return model_json(CredentialOut.of(row))


@api.route(
    "/signing-credentials",
    "GET",
    "Signing credentials I own, apply (seals) or administer",
    responses={200: CredentialList},
    tag="signing",
)
async def list_credentials(call: Call) -> Response:
    def work(session: Session, subject: Subject) -> CredentialList:
        rows = credentials.list_credentials(session, subject)
        second = totp.needing_otp(session, rows)
        return CredentialList(items=[CredentialOut.of(c, needs_otp=c.id in second) for c in rows])

    return model_json(await call.subject(work, write=False))


@api.route(
    "/signing-credentials/{credential_id}/disable",
    "POST",
    "Disable a signing credential (kept, no longer signs)",
    responses={200: CredentialOut},
    tag="signing",
)
async def disable_credential(call: Call) -> Response:
    credential_id: str = call.request.path_params["credential_id"]

    def work(session: Session, subject: Subject) -> CredentialOut:
        row = credentials.disable_credential(session, call.actor, subject, credential_id)
        return CredentialOut.of(row)

    return model_json(await call.subject(work))


@api.route(
    "/signing-credentials/{credential_id}",
    "DELETE",
    "Delete a signing credential and its sealed key",
    responses={204: "Deleted"},
    tag="signing",
)
async def delete_credential(call: Call) -> Response:
    credential_id: str = call.request.path_params["credential_id"]
    await call.subject(
        lambda s, subject: credentials.delete_credential(s, call.actor, subject, credential_id)
    )
    return Response(status_code=204)
