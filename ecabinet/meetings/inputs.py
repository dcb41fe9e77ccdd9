"""What a participant sends to change a live meeting, over HTTP or over the socket:
one definition for both, validated before any service runs."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import AliasChoices, BaseModel, ConfigDict, Field, model_validator

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
    option: int | None = Field(
        default=None, ge=0, le=9, validation_alias=AliasChoices("option", "choice")
    )
    """A named vote: the index of the chosen option (``choice`` is accepted too)."""
    ballot: dict[str, Any] | None = None
    """A secret vote: the ballot encrypted on the tablet, with its proofs (checked by
    ``ecabinet.meetings.ballots.check_ballot``)."""

    @model_validator(mode="after")
    def _one(self) -> BallotIn:
        if (self.option is None) == (self.ballot is None):
            raise ValueError("give either option (a named vote) or ballot (a secret vote)")
        return self


class GuardiansIn(LiveIn):
    user_ids: list[int] | None = Field(default=None, min_length=3, max_length=9)
    """The guardians (default: the chair, the secretary and the first other member)."""
    quorum: int | None = Field(default=None, ge=2, le=8)
    """How many of them must decrypt (default: a majority, 2 of 3)."""


class AnnouncementIn(LiveIn):
    announcement: dict[str, Any]


class SharesIn(LiveIn):
    shares: dict[int, Annotated[str, Field(min_length=1, max_length=4096)]] = Field(max_length=8)
    """Recipient guardian's index -> the share encrypted to that guardian."""


class ConfirmIn(LiveIn):
    joint_key: str = Field(min_length=66, max_length=66)


class PartialIn(LiveIn):
    partial: dict[str, Any]


class VoidIn(LiveIn):
    reason: Text = Field(min_length=1, max_length=500)


class PresentIn(LiveIn):
    document_id: int = Id
    page: int = Field(ge=1, le=100_000)


class SpeakerIn(LiveIn):
    request_id: int = Id
