"""Input types shared by every request schema (REST bodies and socket intents).

- :data:`Id`: an id or count a database integer column holds. PostgreSQL's ``integer``
  stops at 2**31 - 1; a larger number reaching a query is an error in the driver (a 500),
  so the schema refuses it first (a 422).
- :data:`Line` and :data:`Text`: text normalised as :mod:`ecabinet.core.text` says (NFC,
  no bidi or control characters; a line keeps no line break) *before* the length limits
  are checked, so a name of bidi controls alone is as empty as "".
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BeforeValidator, Field

from ecabinet.core import text

DB_INT_MAX = 2**31 - 1
"""The largest id or number the API accepts: PostgreSQL's ``integer``."""


def _line(value: Any) -> Any:
    return text.line(value) if isinstance(value, str) else value


def _text(value: Any) -> Any:
    return text.text(value) if isinstance(value, str) else value


Id = Annotated[int, Field(ge=1, le=DB_INT_MAX)]
"""A row id in a body (1…2**31 - 1)."""
Line = Annotated[str, BeforeValidator(_line)]
"""One-line text: a name, a title, a label, a file name."""
Text = Annotated[str, BeforeValidator(_text)]
"""Multi-line text: an abstract, a note, a reason, a direction."""
