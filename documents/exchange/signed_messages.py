"""Signed exchange messages (decision 0032): a detached CMS signature (CAdES-style:
content-type, message-digest and ESS signing-certificate-v2 signed attributes) over the
exact bytes of a package, a status message or a receipt, made with the sending
deployment's key and checked against the certificate configured for the sender's agency
code. The signature travels beside the bytes, so a package relayed by an axis stays
verifiable by its final receiver."""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding

from ecabinet.core import errors
from ecabinet.core.audit import Actor
from signing import cms
from signing.embedded import read_signed_data
from signing.keys import KeySource
from signing.validation.integrity import check_ess, check_signed_data


def package_id(data: bytes) -> str:
    """A package's id: the SHA-256 of its bytes (hex). The sender freezes the bytes before
    the first attempt, so retries carry the same id, and nobody can give the same bytes
    another id."""
    return hashlib.sha256(data).hexdigest()


def sign(key: KeySource, data: bytes) -> bytes:
    """The detached CMS signature (DER) of ``data`` by ``key``."""
    attrs = cms.signed_attributes(hashlib.sha256(data).digest(), key.certificate)
    return cms.signed_data(attrs, key.sign(attrs), key.certificate, key.chain)


def peer_actor(code: str) -> Actor:
    """Who a peer's message acts as in our audit log and timelines."""
    return Actor.system(f"exchange:{code}"[:255])


def refused(code: str, vi: str, en: str, **details: Any) -> errors.InvalidInput:
    return errors.InvalidInput(code, vi, en, details or None)


def verify(data: bytes, signature: bytes, expected: x509.Certificate) -> None:
    """Refuse (``exchange.bad_signature``, ``exchange.wrong_signer``) unless
    ``signature`` is a valid detached CMS signature of ``data`` by ``expected``."""
    signed = read_signed_data(signature)
    if signed is None:
        raise refused(
            "exchange.bad_signature",
            "Chữ ký của gói tin không đọc được (không phải CMS).",
            "The package's signature cannot be read (not CMS).",
        )
    outcome = check_signed_data(signed, {"sha256": hashlib.sha256(data).digest()})
    if outcome.ok:
        outcome = check_ess(signed)
    if not outcome.ok:
        raise refused(
            "exchange.bad_signature",
            f"Chữ ký của gói tin không hợp lệ: {outcome.vi}",
            f"The package's signature is not valid: {outcome.en}",
            failure=outcome.failure,
        )
    signer = signed.signer_certificate
    if signer is None or signer.public_bytes(Encoding.DER) != expected.public_bytes(Encoding.DER):
        raise refused(
            "exchange.wrong_signer",
            "Gói tin không do chứng thư số đã cấu hình cho cơ quan gửi ký.",
            "The package is not signed with the certificate configured for the sender.",
        )


@dataclass(frozen=True)
class Receipt:
    """What a receiver signs when it accepts a package."""

    package_id: str
    kind: str
    from_code: str
    to_code: str
    received_at: str
    """ISO 8601, UTC."""
    reference: str = ""
    """The receiver's reference (its document id), for its clerk and ours."""
    relayed_by: str = ""
    """A relay's receipt (decision 0036): the relaying agency's code. The message was
    taken on to the next hop, not yet delivered; the relay signs this receipt."""

    def encode(self) -> bytes:
        fields = asdict(self)
        if not self.relayed_by:  # a receiver's receipt keeps its bytes of before 0036
            del fields["relayed_by"]
        return json.dumps(fields, sort_keys=True, separators=(",", ":")).encode()

    @classmethod
    def decode(cls, data: bytes) -> Receipt:
        try:
            raw = json.loads(data)
            optional = {"relayed_by": str(raw.get("relayed_by", ""))}
            named = {k: str(raw[k]) for k in cls.__dataclass_fields__ if k not in optional}
            return cls(**named, **optional)
        except (ValueError, TypeError, KeyError, AttributeError):
            raise refused(
                "exchange.bad_receipt",
                "Biên nhận không đọc được.",
                "The receipt cannot be read.",
            ) from None
