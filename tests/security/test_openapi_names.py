"""Finding 17: every schema in the OpenAPI document names one model; two models of one
name make the builder fail instead of documenting one endpoint with the other's shape."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import BaseModel
from starlette.responses import Response

import ecabinet.app  # noqa: F401  (importing it registers every route)
from ecabinet.api.framework import Api, Call, openapi
from ecabinet.api.registry import api


def _models(api: Api) -> dict[str, set[str]]:
    """Every model the document refers to (bodies, answers and what they hold), by name."""
    found: dict[str, set[str]] = {}

    def walk(model: type[BaseModel]) -> None:
        names = found.setdefault(model.__name__, set())
        if model.__qualname__ and f"{model.__module__}.{model.__qualname__}" in names:
            return
        names.add(f"{model.__module__}.{model.__qualname__}")
        for field in model.model_fields.values():
            for arg in _types(field.annotation):
                if isinstance(arg, type) and issubclass(arg, BaseModel):
                    walk(arg)

    for op in api.operations:
        for out in [op.body, *op.responses.values()]:
            if isinstance(out, type):
                walk(out)
    return found


def _types(annotation: Any) -> list[Any]:
    out = [annotation]
    for arg in getattr(annotation, "__args__", ()):
        out += _types(arg)
    return out


def test_f17_no_two_models_share_a_name() -> None:
    clashes = {name: where for name, where in _models(api).items() if len(where) > 1}
    assert clashes == {}


def test_f17_meeting_endpoints_document_their_own_schemas() -> None:
    doc = openapi(api, title="t", version="1")
    schemas = doc["components"]["schemas"]
    answer = doc["paths"]["/api/v1/meetings/{meeting_id}/events"]["get"]["responses"]["200"]
    events = schemas[answer["content"]["application/json"]["schema"]["$ref"].split("/")[-1]]
    event = schemas[events["properties"]["events"]["items"]["$ref"].split("/")[-1]]
    assert "meeting_id" in event["properties"]
    documents = schemas["DocumentOut"]
    assert "abstract" in documents["properties"]  # the official document, not an agenda file


class _A(BaseModel):
    x: int


def test_f17_the_builder_refuses_a_collision() -> None:
    other = type("_A", (BaseModel,), {"__annotations__": {"y": str}, "__module__": __name__})
    local = Api("/x")

    async def handler(call: Call) -> Response:
        return Response()

    local.route("/a", "GET", "a", responses={200: _A})(handler)
    local.route("/b", "GET", "b", responses={200: other})(handler)
    with pytest.raises(ValueError, match="_A"):
        openapi(local, title="t", version="1")
