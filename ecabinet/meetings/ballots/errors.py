"""Errors of the encrypted-ballot core: a stable code and Vietnamese + English messages.

Every kind subclasses :mod:`ecabinet.core.errors` so the API maps them to 4xx statuses.
"""

from __future__ import annotations

from typing import Any

from ecabinet.core.errors import Conflict, InvalidInput


class BallotRejected(InvalidInput):
    """A ballot sent by a tablet is malformed or its proofs do not hold (422)."""

    def __init__(
        self, code: str, message_vi: str, message_en: str, details: dict[str, Any] | None = None
    ) -> None:
        super().__init__(code, message_vi, message_en, details)


class CeremonyError(InvalidInput):
    """A guardian announcement or share is malformed or does not match its commitments."""


class PartialRejected(InvalidInput):
    """A guardian's partial decryption is malformed or its proof does not hold."""


class NotEnoughPartials(Conflict):
    """Fewer valid partial decryptions than the quorum: the tally cannot be decrypted yet."""


class BadInput(InvalidInput):
    """A context, aggregate or stored secret given to the library is malformed."""


def ballot_malformed(where: str) -> BallotRejected:
    return BallotRejected(
        "ballot.malformed",
        f"Phiếu mã hóa không đúng định dạng ({where}).",
        f"The encrypted ballot is malformed ({where}).",
        {"where": where},
    )


def ballot_wrong_vote() -> BallotRejected:
    return BallotRejected(
        "ballot.wrong_vote",
        "Phiếu được mã hóa cho một cuộc biểu quyết khác.",
        "The ballot was encrypted for another vote.",
    )


def ballot_option_count(expected: int, got: int) -> BallotRejected:
    return BallotRejected(
        "ballot.option_count",
        f"Phiếu phải có {expected} lựa chọn, nhận được {got}.",
        f"The ballot must have {expected} selections, got {got}.",
        {"expected": expected, "got": got},
    )


def ballot_bad_point(where: str) -> BallotRejected:
    return BallotRejected(
        "ballot.bad_point",
        f"Phiếu chứa một điểm không hợp lệ trên đường cong ({where}).",
        f"The ballot holds an invalid curve point ({where}).",
        {"where": where},
    )


def ballot_bad_proof(where: str) -> BallotRejected:
    return BallotRejected(
        "ballot.bad_proof",
        f"Chứng minh của phiếu không hợp lệ ({where}).",
        f"The ballot's proof does not hold ({where}).",
        {"where": where},
    )


def ceremony(code: str, vi: str, en: str, **details: Any) -> CeremonyError:
    return CeremonyError(f"ceremony.{code}", vi, en, details)


def bad_input(what: str) -> BadInput:
    return BadInput(
        "ballots.bad_input",
        f"Dữ liệu bỏ phiếu mã hóa không hợp lệ ({what}).",
        f"Invalid encrypted-voting data ({what}).",
        {"what": what},
    )


def partial_rejected(index: int, reason: str) -> PartialRejected:
    return PartialRejected(
        "tally.bad_partial",
        f"Phần giải mã của người giữ khóa {index} không hợp lệ ({reason}).",
        f"Guardian {index}'s partial decryption is invalid ({reason}).",
        {"guardian": index, "reason": reason},
    )


def not_enough_partials(have: int, quorum: int) -> NotEnoughPartials:
    return NotEnoughPartials(
        "tally.not_enough_partials",
        f"Cần ít nhất {quorum} người giữ khóa giải mã, mới có {have}.",
        f"At least {quorum} guardians must decrypt; {have} have.",
        {"have": have, "quorum": quorum},
    )
