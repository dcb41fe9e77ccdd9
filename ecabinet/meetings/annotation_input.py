"""What a tablet sends to save or delete an annotation, checked the same way whether it
came over HTTP or Socket.IO: the size first, then the shape (pydantic), then what
:func:`ecabinet.meetings.annotate.validate` says an annotation may hold."""

from __future__ import annotations

import json
import unicodedata
from typing import Annotated, Any, Literal, TypeVar

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    Strict,
    ValidationError,
    field_validator,
    model_validator,
)

from ecabinet.core import errors, inputs
from ecabinet.core.inputs import DB_INT_MAX
from ecabinet.meetings.annotate import Annotation, Highlight, Ink, Note, Point

M = TypeVar("M", bound=BaseModel)
MAX_BODY_BYTES = 256 * 1024
"""An annotation's body, as JSON, at most (5,000 ink points fit in about 120 KB)."""
MAX_SHARED = 500
UUID_PATTERN = "^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"

Number = Annotated[float, Strict()]
"""A JSON number (never a string or a boolean)."""
Text = Annotated[str, Strict()]
NoteText = Annotated[inputs.Text, Strict()]
"""A note's words: NFC, no control or bidi character (line breaks kept)."""
Id = Annotated[int, Strict(), Field(ge=1, le=DB_INT_MAX)]


class _Shape(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class PointIn(_Shape):
    x: Number
    y: Number


class InkBody(_Shape):
    points: list[PointIn]
    color: Text
    width: Number


class HighlightBody(_Shape):
    rects: list[list[Number]]
    color: Text


class NoteBody(_Shape):
    at: PointIn
    text: NoteText
    color: Text


BODIES: dict[str, type[_Shape]] = {"ink": InkBody, "highlight": HighlightBody, "note": NoteBody}


class AnnotationIn(_Shape):
    """Save an annotation: new, or the same ``client_id`` again (an update, or a re-send
    of what the server already has). Over HTTP, ``meeting_id`` and ``document_id`` come
    from the address."""

    meeting_id: Id | None = None
    document_id: Id
    client_id: Text = Field(
        pattern=UUID_PATTERN, description="A UUID the tablet makes, unique per author"
    )
    page: Annotated[int, Strict()] = Field(description="Page index, from 0")
    kind: Literal["ink", "highlight", "note"]
    body: dict[str, Any] = Field(
        description='ink: {"points": [{"x", "y"}…], "color": "#RRGGBB", "width"}; '
        'highlight: {"rects": [[x1, y1, x2, y2]…], "color"}; note: {"at": {"x", "y"}, '
        '"text", "color"}; positions in fractions of the page as shown, from the top left'
    )
    visibility: Literal["me", "named", "everyone"] = "me"
    shared_with: list[Id] = Field(
        default_factory=list, max_length=MAX_SHARED, description="User ids (named only)"
    )

    @field_validator("client_id")
    @classmethod
    def _lower(cls, value: str) -> str:
        return value.lower()  # the same UUID however the tablet spells it


class DeleteIn(_Shape):
    """Delete one of my annotations, by the server's ``id`` or by my ``client_id``."""

    meeting_id: Id | None = None
    id: Id | None = None
    client_id: Text | None = None

    @model_validator(mode="after")
    def _one_key(self) -> DeleteIn:
        if (self.id is None) == (self.client_id is None):
            raise ValueError("give id or client_id")
        return self


def parse(payload: object, *, document_id: int | None = None) -> AnnotationIn:
    """The payload checked: 413 ``annotation.too_large`` for a body over 256 KB of JSON,
    422 ``annotation.invalid`` (with the fields at fault) for a malformed one. With
    ``document_id`` (from an address), the payload may leave it out but not differ."""
    if isinstance(payload, dict):
        if document_id is not None:
            if payload.get("document_id", document_id) != document_id:
                raise errors.InvalidInput(
                    "annotation.wrong_document",
                    "Ghi chú gửi kèm mã tài liệu khác với địa chỉ.",
                    "The annotation names another document than the address.",
                )
            payload = payload | {"document_id": document_id}
        size = len(json.dumps(payload.get("body"), ensure_ascii=False, default=str).encode())
        if size > MAX_BODY_BYTES:
            raise too_large(size)
    return _checked(AnnotationIn, payload, "")


def document_id_of(payload: object) -> int | None:
    """The payload's ``document_id`` when :func:`parse` would take it, else None (a
    look before the payload is checked: :func:`parse` says what is wrong)."""
    found = payload.get("document_id") if isinstance(payload, dict) else None
    return found if type(found) is int and 1 <= found <= DB_INT_MAX else None


def too_large(size: int) -> errors.TooLarge:
    return errors.TooLarge(
        "annotation.too_large",
        f"Ghi chú quá lớn ({size // 1024} KB, tối đa {MAX_BODY_BYTES // 1024} KB).",
        f"The annotation is too large ({size // 1024} KB, at most {MAX_BODY_BYTES // 1024} KB).",
        {"size_bytes": size, "limit_bytes": MAX_BODY_BYTES},
    )


def parse_delete(payload: object) -> DeleteIn:
    return _checked(DeleteIn, payload, "")


def to_annotation(data: AnnotationIn) -> Annotation:
    """The body in :mod:`~ecabinet.meetings.annotate`'s terms (not yet checked against the
    page count: that is :func:`~ecabinet.meetings.annotate.validate`)."""
    body = _checked(BODIES[data.kind], data.body, "body.")
    if isinstance(body, InkBody):
        points = tuple(Point(p.x, p.y) for p in body.points)
        return Ink(data.page, points, body.color, body.width)
    if isinstance(body, HighlightBody):
        rects = tuple(tuple(r) for r in body.rects)
        return Highlight(data.page, rects, body.color)  # type: ignore[arg-type]  # validate() checks 4
    assert isinstance(body, NoteBody)
    text = unicodedata.normalize("NFC", body.text)
    return Note(data.page, Point(body.at.x, body.at.y), text, body.color)


def body_json(annotation: Annotation) -> str:
    """What is stored: the annotation's shape without its page, compact."""
    if isinstance(annotation, Ink):
        body: dict[str, Any] = {
            "points": [{"x": p.x, "y": p.y} for p in annotation.points],
            "color": annotation.color,
            "width": annotation.width,
        }
    elif isinstance(annotation, Highlight):
        body = {"rects": [list(r) for r in annotation.rects], "color": annotation.color}
    else:
        at = {"x": annotation.at.x, "y": annotation.at.y}
        body = {"at": at, "text": annotation.text, "color": annotation.color}
    return json.dumps(body, ensure_ascii=False, separators=(",", ":"))


def from_json(kind: str, page: int, body: str) -> Annotation:
    """A stored annotation back as its :mod:`~ecabinet.meetings.annotate` shape."""
    data = json.loads(body)
    if kind == "ink":
        points = tuple(Point(p["x"], p["y"]) for p in data["points"])
        return Ink(page, points, data["color"], data["width"])
    if kind == "highlight":
        return Highlight(page, tuple(tuple(r) for r in data["rects"]), data["color"])
    return Note(page, Point(data["at"]["x"], data["at"]["y"]), data["text"], data["color"])


def _checked(model: type[M], payload: object, prefix: str) -> M:
    try:
        return model.model_validate(payload)
    except ValidationError as exc:
        problems = [
            {"field": prefix + ".".join(str(p) for p in e["loc"]), "problem": e["msg"]}
            for e in exc.errors(include_url=False, include_input=False)
        ][:20]
        fields = "; ".join(dict.fromkeys(p["field"] or "body" for p in problems))
        raise errors.InvalidInput(
            "annotation.invalid",
            f"Ghi chú không hợp lệ: {fields}.",
            f"The annotation is not valid: {fields}.",
            {"fields": problems},
        ) from None
