"""The public check of a secret vote's election record (no login): the JSON twin of the
page ``/cong-khai/kiem-tra-bieu-quyet``, through the same checker as ``ecabinet vote
verify``."""

from __future__ import annotations

import anyio.to_thread
from pydantic import BaseModel, Field
from starlette.responses import Response

from ecabinet.api.framework import Call, model_json
from ecabinet.api.registry import api
from ecabinet.meetings.ballots import record_check

TAG = "public"


class RecordProblemOut(BaseModel):
    where: str = Field(description="The field path in the record ('' for the whole record)")
    problem: str


class RecordCheckOut(BaseModel):
    ok: bool = Field(description="Every proof holds and the counts follow from the ballots")
    record_hash: str = Field(description="SHA-256 of the bytes sent (what the minutes cite)")
    ballots: int
    counts: list[int] | None = Field(description="What the record's own data decrypt to")
    problems: list[RecordProblemOut]
    tracking_code: str = Field(description="The ?tracking_code= asked about ('' if none)")
    in_record: bool | None = Field(
        description="Whether that ballot is among the record's verified ballots (null: not asked)"
    )


@api.route(
    "/public/election-records/verify",
    "POST",
    "Check a secret vote's election record from scratch (every proof, the aggregate, the "
    "decryption, the counts) and whether ?tracking_code= is among its ballots",
    public=True,
    raw_body="application/json",
    responses={200: RecordCheckOut},
    tag=TAG,
    csrf=False,
)
async def verify_record(call: Call) -> Response:
    code = (call.request.query_params.get("tracking_code") or "")[:200]
    data = await call.raw_body(
        record_check.MAX_BYTES,
        "record.too_large",
        before_read=lambda: call.ctx.validate_limit.check(call.client_addr),
    )
    result = await anyio.to_thread.run_sync(record_check.check_upload, data, code)
    report = result.report
    return model_json(
        RecordCheckOut(
            ok=report.ok,
            record_hash=result.record_hash,
            ballots=report.ballots,
            counts=report.counts,
            problems=[RecordProblemOut(where=w, problem=p) for w, p in report.problems],
            tracking_code=result.tracking_code,
            in_record=result.in_record,
        )
    )
