"""Request and response bodies of the minutes API (biên bản họp, thông báo kết luận)."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from ecabinet.api.schemas import In
from ecabinet.core.inputs import Text
from ecabinet.meetings.minutes import MAX_CONCLUSIONS
from ecabinet.meetings.minutes_models import MinutesSignature, MinutesState, MinutesVersion


class MinutesIn(In):
    """Generate the minutes; ``conclusions`` (typed by the secretary) replace the
    meeting's when given."""

    conclusions: Text | None = Field(default=None, max_length=MAX_CONCLUSIONS)


class SignatureOut(BaseModel):
    role: str = Field(description="secretary or chair")
    signer_id: int
    signer_name: str = Field(description="The certificate's common name")
    level: str
    signed_at: datetime


class VersionOut(BaseModel):
    """One generated version of the minutes."""

    id: int
    version: int
    state: MinutesState
    state_label: str
    generated_at: datetime
    generated_by: int
    signatures: list[SignatureOut]

    @classmethod
    def of(cls, row: MinutesVersion, signatures: list[MinutesSignature]) -> VersionOut:
        assert row.id is not None
        state = MinutesState(row.state)
        return cls(
            id=row.id,
            version=row.version,
            state=state,
            state_label=state.label_vi,
            generated_at=row.generated_at,
            generated_by=row.generated_by,
            signatures=[
                SignatureOut(
                    role=s.role,
                    signer_id=s.signer_id,
                    signer_name=s.signer_name,
                    level=s.level,
                    signed_at=s.signed_at,
                )
                for s in signatures
            ],
        )


class MinutesOut(BaseModel):
    """The minutes of a meeting: every version (the last one counts) and the state."""

    meeting_id: int
    meeting_state: str
    state: MinutesState | None = Field(description="The latest version's; null before any")
    versions: list[VersionOut]
    notice_document_id: int | None = Field(description="The conclusion notice's document")


class NoticeOut(BaseModel):
    """The conclusion notice drafted as an outgoing document."""

    document_id: int
