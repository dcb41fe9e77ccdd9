"""The agency directory read through an axis (decision 0034, issue 17 point 6): a
:class:`~documents.agency_directory.sources.DirectorySource` over either axis
implementation's ``directory`` operation, for ``ecabinet directory sync``.

The national axis gives the parent code, the level and whether the agency is connected;
an eCabinet peer gives code and name only, and the level is then guessed from the code
(decision 0034): a ``G`` code is central, ``000.00.00.Hxx`` a province, a code one step
below it a district, deeper ones communes."""

from __future__ import annotations

from typing import Any

from documents.agency_directory.importing import DirectoryRefused
from documents.agency_directory.sources import Rows
from documents.exchange.axis import Axis, Refused, Unreachable
from documents.exchange.national_axis import NationalAxis
from ecabinet.core.agency_files import Problem


def guessed_level(code: str) -> str:
    """The directory level a bare code suggests (see the module's note)."""
    parts = code.split(".")
    if len(parts) != 4:
        return "province"
    if parts[3][:1].upper() == "G":
        return "central"
    depth = sum(1 for p in parts[:3] if p.strip("0"))
    return ("province", "district", "commune", "commune")[depth]


class AxisDirectorySource:
    """The directory held by the axis at ``base_url``."""

    def __init__(self, axis: Axis, base_url: str) -> None:
        self.axis, self.base_url = axis, base_url

    @property
    def name(self) -> str:
        return self.base_url

    def rows(self) -> Rows:
        try:
            if isinstance(self.axis, NationalAxis):
                members = self.axis.members()
                found: list[dict[str, Any]] = [
                    {
                        "code": m.code,
                        "name": m.name,
                        "level": m.level or guessed_level(m.code),
                        "parent_code": m.parent_code,
                        "electronic": m.electronic,
                    }
                    for m in members
                ]
            else:
                found = [
                    {"code": e.code, "name": e.name, "level": guessed_level(e.code)}
                    for e in self.axis.directory(self.base_url)
                ]
        except (Unreachable, Refused) as exc:
            raise DirectoryRefused(
                [
                    Problem(
                        0,
                        f"Không lấy được danh mục từ {self.base_url}: {exc}",
                        f"Cannot read the directory from {self.base_url}: {exc}",
                    )
                ]
            ) from None
        return list(enumerate(found, start=1))
