"""Personal API tokens for scripts."""

from __future__ import annotations

from sqlmodel import Session
from starlette.responses import Response

from ecabinet.api.framework import Call, model_json
from ecabinet.api.registry import api
from ecabinet.api.schemas import TokenCreatedOut, TokenCreateIn, TokenList, TokenOut
from ecabinet.core import auth


@api.route("/tokens", "GET", "List my API tokens", responses={200: TokenList}, tag="tokens")
async def list_tokens(call: Call) -> Response:
    principal = call.user
    items = await call.db(lambda s: auth.list_tokens(s, principal), write=False)
    return model_json(TokenList(items=[TokenOut.of(t) for t in items]))


@api.route(
    "/tokens",
    "POST",
    "Create an API token with its scopes (read, write, sign); its secret is shown once",
    body=TokenCreateIn,
    responses={201: TokenCreatedOut},
    tag="tokens",
)
async def create_token(call: Call) -> Response:
    body = await call.body(TokenCreateIn)
    principal = call.user

    def work(session: Session) -> TokenCreatedOut:
        secret, token = auth.create_token(
            session,
            principal,
            name=body.name,
            expires_in_days=body.expires_in_days,
            client_addr=call.client_addr,
            scope_names=body.scopes,
        )
        return TokenCreatedOut(token=secret, item=TokenOut.of(token))

    return model_json(await call.db(work), status=201)


@api.route(
    "/tokens/{token_id:int}",
    "DELETE",
    "Revoke one of my API tokens",
    responses={204: "Revoked"},
    tag="tokens",
)
async def revoke_token(call: Call) -> Response:
    principal = call.user
    token_id = call.request.path_params["token_id"]
    await call.db(lambda s: auth.revoke_token(s, principal, token_id, call.client_addr))
    return Response(status_code=204)
