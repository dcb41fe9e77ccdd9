"""Validation of signed PDFs: :func:`validate_pdf` gives a :class:`Report`."""

from signing.validation.report import Indication, Report, SignatureReport, render_vi
from signing.validation.validate import Policy, validate_pdf

__all__ = ["Indication", "Policy", "Report", "SignatureReport", "render_vi", "validate_pdf"]
