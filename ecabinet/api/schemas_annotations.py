"""Response bodies of the annotations API (the request body is the domain's
:class:`ecabinet.meetings.annotations.AnnotationIn`, shared with Socket.IO)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field, RootModel


class AnnotationOut(BaseModel):
    """An annotation, as the direct live messages ``annotation`` carry it too (the
    meeting's numbered ``annotation`` event names only its id and revision)."""

    id: int
    meeting_id: int
    document_id: int = Field(description="The document version")
    client_id: str
    page: int = Field(description="Page index, from 0")
    kind: str = Field(description="ink, highlight or note")
    body: dict[str, Any]
    visibility: str = Field(description="me, named or everyone")
    shared_with: list[int] = Field(description="The named colleagues' user ids")
    author_id: int
    author_name: str
    revision: int = Field(description="1 when created, one more at each change")
    created_at: str = Field(description="ISO 8601")
    updated_at: str = Field(description="ISO 8601")


class AnnotationList(BaseModel):
    """The annotations of a document version that the caller may see, oldest first."""

    items: list[AnnotationOut]


class JsonObject(RootModel[dict[str, Any]]):
    """Any JSON object: the domain checks it (the same way as over Socket.IO)."""
