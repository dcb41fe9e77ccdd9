"""Tables of the meetings domain: consultations (filled in by the consultation work)."""

from __future__ import annotations
