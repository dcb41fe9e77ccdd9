"""Where the directory comes from: a file, or the national axis's directory service.

A :class:`DirectorySource` gives the directory's rows; :func:`synchronise` imports them
with the same checks and all-or-nothing rule as a file. The file source is here; the axis
adapter of the exchange (its ``directory`` operation) is another implementation that
turns the axis's answer into the same rows.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Protocol

from sqlmodel import Session

from documents.agency_directory import importing
from documents.agency_directory.importing import DirectoryRefused, Outcome
from ecabinet.core.agency_files import Problem
from ecabinet.core.audit import Actor

Rows = list[tuple[int, dict[str, Any]]]
"""(line or position, {column: value}), the columns of :mod:`.importing`."""


class DirectorySource(Protocol):
    """Something that lists the agencies of the directory."""

    @property
    def name(self) -> str:
        """What the audit log calls it (a file name, the axis's address)."""
        ...

    def rows(self) -> Rows:
        """Every agency the source knows; raises :class:`DirectoryRefused` when it cannot
        be read (a failure to reach an outside service is the adapter's own error)."""
        ...


class FileDirectorySource:
    """A CSV or JSON file, its kind from the suffix unless given."""

    def __init__(self, path: Path, kind: str | None = None) -> None:
        self.path = path
        self.kind = kind or ("json" if path.suffix.lower() == ".json" else "csv")

    @property
    def name(self) -> str:
        return self.path.name

    def rows(self) -> Rows:
        try:
            data = self.path.read_bytes()
        except OSError as exc:
            raise DirectoryRefused(
                [
                    Problem(
                        0,
                        f"Không đọc được tệp {self.path.name}: {exc.strerror}.",
                        f"Cannot read {self.path.name}: {exc.strerror}.",
                    )
                ]
            ) from None
        return importing.read_file(data, self.kind)


def synchronise(session: Session, actor: Actor, source: DirectorySource) -> Outcome:
    """Bring the directory up to date with ``source`` in the caller's transaction."""
    return importing.import_rows(session, actor, source.rows(), source.name)
