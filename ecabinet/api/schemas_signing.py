"""Request and response bodies of the signing and validation API."""

from __future__ import annotations

import base64
from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, Field, SecretStr, field_validator

from ecabinet.api.schemas import FileOut, In
from ecabinet.core.inputs import Line
from ecabinet.signatures.activation import Activation
from ecabinet.signatures.pins import MAX_PIN
from ecabinet.signatures.service import MAX_BATCH, SignRequest
from ecabinet.signatures.twostep import ToBeSigned
from signing.specs import DocMDP, Level
from signing.validation import Report
from signing.validation.report import SignatureReport

Coordinate = Annotated[float, Field(ge=0, le=14_400)]


class ActivationIn(In):
    """The holder's activation data for this signature or batch (sole control): the
    credential's PIN, and a TOTP code when the official enrolled one. Never stored."""

    pin: SecretStr | None = Field(
        default=None, max_length=MAX_PIN, description="The credential's signing PIN"
    )
    otp: str | None = Field(
        default=None, max_length=12, description="A TOTP code (6 digits), when enrolled"
    )

    def activation(self) -> Activation:
        pin = self.pin.get_secret_value() if self.pin is not None else None
        return Activation(pin=pin, otp=self.otp)


class PlacementIn(In):
    """How to sign: your credential, the PAdES level, the visible box (optional)."""

    credential_id: str = Field(min_length=1, max_length=36)
    level: Level = Level.B_B
    field: str | None = Field(default=None, min_length=1, max_length=120)
    page: int = Field(default=1, ge=-1000, le=100_000, description="From 1; -1: last page")
    box: tuple[Coordinate, Coordinate, Coordinate, Coordinate] | None = Field(
        default=None, description="x1, y1, x2, y2 in points"
    )
    reason: Line = Field(default="", max_length=255)
    location: Line = Field(default="", max_length=255)
    certify: DocMDP | None = Field(
        default=None, description="Lock the document after this signature: 1, 2 or 3"
    )
    appearance: bool = Field(
        default=False,
        description="Show the credential's image even without a box: a seal goes over the"
        " signature image of the official who signed last on the page",
    )

    @field_validator("page")
    @classmethod
    def _not_zero(cls, page: int) -> int:
        if page == 0:
            raise ValueError("pages count from 1 (or -1 for the last)")
        return page

    @field_validator("box")
    @classmethod
    def _ordered(
        cls, box: tuple[float, float, float, float] | None
    ) -> tuple[float, float, float, float] | None:
        if box is not None and not (box[0] < box[2] and box[1] < box[3]):
            raise ValueError("the box must be x1 < x2 and y1 < y2")
        return box

    def request(self) -> SignRequest:
        return SignRequest(
            credential_id=self.credential_id,
            level=self.level,
            field=self.field,
            page=self.page,
            box=self.box,
            reason=self.reason,
            location=self.location,
            certify=self.certify,
            appearance=self.appearance,
        )


class SignIn(PlacementIn, ActivationIn):
    """How to sign, and the activation data (the PIN) that lets the key sign."""


class BatchSignIn(SignIn):
    """Several files signed with one credential in one request."""

    file_ids: list[str] = Field(min_length=1, max_length=MAX_BATCH)


class PrepareIn(PlacementIn):
    """Two-step signing with a USB-token credential: where and how, as for signing (the
    token asks for its own PIN when it signs)."""


class PendingOut(BaseModel):
    """A prepared signature: sign ``to_be_signed`` (or its digest) on the token, then send
    the signature to ``/signatures/pending/{pending_id}/complete`` before it expires."""

    pending_id: str
    to_be_signed: str = Field(description="DER of the CMS signed attributes, base64")
    digest: str = Field(description="SHA-256 of to_be_signed, base64")
    digest_algorithm: Literal["sha256"] = "sha256"
    field: str = Field(description="The signature field's name in the file")
    expires_at: datetime

    @classmethod
    def of(cls, prepared: ToBeSigned) -> PendingOut:
        return cls(
            pending_id=prepared.pending_id,
            to_be_signed=base64.b64encode(prepared.to_be_signed).decode(),
            digest=base64.b64encode(prepared.digest).decode(),
            field=prepared.field,
            expires_at=prepared.expires_at,
        )


class CompleteIn(In):
    """The token's signature over to_be_signed: RSA PKCS#1 v1.5 or DER ECDSA, base64."""

    signature: str = Field(min_length=1, max_length=4096)


class SignedFiles(BaseModel):
    """The signed copies, in the order asked."""

    files: list[FileOut]


class ReportOut(BaseModel):
    """A signature validation report (ETSI EN 319 102-1 indications)."""

    sha256: str
    size: int
    validated_at: datetime
    indication: str
    all_passed: bool
    signatures: list[SignatureReport]

    @classmethod
    def of(cls, report: Report) -> ReportOut:
        return cls.model_validate(report.to_dict())


class PinIn(In):
    """A new PIN: the first one of a credential registered before PINs (no ``old_pin``),
    or a change (``old_pin``, and ``otp`` when the official enrolled a TOTP)."""

    new_pin: SecretStr = Field(max_length=MAX_PIN)
    old_pin: SecretStr | None = Field(default=None, max_length=MAX_PIN)
    otp: str | None = Field(default=None, max_length=12)

    def old_activation(self) -> Activation | None:
        """The activation data that opens the key under its old PIN; None for a first PIN."""
        if self.old_pin is None:
            return None
        return Activation(pin=self.old_pin.get_secret_value(), otp=self.otp)


class OtpIn(In):
    otp: str = Field(min_length=1, max_length=12, description="A code from the device")


class TotpOut(BaseModel):
    """Whether the caller has a TOTP second factor for signing."""

    enrolled: bool
    confirmed: bool


class TotpStartOut(BaseModel):
    """A new enrolment: add ``uri`` (or ``secret``) to an authenticator app, then confirm
    with a code. Shown this once."""

    uri: str
    secret: str
