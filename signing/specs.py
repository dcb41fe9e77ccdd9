"""What a caller asks for: where a signature goes, what it claims, what it looks like."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from enum import IntEnum, StrEnum

from signing.pdfio import VN

AppearanceBuilder = Callable[[int], list[bytes]]
"""Given the number ``n`` its first object will get, the bodies of the appearance's
objects (object ``n + i`` is the ``i``-th); the first is the form XObject used as the
widget's normal appearance. References between them are written as ``n + i 0 R``."""


class Level(StrEnum):
    """PAdES baseline levels (ETSI EN 319 142-1)."""

    B_B = "B-B"
    B_T = "B-T"
    B_LT = "B-LT"
    B_LTA = "B-LTA"


class DocMDP(IntEnum):
    """Certification permissions (ISO 32000 /P): what may change after a certifying
    signature."""

    NO_CHANGES = 1
    FORM_FILLING = 2
    ANNOTATIONS = 3


@dataclass(frozen=True)
class FieldSpec:
    """Where and how the signature field goes."""

    name: str
    """Field name (/T); unique in the document. An existing empty signature field of this
    name is filled instead of adding a new one."""
    page: int = 0
    """Page index, from 0."""
    rect: tuple[float, float, float, float] = (0.0, 0.0, 0.0, 0.0)
    """Widget rectangle in PDF points; all zero for an invisible signature."""
    signed_at: datetime = field(default_factory=lambda: datetime.now(VN))
    """Claimed signing time, written to /M."""
    signer_name: str = ""
    reason: str = ""
    location: str = ""
    contents_size: int = 0
    """Bytes reserved for the CMS blob (the hex placeholder is twice this); 0: enough for
    the certificates and, when time-stamped, the token."""
    appearance: AppearanceBuilder | None = None
    """Builds the widget's appearance objects; None for no appearance stream."""
    certify: DocMDP | None = None
    """DocMDP permission (1, 2 or 3) when this signature certifies the document."""
    timestamp: bool = False
    """A document time-stamp (/DocTimeStamp, ETSI.RFC3161) instead of a signature."""
