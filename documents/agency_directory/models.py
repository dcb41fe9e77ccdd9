"""The directory's table: one row per agency code."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Column, String
from sqlmodel import Field, SQLModel

from ecabinet.core.agencies import AgencyLevel
from ecabinet.core.types import UTCDateTime


class DirectoryLevel(StrEnum):
    """The four levels of government a document travels between."""

    central = "central"
    """Trung ương: ministries, the Government Office, national bodies."""
    province = "province"
    """Tỉnh: the provincial People's Committee and its departments."""
    district = "district"
    """Huyện: districts, towns and provincial cities."""
    commune = "commune"
    """Xã: communes, wards and townships."""

    @property
    def label_vi(self) -> str:
        return _LEVEL_VI[self]


_LEVEL_VI = {
    DirectoryLevel.central: "Trung ương",
    DirectoryLevel.province: "Cấp tỉnh",
    DirectoryLevel.district: "Cấp huyện",
    DirectoryLevel.commune: "Cấp xã",
}


def level_of_agency(level: AgencyLevel | str) -> DirectoryLevel:
    """The directory level of an agency of this deployment (a department is province level)."""
    value = AgencyLevel(level)
    if value is AgencyLevel.department:
        return DirectoryLevel.province
    return DirectoryLevel(value.value)


class DirectoryEntry(SQLModel, table=True):
    """An agency of the national directory, as the last import or synchronisation gave it."""

    __tablename__ = "agency_directory"
    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=32, unique=True, description="Mã định danh, e.g. 000.00.00.H01")
    name: str = Field(max_length=255)
    level: DirectoryLevel = Field(sa_type=String(16), index=True)
    parent_code: str = Field(default="", max_length=32)
    """The agency above it ("" for a top-level one)."""
    folded: str = Field(default="", max_length=300)
    """Code and name without marks, lower case (:func:`ecabinet.core.text.fold`): what
    a search by name or code matches."""
    electronic: bool = True
    """Reachable electronically (connected to the axis or to this deployment); False: the
    agency receives paper only."""
    updated_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
