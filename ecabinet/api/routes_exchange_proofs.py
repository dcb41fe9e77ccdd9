"""The proofs behind a document's exchange hops: the peers' signed receipts and messages,
for those who may see the document (documents.exchange.proofs)."""

from __future__ import annotations

import base64
from datetime import datetime

from cryptography.hazmat.primitives.serialization import Encoding
from pydantic import BaseModel, Field
from sqlmodel import Session
from starlette.responses import Response

from documents.exchange import proofs
from documents.exchange.proofs import Proof, ProofRef, ProofSummary
from ecabinet.api.framework import Call, model_json
from ecabinet.api.registry import api
from ecabinet.api.routes_documents import visible
from ecabinet.core import errors
from ecabinet.core.policy import Subject

TAG = "exchange"


class ExchangeProofSummaryOut(BaseModel):
    proof: str = Field(description="`receipt/{id}` or `message/{id}`")
    signed_by: str = Field(description="The agency code that signed")
    what: str = Field(description="receipt, document (a package received) or status")
    at: datetime

    @classmethod
    def of(cls, p: ProofSummary) -> ExchangeProofSummaryOut:
        return cls(proof=p.ref.path, signed_by=p.signed_by, what=p.what, at=p.at)


class ExchangeProofListOut(BaseModel):
    items: list[ExchangeProofSummaryOut]


class ExchangeProofOut(ExchangeProofSummaryOut):
    data: str = Field(description="Base64 of the signed bytes, exactly as signed")
    signature: str = Field(description="Base64 of the detached CMS signature (DER)")
    certificate: str = Field(description="PEM of the certificate pinned for the signer")
    valid: bool = Field(description="Whether the signature checks against it now")
    problem: str = Field(description="Why it does not (empty when it does)")

    @classmethod
    def full(cls, p: Proof) -> ExchangeProofOut:
        pem = p.certificate.public_bytes(Encoding.PEM).decode() if p.certificate else ""
        return cls(
            **ExchangeProofSummaryOut.of(p.summary).model_dump(),
            data=base64.b64encode(p.data).decode(),
            signature=base64.b64encode(p.signature).decode(),
            certificate=pem,
            valid=p.valid,
            problem=p.problem,
        )


@api.route(
    "/documents/{document_id:int}/exchange-proofs",
    "GET",
    "The other systems' signed receipts and messages kept about a document",
    responses={200: ExchangeProofListOut},
    tag=TAG,
)
async def proof_list(call: Call) -> Response:
    document_id: int = call.request.path_params["document_id"]

    def work(session: Session, subject: Subject) -> ExchangeProofListOut:
        visible(session, subject, document_id)
        return ExchangeProofListOut(
            items=[ExchangeProofSummaryOut.of(p) for p in proofs.list_for(session, document_id)]
        )

    return model_json(await call.subject(work, write=False))


@api.route(
    "/documents/{document_id:int}/exchange-proofs/{kind}/{row_id:int}",
    "GET",
    "One signed receipt or message, its bytes, signature and the signer's pinned "
    "certificate, checked now",
    responses={200: ExchangeProofOut},
    tag=TAG,
)
async def proof(call: Call) -> Response:
    document_id: int = call.request.path_params["document_id"]
    kind: str = call.request.path_params["kind"]
    if kind not in proofs.KINDS:
        raise errors.InvalidInput(
            "exchange.bad_proof_kind",
            "Loại bằng chứng phải là receipt hoặc message.",
            "The kind of proof must be receipt or message.",
        )
    ref = ProofRef(kind, call.request.path_params["row_id"])

    def work(session: Session, subject: Subject) -> Proof:
        visible(session, subject, document_id)
        return proofs.load(session, call.settings, call.ctx.store, document_id, ref)

    return model_json(ExchangeProofOut.full(await call.subject(work, write=False)))
