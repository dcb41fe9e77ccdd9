"""The vote context every proof is bound to, and the canonical JSON used for hashing."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from ecabinet.meetings.ballots import errors, group

VERSION = "ecabinet-ballots/1"
MIN_OPTIONS = 2
MAX_OPTIONS = 10
TAG_CONTEXT = "ecabinet/ballots/v1/context"
TAG_CEREMONY = "ecabinet/ballots/v1/ceremony"


def canonical_json(value: Any) -> bytes:
    """Sorted keys, no spaces, UTF-8 without escaping non-ASCII (what JSON.stringify makes
    for the same objects once their keys are sorted); integers only, no floats."""
    return json.dumps(
        value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    ).encode("utf-8")


def ceremony_digest(announcements: list[dict[str, Any]]) -> str:
    """Tagged SHA-256 of the canonical JSON of the announcements sorted by guardian."""
    ordered = sorted(announcements, key=lambda a: a["guardian"])
    return group.hash_parts(TAG_CEREMONY, canonical_json(ordered)).hex()


@dataclass(frozen=True)
class VoteContext:
    """What a ballot is cast for. Its :meth:`digest` enters every Fiat-Shamir challenge,
    so a proof made for one vote (or one set of guardians) fails in any other."""

    deployment: str
    """The deployment's name (one province's server)."""
    meeting_id: int
    vote_id: int
    question: str
    options: tuple[str, ...]
    """The choices, in ballot order (2 to 10)."""
    guardian_count: int
    quorum: int
    """How many guardians must decrypt."""
    joint_key: str
    """K = Σ K_i0, hex compressed point."""
    verification_keys: tuple[str, ...]
    """X_1..X_n, guardian l's share commitment x_l·G, hex compressed points."""
    ceremony: str
    """:func:`ceremony_digest` of the guardians' announcements, so every proof binds them."""

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict (the form the tablet receives and the record holds)."""
        return {
            "version": VERSION,
            "deployment": self.deployment,
            "meeting_id": self.meeting_id,
            "vote_id": self.vote_id,
            "question": self.question,
            "options": list(self.options),
            "guardian_count": self.guardian_count,
            "quorum": self.quorum,
            "joint_key": self.joint_key,
            "verification_keys": list(self.verification_keys),
            "ceremony": self.ceremony,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any] | str | bytes) -> VoteContext:
        """Parse and check the shape (raises :class:`errors.BadInput`)."""
        if isinstance(data, str | bytes):
            try:
                data = json.loads(data)
            except ValueError:
                raise errors.bad_input("context: not JSON") from None
        if not isinstance(data, dict):
            raise errors.bad_input("context: not an object")
        expected = set(cls(**_EMPTY).to_json())
        if set(data) != expected:
            raise errors.bad_input("context: fields")
        if data["version"] != VERSION:
            raise errors.bad_input("context.version")
        for name in ("deployment", "question", "joint_key", "ceremony"):
            if not isinstance(data[name], str):
                raise errors.bad_input(f"context.{name}")
        for name in ("meeting_id", "vote_id", "guardian_count", "quorum"):
            if type(data[name]) is not int:
                raise errors.bad_input(f"context.{name}")
        options = data["options"]
        if (
            not isinstance(options, list)
            or not MIN_OPTIONS <= len(options) <= MAX_OPTIONS
            or not all(isinstance(o, str) and o for o in options)
            or len(set(options)) != len(options)
        ):
            raise errors.bad_input("context.options")
        keys = data["verification_keys"]
        count, quorum = data["guardian_count"], data["quorum"]
        if not 1 <= quorum <= count or not isinstance(keys, list) or len(keys) != count:
            raise errors.bad_input("context.verification_keys")
        try:
            for key in (data["joint_key"], *keys):
                group.parse_point(key)
        except ValueError:
            raise errors.bad_input("context: key") from None
        if len(data["ceremony"]) != 64 or not all(
            ch in "0123456789abcdef" for ch in data["ceremony"]
        ):
            raise errors.bad_input("context.ceremony")
        return cls(
            deployment=data["deployment"],
            meeting_id=data["meeting_id"],
            vote_id=data["vote_id"],
            question=data["question"],
            options=tuple(options),
            guardian_count=count,
            quorum=quorum,
            joint_key=data["joint_key"],
            verification_keys=tuple(keys),
            ceremony=data["ceremony"],
        )

    # Cached: every check of every ballot needs them (cached_property writes the
    # instance's __dict__ directly, which a frozen dataclass allows).
    @cached_property
    def _digest(self) -> bytes:
        return group.hash_parts(TAG_CONTEXT, canonical_json(self.to_json()))

    @cached_property
    def _joint(self) -> group.Point:
        return group.parse_point(self.joint_key)

    def __getstate__(self) -> dict[str, Any]:
        # the cached point is a C object: leave it out so a context can go to a process pool
        return {k: v for k, v in self.__dict__.items() if k not in ("_digest", "_joint")}

    def digest_bytes(self) -> bytes:
        return self._digest

    def digest(self) -> str:
        """SHA-256 (tagged) of the canonical JSON, hex."""
        return self._digest.hex()

    def joint_point(self) -> group.Point:
        return self._joint


_EMPTY: dict[str, Any] = {
    "deployment": "",
    "meeting_id": 0,
    "vote_id": 0,
    "question": "",
    "options": (),
    "guardian_count": 0,
    "quorum": 0,
    "joint_key": "",
    "verification_keys": (),
    "ceremony": "",
}


def vote_context(
    deployment: str,
    meeting_id: int,
    vote_id: int,
    question: str,
    options: list[str],
    announcements: list[dict[str, Any]],
    quorum: int,
) -> VoteContext:
    """The context of one secret vote, from the meeting's checked guardian announcements."""
    from ecabinet.meetings.ballots import ceremony

    count = len(announcements) if isinstance(announcements, list) else 0
    for a in announcements:
        ceremony.check_announcement(a, count, quorum)
    ctx = VoteContext(
        deployment=deployment,
        meeting_id=meeting_id,
        vote_id=vote_id,
        question=question,
        options=tuple(options),
        guardian_count=count,
        quorum=quorum,
        joint_key=ceremony.joint_key(announcements),
        verification_keys=tuple(
            ceremony.verification_key(announcements, i) for i in range(1, count + 1)
        ),
        ceremony=ceremony_digest(announcements),
    )
    return VoteContext.from_json(ctx.to_json())  # the same shape checks as a received one
