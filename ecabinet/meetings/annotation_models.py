"""Tables of the meetings domain: annotations (filled in by the annotation work)."""

from __future__ import annotations
