"""What an administrator does to agencies and their units after creating them: rename,
change an abbreviation, remove an agency created by mistake.

An agency's code (mã định danh) is its national identity: it is never edited. A wrong
one is corrected by removing the agency while nothing refers to it yet and creating it
again. An agency that has been used (units, people, documents, registers, meetings…)
cannot be removed: its history names it. Permission checks are the caller's
(:mod:`ecabinet.core.policy`); every change is audited in the caller's transaction.
"""

from __future__ import annotations

from sqlalchemy import func
from sqlalchemy import select as sa_select
from sqlmodel import Session, SQLModel, col, select

from ecabinet.core import audit, errors
from ecabinet.core.agencies import ABBREVIATION_RE, Agency, Unit, create_unit
from ecabinet.core.audit import Actor


def agency_or_404(session: Session, agency_id: int) -> Agency:
    agency = session.get(Agency, agency_id)
    if agency is None or agency.id is None:
        raise errors.NotFound.of("cơ quan", "Agency", "agency.not_found")
    return agency


def unit_or_404(session: Session, unit_id: int) -> Unit:
    unit = session.get(Unit, unit_id)
    if unit is None or unit.id is None:
        raise errors.NotFound.of("đơn vị", "Unit", "unit.not_found")
    return unit


def update_agency(
    session: Session,
    actor: Actor,
    agency: Agency,
    *,
    name: str | None = None,
    abbreviation: str | None = None,
) -> Agency:
    """Rename an agency or change its abbreviation (``None``: unchanged). Documents
    already numbered keep the symbol they were given; new ones use the new abbreviation."""
    changes: list[str] = []
    if name is not None:
        if not name.strip():
            raise errors.InvalidInput(
                "agency.no_name", "Cần nhập tên cơ quan.", "An agency name is required."
            )
        if agency.name != name.strip():
            changes.append(f"name: {agency.name} → {name.strip()}")
            agency.name = name.strip()
    if abbreviation is not None:
        if not ABBREVIATION_RE.match(abbreviation):
            raise errors.InvalidInput(
                "agency.bad_abbreviation",
                "Chữ viết tắt của cơ quan chỉ gồm chữ và số, tối đa 20 ký tự.",
                "An agency abbreviation is letters and digits, at most 20.",
            )
        if agency.abbreviation != abbreviation:
            changes.append(f"abbreviation: {agency.abbreviation} → {abbreviation}")
            agency.abbreviation = abbreviation
    if changes:
        session.add(agency)
        audit.record(session, actor, "agency.update", "agency", agency.id, "; ".join(changes))
    return agency


def references(session: Session, agency: Agency) -> dict[str, int]:
    """How many rows of each table refer to the agency (tables with none left out).
    Every table with a foreign key to ``agency.id`` counts, whichever package defines it."""
    found: dict[str, int] = {}
    for table in SQLModel.metadata.sorted_tables:
        for fk in table.foreign_keys:
            if fk.target_fullname != "agency.id":
                continue
            count = session.execute(
                sa_select(func.count()).select_from(table).where(fk.parent == agency.id)
            ).scalar_one()
            if count:
                found[table.name] = found.get(table.name, 0) + int(count)
    return found


_TABLES_VI = {"agency": "cơ quan trực thuộc", "unit": "đơn vị", "membership": "vai trò người dùng"}


def remove_agency(session: Session, actor: Actor, agency: Agency) -> None:
    """Remove an agency nothing refers to (no sub-agency, unit, member, document…):
    one created by mistake, say with a wrong code. A 409 lists what still refers to it."""
    used = references(session, agency)
    if used:
        listed = ", ".join(f"{name} ({count})" for name, count in sorted(used.items()))
        listed_vi = ", ".join(f"{_TABLES_VI.get(n, n)} ({c})" for n, c in sorted(used.items()))
        raise errors.Conflict(
            "agency.in_use",
            f"Không thể xóa cơ quan đã có dữ liệu liên quan: {listed_vi}.",
            f"An agency that is referred to cannot be removed: {listed}.",
            {"references": used},
        )
    audit.record(
        session, actor, "agency.remove", "agency", agency.id, f"{agency.code} {agency.name}"
    )
    session.delete(agency)
    session.flush()


def units_of(session: Session, agency_id: int) -> list[Unit]:
    return list(
        session.exec(
            select(Unit).where(Unit.agency_id == agency_id).order_by(col(Unit.name), col(Unit.id))
        )
    )


def _abbreviation_free(
    session: Session, agency_id: int, abbreviation: str, unit_id: int | None
) -> None:
    taken = session.exec(
        select(Unit).where(Unit.agency_id == agency_id, Unit.abbreviation == abbreviation)
    ).first()
    if taken is not None and taken.id != unit_id:
        raise errors.Conflict(
            "unit.abbreviation_taken",
            f"Cơ quan đã có đơn vị viết tắt {abbreviation}.",
            f"The agency already has a unit abbreviated {abbreviation}.",
        )


def add_unit(
    session: Session, actor: Actor, *, agency_id: int, name: str, abbreviation: str
) -> Unit:
    """Create a unit; its abbreviation is unique within the agency (409 otherwise)."""
    _abbreviation_free(session, agency_id, abbreviation, None)
    return create_unit(session, actor, agency_id=agency_id, name=name, abbreviation=abbreviation)


def update_unit(
    session: Session,
    actor: Actor,
    unit: Unit,
    *,
    name: str | None = None,
    abbreviation: str | None = None,
) -> Unit:
    """Rename a unit or change its abbreviation (``None``: unchanged)."""
    changes: list[str] = []
    if name is not None:
        if not name.strip():
            raise errors.InvalidInput(
                "unit.no_name", "Cần nhập tên đơn vị.", "A unit name is required."
            )
        if unit.name != name.strip():
            changes.append(f"name: {unit.name} → {name.strip()}")
            unit.name = name.strip()
    if abbreviation is not None and abbreviation != unit.abbreviation:
        if not ABBREVIATION_RE.match(abbreviation):
            raise errors.InvalidInput(
                "unit.bad_abbreviation",
                "Chữ viết tắt của đơn vị chỉ gồm chữ và số, tối đa 20 ký tự.",
                "A unit abbreviation is letters and digits, at most 20.",
            )
        _abbreviation_free(session, unit.agency_id, abbreviation, unit.id)
        changes.append(f"abbreviation: {unit.abbreviation} → {abbreviation}")
        unit.abbreviation = abbreviation
    if changes:
        session.add(unit)
        audit.record(session, actor, "unit.update", "unit", unit.id, "; ".join(changes))
    return unit
