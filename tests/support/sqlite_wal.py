"""Replay a SQLite database's write-ahead log commit by commit, as a forensic reader of
the files on disk would: the database file as last checkpointed, then each committed
transaction's pages on top (https://www.sqlite.org/fileformat2.html#the_write_ahead_log)."""

from __future__ import annotations

import sqlite3
import struct
from collections.abc import Iterator
from pathlib import Path
from typing import Any

WAL_HEADER = 32
FRAME_HEADER = 24
MAGIC = (0x377F0682, 0x377F0683)


def commits(db_file: Path, wal_file: Path) -> Iterator[bytes]:
    """The database image after each commit recorded in the WAL, oldest first."""
    image = bytearray(db_file.read_bytes())
    wal = wal_file.read_bytes()
    magic, _version, page_size, _seq, salt1, salt2 = struct.unpack(">6I", wal[:24])
    assert magic in MAGIC, "not a WAL file"
    at = WAL_HEADER
    while at + FRAME_HEADER + page_size <= len(wal):
        page, commit_size, s1, s2 = struct.unpack(">4I", wal[at : at + 16])
        if (s1, s2) != (salt1, salt2):  # frames of an earlier generation of the WAL
            break
        data = wal[at + FRAME_HEADER : at + FRAME_HEADER + page_size]
        offset = (page - 1) * page_size
        if len(image) < offset + page_size:
            image.extend(b"\0" * (offset + page_size - len(image)))
        image[offset : offset + page_size] = data
        if commit_size:
            del image[commit_size * page_size :]
            snapshot = bytearray(image)
            snapshot[18:20] = b"\x01\x01"  # read it as a rollback-journal database
            yield bytes(snapshot)
        at += FRAME_HEADER + page_size


def tables(image: bytes, scratch: Path) -> dict[str, list[dict[str, Any]]]:
    """Every row of every table of a database image."""
    scratch.write_bytes(image)
    conn = sqlite3.connect(scratch)
    conn.row_factory = sqlite3.Row
    try:
        names = [
            r[0]
            for r in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            )
        ]
        out: dict[str, list[dict[str, Any]]] = {}
        for n in names:
            try:
                out[n] = [dict(r) for r in conn.execute(f'SELECT * FROM "{n}"')]  # noqa: S608
            except sqlite3.OperationalError:  # a virtual table; its shadow tables are read
                continue
        return out
    finally:
        conn.close()
