"""Tables of the meetings domain: minutess (filled in by the minutes work)."""

from __future__ import annotations
