"""Untrusted PDFs are read here, in the sandbox (:mod:`ecabinet.core.sandbox`), under the
budget of the settings (``ECABINET_PDF_CPU_SECONDS``, ``_PDF_MEMORY_BYTES``, ``_PDF_SECONDS``).

One step prepares a received or uploaded file before the write transaction: its
signatures checked (the receipt kept with it) and its text for search, in one child
process (:func:`intake`). Reports of stored or sent files (:func:`report`) and the read a
signing makes of its file (:func:`probe`) take the same road. A file over the budget is a
422 ``pdf.too_costly``, and nothing is written.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from documents import search
from documents.files import Receipt, receipt_of
from ecabinet.core import sandbox
from ecabinet.core.settings import Settings
from ecabinet.signatures.setup import SigningSetup
from signing.fields import form_fields
from signing.pdfio import open_pdf, startxref
from signing.validation import Report, validate_pdf

MODULES = [__name__]
"""What the sandbox's fork server imports before the first file (for a quick start)."""


@dataclass(frozen=True)
class Intake:
    """What a received file gives the domain services."""

    receipt: Receipt | None
    """Its signatures, checked (None when not asked for)."""
    text: str | None
    """Its text for search (None when not asked for)."""


def intake(
    setup: SigningSetup, data: bytes | None, *, validate: bool = True, text: bool = True
) -> Intake:
    """Check the signatures of ``data`` and take its text, in the sandbox."""
    if data is None:
        return Intake(None, None)
    return sandbox.run(_budget(setup), _intake, data, setup.settings, validate, text)


def report(setup: SigningSetup, data: bytes) -> Report:
    """The signature validation report of ``data``, made in the sandbox."""
    return sandbox.run(_budget(setup), _report, data, setup.settings)


def probe(setup: SigningSetup, data: bytes) -> int:
    """Read ``data`` as signing will (its structure, pages and form fields) in the sandbox
    and give its page count; signing then reads it again in-process, within the same
    bound. A damaged file is the usual ``BadPdf``."""
    return sandbox.run(_budget(setup), _probe, data)


def probe_each(setup: SigningSetup, files: list[bytes]) -> Iterator[int]:
    """:func:`probe` for each file in turn, in one child (a batch pays one fork, not one
    per file); the page counts come as they are read, each file under its own budget."""
    return sandbox.run_each(_budget(setup), _probe, files)


def _budget(setup: SigningSetup) -> sandbox.Budget:
    return sandbox.Budget.of(setup.settings)


def _intake(data: bytes, settings: Settings, validate: bool, text: bool) -> Intake:
    receipt = receipt_of(_report(data, settings)) if validate else None
    return Intake(receipt, search.pdf_text(data) if text else None)


def _report(data: bytes, settings: Settings) -> Report:
    return validate_pdf(data, SigningSetup(settings).policy())


def _probe(data: bytes) -> int:
    reader = open_pdf(data)
    startxref(data)
    for page in reader.pages:
        _ = (page.mediabox, page.cropbox, page.get("/Rotate"), page.get("/Annots"))
    list(form_fields(reader))
    return len(reader.pages)
