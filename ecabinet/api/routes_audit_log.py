"""The audit log's public heads for witnesses (no login): the latest signed checkpoint and
consistency proofs between two sizes. No entry content is served (entries hold names):
only sizes, roots and the hashes of perfect subtrees."""

from __future__ import annotations

from pydantic import BaseModel
from sqlmodel import Session
from starlette.responses import Response

from documents import publication_log
from ecabinet.api.framework import Call, model_json
from ecabinet.api.registry import api
from ecabinet.core import audit_tree, errors

TAG = "public"


class CheckpointOut(BaseModel):
    tree_size: int
    root_hash: str
    timestamp: str
    key_id: str
    signature: str
    signed: str
    public_key: str
    timestamp_token: str | None = None


class AuditProofOut(BaseModel):
    first: int
    second: int
    root_hash: str
    audit_path: list[str]


@api.route(
    "/public/audit/checkpoint",
    "GET",
    "The audit log's latest signed checkpoint (size, root, time, key id), for witnesses",
    responses={200: CheckpointOut},
    tag=TAG,
    public=True,
)
async def checkpoint(call: Call) -> Response:
    key = publication_log.current_key(
        call.settings.data_dir, call.settings.publication_log_key_file
    )

    def run(session: Session) -> CheckpointOut:
        cp = audit_tree.latest(session)
        if cp is None:
            raise errors.NotFound.of(
                "điểm kiểm tra nhật ký kiểm toán", "Audit checkpoint", "audit.no_checkpoint"
            )
        # The key that signed it (an older one after a rotation, or one the key set lists
        # unendorsed: witnesses judge that, the server serves what it signed with).
        signer = publication_log.public_key_of(session, cp.key_id, key)
        if signer is None:
            raise errors.IntegrityFailure(
                "audit.unknown_key",
                f"Khóa {cp.key_id[:16]} đã ký điểm kiểm tra không có trong bộ khóa.",
                f"The key {cp.key_id[:16]} that signed the checkpoint is not in the key set.",
            )
        return CheckpointOut(**audit_tree.to_json(cp, signer))

    return model_json(await call.db(run, write=False))


@api.route(
    "/public/audit/consistency",
    "GET",
    "Consistency proof between the audit trees of ?first= and ?second= (checkpointed) entries",
    responses={200: AuditProofOut},
    tag=TAG,
    public=True,
)
async def consistency(call: Call) -> Response:
    first = call.query_int("first")
    second = call.query_int("second")

    def run(session: Session) -> AuditProofOut:
        built = audit_tree.tree_size(session)
        if not first <= second <= built:
            raise errors.InvalidInput(
                "audit.bad_size",
                f"Cần 0 ≤ first ≤ second ≤ {built} (số mục đã có điểm kiểm tra).",
                f"Need 0 ≤ first ≤ second ≤ {built} (the entries checkpointed so far).",
            )
        return AuditProofOut(
            first=first,
            second=second,
            root_hash=audit_tree.root(session, second).hex(),
            audit_path=[h.hex() for h in audit_tree.consistency(session, first, second)],
        )

    return model_json(await call.db(run, write=False))
