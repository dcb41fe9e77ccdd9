"""Registers (sổ đăng ký văn bản) and the numbers they hand out.

Numbers come from one ``UPDATE … SET last_number = last_number + 1 … RETURNING`` on the
register row: on PostgreSQL the row lock makes concurrent transactions queue, on SQLite
the writer's ``BEGIN IMMEDIATE`` does, so a number is never handed out twice and, since
the increment is rolled back with a failed transaction, never skipped.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from documents.models import Document, DocumentType, Register
from documents.states import Flow
from ecabinet.core import audit, errors
from ecabinet.core.agencies import Agency
from ecabinet.core.audit import Actor
from ecabinet.core.types import utcnow

MAX_NUMBER = 999_999


@cache
def type_table() -> tuple[tuple[str, str, str], ...]:
    """(code, name, abbreviation) of Decree 30 Appendix III, from the data file."""
    raw = resources.files("documents").joinpath("data/document_types.json").read_text("utf-8")
    return tuple((t["code"], t["name"], t["abbreviation"]) for t in json.loads(raw))


def ensure_types(session: Session) -> None:
    """Add the document types of the data file that the table lacks (names kept as edited)."""
    have = set(session.exec(select(DocumentType.code)))
    for code, name, abbreviation in type_table():
        if code not in have:
            session.add(DocumentType(code=code, name=name, abbreviation=abbreviation))
    session.flush()


def get_type(session: Session, type_id: int) -> DocumentType:
    found = session.get(DocumentType, type_id)
    if found is None:
        raise errors.InvalidInput(
            "document.bad_type", "Loại văn bản không tồn tại.", "No such document type."
        )
    return found


def type_by_code(session: Session, code: str) -> DocumentType | None:
    return session.exec(select(DocumentType).where(DocumentType.code == code)).first()


def default_name(flow: Flow, year: int, confidential: bool) -> str:
    kind = "đi" if flow is Flow.outgoing else "đến"
    return f"Sổ văn bản {'mật ' if confidential else ''}{kind} năm {year}"


def create_register(
    session: Session,
    actor: Actor,
    *,
    agency_id: int,
    flow: Flow,
    year: int,
    name: str,
    confidential: bool = False,
    type_id: int | None = None,
) -> Register:
    """Open a register; its series starts at 01."""
    name = name.strip()
    if not 1 <= len(name) <= 255:
        raise errors.InvalidInput(
            "register.bad_name", "Tên sổ không hợp lệ.", "The register's name is not valid."
        )
    if not 2000 <= year <= 2100:
        raise errors.InvalidInput("register.bad_year", "Năm không hợp lệ.", "Bad year.")
    if session.get(Agency, agency_id) is None:
        raise errors.NotFound.of("cơ quan", "Agency", "agency.not_found")
    if type_id is not None:
        get_type(session, type_id)
    clash = select(Register).where(
        Register.agency_id == agency_id,
        Register.flow == flow.value,
        Register.year == year,
        Register.name == name,
    )
    if session.exec(clash).first() is not None:
        raise errors.Conflict(
            "register.exists",
            f"Sổ “{name}” năm {year} đã có.",
            f"The register {name!r} for {year} already exists.",
        )
    register = Register(
        agency_id=agency_id,
        flow=flow.value,
        year=year,
        name=name,
        confidential=confidential,
        type_id=type_id,
        created_at=utcnow(),
    )
    session.add(register)
    session.flush()
    audit.record(session, actor, "register.create", "register", register.id, f"{name} ({year})")
    return register


def register_for(
    session: Session,
    actor: Actor,
    *,
    agency_id: int,
    flow: Flow,
    year: int,
    confidential: bool,
    type_id: int | None = None,
) -> Register:
    """The register a document goes in: one for its type if the agency keeps one, else the
    year's general (or confidential) register, opened on first use."""
    base = select(Register).where(
        Register.agency_id == agency_id,
        Register.flow == flow.value,
        Register.year == year,
        Register.confidential == confidential,
    )
    if type_id is not None:
        typed = session.exec(base.where(Register.type_id == type_id)).first()
        if typed is not None:
            return typed
    general = session.exec(base.where(col(Register.type_id).is_(None)).order_by(col(Register.id)))
    found = general.first()
    if found is not None:
        return found
    name = default_name(flow, year, confidential)
    try:
        with session.begin_nested():
            return create_register(
                session,
                actor,
                agency_id=agency_id,
                flow=flow,
                year=year,
                name=name,
                confidential=confidential,
            )
    except IntegrityError:  # opened by a concurrent transaction just now (PostgreSQL)
        again = session.exec(base.where(Register.name == name)).first()
        assert again is not None
        return again


def next_number(session: Session, register_id: int) -> int:
    """Take the register's next number (locks the register row until commit)."""
    taken = session.execute(
        update(Register)
        .where(col(Register.id) == register_id)
        .values(last_number=col(Register.last_number) + 1)
        .returning(col(Register.last_number))
    ).scalar_one()
    if taken > MAX_NUMBER:
        raise errors.Conflict(
            "register.full", "Sổ đã hết số.", "The register has run out of numbers."
        )
    return int(taken)


def number_taken(session: Session, register: Register, number: int) -> bool:
    """Whether ``number`` is already used in the register's series."""
    column = Document.number if register.flow == Flow.outgoing.value else Document.arrival_number
    query = select(Document.id).where(Document.register_id == register.id, column == number)
    return session.exec(query).first() is not None


def claim_number(session: Session, register: Register, wanted: int | None) -> int:
    """The next number of the register, or ``wanted`` (a number given by hand, for a
    document registered late) when that one is free: a number already used is refused
    with 409 and nothing changes."""
    if wanted is None:
        assert register.id is not None
        return next_number(session, register.id)
    if not 1 <= wanted <= MAX_NUMBER:
        raise errors.InvalidInput(
            "document.bad_number", "Số văn bản không hợp lệ.", "The number is not valid."
        )
    if number_taken(session, register, wanted):
        raise errors.Conflict(
            "document.number_taken",
            f"Số {wanted:02d} đã được dùng trong {register.name}.",
            f"Number {wanted:02d} is already used in the register {register.name!r}.",
            {"number": wanted},
        )
    if wanted > register.last_number:
        # The series goes on after the number given by hand (audited with the step), so
        # the counter never hands it out again.
        session.execute(
            update(Register).where(col(Register.id) == register.id).values(last_number=wanted)
        )
    return wanted


def list_registers(session: Session, agency_id: int, year: int | None = None) -> list[Register]:
    query = select(Register).where(Register.agency_id == agency_id)
    if year is not None:
        query = query.where(Register.year == year)
    return list(session.exec(query.order_by(col(Register.year).desc(), col(Register.id))))
