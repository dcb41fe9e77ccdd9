"""Encrypted secret ballots (ElectionGuard-like) on secp256k1: key ceremony, ballots with
zero-knowledge proofs, homomorphic tally, threshold decryption and a verifiable record.

A library: imports only third-party code (and the domain error base). See docs/ballots.md.
"""

from ecabinet.meetings.ballots.ballot import (
    CheckedBallot,
    check_ballot,
    encrypt_ballot,
    short_code,
    tracking_code,
)
from ecabinet.meetings.ballots.ceremony import (
    GuardianSecret,
    GuardianShare,
    accept_shares,
    announcement,
    check_announcement,
    joint_key,
    new_guardian,
    shares_for,
    verification_key,
)
from ecabinet.meetings.ballots.context import VoteContext, canonical_json, vote_context
from ecabinet.meetings.ballots.decryption import aggregate, check_partial, combine, partial_decrypt
from ecabinet.meetings.ballots.errors import (
    BadInput,
    BallotRejected,
    CeremonyError,
    NotEnoughPartials,
    PartialRejected,
)
from ecabinet.meetings.ballots.record import RecordReport, build_record, record_hash, verify_record

__all__ = [
    "BadInput",
    "BallotRejected",
    "CeremonyError",
    "CheckedBallot",
    "GuardianSecret",
    "GuardianShare",
    "NotEnoughPartials",
    "PartialRejected",
    "RecordReport",
    "VoteContext",
    "accept_shares",
    "aggregate",
    "announcement",
    "build_record",
    "canonical_json",
    "check_announcement",
    "check_ballot",
    "check_partial",
    "combine",
    "encrypt_ballot",
    "joint_key",
    "new_guardian",
    "partial_decrypt",
    "record_hash",
    "shares_for",
    "short_code",
    "tracking_code",
    "verification_key",
    "verify_record",
    "vote_context",
]
