"""What a participant sends to change a live meeting, over HTTP or over the socket:
one definition for both, validated before any service runs."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AliasChoices, BaseModel, ConfigDict, Field

from ecabinet.core.inputs import DB_INT_MAX, Line, Text

Id = Field(ge=1, le=DB_INT_MAX)


class LiveIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_max_length=20_000)


class CheckInIn(LiveIn):
    user_id: int | None = Field(default=None, ge=1, le=DB_INT_MAX, description="Someone else")
    status: Literal["present", "online", "absent"]
    reason: Text = Field(default="", max_length=1000)


class AgendaMoveIn(LiveIn):
    item_id: int = Id


class EndIn(LiveIn):
    conclusions: Text = Field(default="", max_length=20000)


class VoteIn(LiveIn):
    item_id: int = Id
    question: Line = Field(min_length=1, max_length=1000)
    options: list[Annotated[Line, Field(min_length=1, max_length=200)]] | None = Field(
        default=None, min_length=2, max_length=10
    )
    secret: bool = False
    rule: Literal["cast", "present", "members", "two_thirds"] = "present"


class BallotIn(LiveIn):
    option: int = Field(ge=0, le=9, validation_alias=AliasChoices("option", "choice"))
    """The index of the chosen option (``choice`` is accepted too)."""


class PresentIn(LiveIn):
    document_id: int = Id
    page: int = Field(ge=1, le=100_000)


class SpeakerIn(LiveIn):
    request_id: int = Id
