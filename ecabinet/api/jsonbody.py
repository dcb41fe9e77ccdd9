"""The API's one JSON loader: bounded depth, no NUL, no lone surrogate.

The depth is measured on the raw bytes before anything is parsed
(:mod:`ecabinet.core.jsondepth`); a body is at most ``ECABINET_MAX_JSON_BYTES``, so the
scan is bounded too.
"""

from __future__ import annotations

import json
from typing import Any

from ecabinet.core import errors, text
from ecabinet.core.jsondepth import MAX_DEPTH, depth


def bad_text(where: str, problem: str) -> errors.InvalidInput:
    """A NUL or lone surrogate in a body string or query parameter (422)."""
    return errors.InvalidInput(
        "request.bad_text",
        f"Dữ liệu gửi lên chứa ký tự không được phép ({problem}) ở {where}.",
        f"The request carries a character that is not allowed ({problem}) in {where}.",
        {"where": where, "problem": problem},
    )


def load(raw: bytes) -> Any:
    """Parse a request body (no body: an empty object); every problem is a bilingual 422."""
    if depth(raw) > MAX_DEPTH:
        raise errors.InvalidInput(
            "request.too_deep",
            f"Dữ liệu JSON lồng nhau quá {MAX_DEPTH} cấp.",
            f"The JSON nests deeper than {MAX_DEPTH} levels.",
            {"max_depth": MAX_DEPTH},
        )
    try:
        data = json.loads(raw or b"{}")
    except (ValueError, UnicodeDecodeError, RecursionError):
        raise errors.InvalidInput(
            "request.bad_json",
            "Dữ liệu gửi lên không phải JSON hợp lệ.",
            "The body is not valid JSON.",
        ) from None
    _check(data, "body")
    return data


def _check(value: Any, where: str) -> None:
    if isinstance(value, str):
        problem = text.refusal(value)
        if problem is not None:
            raise bad_text(where, problem)
    elif isinstance(value, dict):
        for key, item in value.items():
            _check(key, where)  # a JSON key is a string: past here, a clean one
            _check(item, f"{where}.{key}")
    elif isinstance(value, list):
        for n, item in enumerate(value):
            _check(item, f"{where}[{n}]")
