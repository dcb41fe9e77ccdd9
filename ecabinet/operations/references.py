"""Every column that names a blob of the object store by its SHA-256.

The storage sweep keeps what these name; a backup copies what they name in its snapshot;
a restore checks that each exists. A new column holding a blob's hash belongs here (and
``tests/operations/test_sweep.py`` fails until it is).
"""

from __future__ import annotations

from sqlalchemy import text
from sqlmodel import Session

import ecabinet.signatures.images  # noqa: F401  (registers the credential images)
from ecabinet.core.files import referenced_hashes

BLOB_COLUMNS: tuple[tuple[str, str], ...] = (
    ("stored_file", "sha256"),
    ("publication", "sha256"),
    ("signing_credential", "image_sha256"),
    ("pending_signature", "source_sha256"),
    ("exchange_outbox", "package_sha256"),
    ("exchange_inbox", "message_sha256"),
)
"""(table, column) of every column holding a blob key."""


def referenced(session: Session) -> set[str]:
    """The SHA-256 of every blob some row refers to, read in the caller's transaction."""
    found = referenced_hashes(session)
    for table, column in BLOB_COLUMNS:
        # The names come from BLOB_COLUMNS above, never from input.
        sql = f'SELECT DISTINCT "{column}" FROM "{table}" WHERE "{column}" IS NOT NULL'  # noqa: S608
        rows = session.execute(text(sql))
        found.update(str(r[0]) for r in rows if r[0])
    return found
