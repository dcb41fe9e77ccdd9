"""Request and response bodies of the administration screens (agencies, units, users,
roles) beyond creating them (:mod:`ecabinet.api.schemas`)."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from ecabinet.api.schemas import In, UnitOut, UserOut
from ecabinet.core.agencies import Role
from ecabinet.core.inputs import Line
from ecabinet.core.user_admin import UserRow


class AgencyUpdateIn(In):
    """Fields left out stay as they are; the code never changes."""

    name: Line | None = Field(default=None, min_length=1, max_length=255)
    abbreviation: Line | None = Field(default=None, min_length=1, max_length=20)


class UnitList(BaseModel):
    """The units of an agency, by name."""

    items: list[UnitOut]


class UnitUpdateIn(In):
    """Fields left out stay as they are."""

    name: Line | None = Field(default=None, min_length=1, max_length=255)
    abbreviation: Line | None = Field(default=None, min_length=1, max_length=20)


class UserUpdateIn(In):
    """Fields left out stay as they are; "" clears the e-mail or the phone number."""

    full_name: Line | None = Field(default=None, min_length=1, max_length=255)
    title: Line | None = Field(default=None, max_length=255)
    email: Line | None = Field(default=None, max_length=255)
    phone: Line | None = Field(default=None, max_length=32)
    """A Vietnamese mobile number (0912 345 678), kept as ``84…``."""


class PasswordResetIn(In):
    password: str = Field(min_length=1, max_length=1024)


class RoleHeldOut(BaseModel):
    """One role a user holds in an agency (and maybe in one of its units)."""

    agency_id: int
    agency_name: str
    agency_abbreviation: str
    role: Role
    unit: UnitOut | None


class UserAdminOut(BaseModel):
    """A user with every role they hold, as the administration list shows them."""

    user: UserOut
    created_at: datetime
    roles: list[RoleHeldOut]

    @classmethod
    def of(cls, row: UserRow) -> UserAdminOut:
        return cls(
            user=UserOut.of(row.user),
            created_at=row.user.created_at,
            roles=[
                RoleHeldOut(
                    agency_id=m.agency_id,
                    agency_name=a.name,
                    agency_abbreviation=a.abbreviation,
                    role=Role(m.role),
                    unit=UnitOut.of(u) if u is not None else None,
                )
                for m, a, u in row.memberships
            ],
        )


class UserAdminList(BaseModel):
    """One page of users; ``total`` counts every match."""

    items: list[UserAdminOut]
    total: int
