"""Files: a named, typed reference from SQL to a content-addressed blob.

The blob is written to the object store first, then the row is added in one
transaction with its audit entry, so a crash between the two leaves at most an
unreferenced blob (which a sweep may remove), never a row pointing at nothing.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Iterable
from datetime import datetime

from sqlalchemy import BigInteger, Column
from sqlmodel import Field, Session, SQLModel, col, select

from ecabinet.core import audit, errors, text
from ecabinet.core.audit import Actor
from ecabinet.core.policy import Action, Subject, rule
from ecabinet.core.storage import BlobInfo
from ecabinet.core.types import UTCDateTime, utcnow

_CONTENT_TYPE_RE = re.compile(r"^[a-z0-9][a-z0-9!#$&^_.+-]*/[a-z0-9][a-z0-9!#$&^_.+-]*$")
_BAD_FILENAME_CHARS = re.compile(r'[/\\:*?"<>|]')
"""What a file name may not hold beyond what :func:`ecabinet.core.text.line` strips."""


class StoredFile(SQLModel, table=True):
    __tablename__ = "stored_file"
    id: str = Field(primary_key=True, max_length=36)
    sha256: str = Field(max_length=64, index=True)
    size: int = Field(sa_type=BigInteger)
    content_type: str = Field(max_length=127)
    filename: str = Field(max_length=255)
    agency_id: int = Field(foreign_key="agency.id", index=True)
    uploaded_by: int | None = Field(default=None, foreign_key="user.id")
    created_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    owner: str | None = Field(default=None, max_length=16)
    """The domain object that governs the file ("document"): such a file is read only
    through that object's routes and permissions, never through ``/files``."""


@rule(StoredFile)
def _file_rule(subject: Subject, action: Action, file: StoredFile) -> bool:
    if file.owner is not None:
        return False  # a confidential document's file must not leak through /files
    own = file.uploaded_by == subject.user_id
    if action is Action.view:
        return own or subject.member_of(file.agency_id) or subject.administers(file.agency_id)
    if action is Action.delete:
        return own or subject.administers(file.agency_id)
    return False


def clean_filename(name: str) -> str:
    """A safe display name: NFC, no path parts, control or bidi characters (U+202E in
    ``x<U+202E>fdp.exe`` shows it as ``xexe.pdf``), at most 255 chars."""
    name = text.line(name).replace("\\", "/").rsplit("/", 1)[-1]
    name = _BAD_FILENAME_CHARS.sub("_", name).strip(" .")
    if not name:
        raise errors.InvalidInput(
            "file.bad_name", "Tên tệp không hợp lệ.", "The file name is not valid."
        )
    if len(name) > 255:
        stem, dot, ext = name.rpartition(".")
        name = (stem[: 250 - len(ext)] + dot + ext) if dot and len(ext) <= 10 else name[:255]
    return name


def clean_content_type(value: str | None) -> str:
    value = (value or "application/octet-stream").split(";", 1)[0].strip().lower()
    if not _CONTENT_TYPE_RE.match(value) or len(value) > 127:
        raise errors.InvalidInput(
            "file.bad_content_type",
            "Kiểu nội dung của tệp không hợp lệ.",
            "The file's content type is not valid.",
        )
    return value


def register_file(
    session: Session,
    actor: Actor,
    *,
    blob: BlobInfo,
    filename: str,
    content_type: str,
    agency_id: int,
    action: str = "file.upload",
    summary: str = "",
) -> StoredFile:
    """Add the row for a blob already in the store, with its audit entry (``action``,
    ``summary`` before the file's own description: a signed copy says how it was made)."""
    stored = StoredFile(
        id=str(uuid.uuid4()),
        sha256=blob.sha256,
        size=blob.size,
        content_type=clean_content_type(content_type),
        filename=clean_filename(filename),
        agency_id=agency_id,
        uploaded_by=actor.user_id,
        created_at=utcnow(),
    )
    session.add(stored)
    session.flush()
    audit.record(
        session,
        actor,
        action,
        "file",
        stored.id,
        (summary + " — " if summary else "")
        + f"{stored.filename} ({stored.size} bytes, sha256 {stored.sha256[:16]}…)",
    )
    return stored


def get_file(session: Session, file_id: str) -> StoredFile:
    try:
        uuid.UUID(file_id)
    except ValueError:
        raise errors.NotFound.of("tệp", "File", "file.not_found") from None
    stored = session.get(StoredFile, file_id)
    if stored is None:
        raise errors.NotFound.of("tệp", "File", "file.not_found")
    return stored


BlobReferences = Callable[[Session], Iterable[str]]
_references: list[BlobReferences] = []


def references_blobs(fn: BlobReferences) -> BlobReferences:
    """Register where else blobs are referenced (domain packages register theirs, as they
    register policy rules), so that a sweep of unreferenced blobs keeps them."""
    if fn not in _references:
        _references.append(fn)
    return fn


def referenced_hashes(session: Session) -> set[str]:
    """Every blob hash some row refers to (for the sweep of orphaned blobs)."""
    found = set(session.exec(select(col(StoredFile.sha256)).distinct()))
    for fn in _references:
        found.update(fn(session))
    return found
