"""A register's documents as the rows of its printed form (Decree 30, Appendix IV).

:func:`register_sheet` reads one register for one caller and gives the plain
:class:`documents.export_rows.RegisterSheet` that the PDF and XLSX writers print. The
register must be one the caller may view, and only documents they may see are listed
(:func:`documents.access.visible_clause`): a confidential document of another user never
appears in an export, not even as an empty line. The names the rows need (types, units,
handlers, first sending date) are read with one query each, never one per document.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import func
from sqlmodel import Session, col, select

from documents.access import can_view_register, visible_clause
from documents.export_pdf import register_pdf
from documents.export_rows import IncomingRow, OutgoingRow, RegisterSheet
from documents.export_xlsx import register_xlsx
from documents.models import Assignment, Document, DocumentType, Recipient, Register
from documents.states import Flow
from documents.symbols import format_number_symbol
from ecabinet.core import errors
from ecabinet.core.agencies import Agency, Unit
from ecabinet.core.policy import Subject
from ecabinet.core.users import User
from signing.pdfio import VN

FORMATS = ("xlsx", "pdf")


def _register(session: Session, subject: Subject, register_id: int) -> Register:
    register = session.get(Register, register_id)
    if register is None or not can_view_register(subject, register):
        raise errors.NotFound.of("sổ văn bản", "Register", "register.not_found")
    return register


def _type_and_abstract(type_name: str, abstract: str) -> str:
    return f"{type_name}: {abstract}" if type_name else abstract


def register_sheet(
    session: Session, subject: Subject, register_id: int, printed_at: datetime
) -> RegisterSheet:
    """The register's rows in register order (arrival number, or number), for the caller."""
    register = _register(session, subject, register_id)
    agency = session.get(Agency, register.agency_id)
    assert agency is not None
    incoming = register.flow == Flow.incoming.value
    shown = select(Document.id).where(
        col(Document.register_id) == register_id, visible_clause(subject)
    )
    order = col(Document.arrival_number) if incoming else col(Document.number)
    documents = session.exec(
        select(Document).where(col(Document.id).in_(shown)).order_by(order, col(Document.id))
    ).all()
    types = dict(session.exec(select(DocumentType.id, DocumentType.name)).all())
    units = dict(
        session.exec(select(Unit.id, Unit.name).where(Unit.agency_id == register.agency_id)).all()
    )
    rows: list[IncomingRow] | list[OutgoingRow]
    if incoming:
        leads = dict(
            session.exec(
                select(Assignment.document_id, func.coalesce(Unit.name, User.full_name))
                .outerjoin(Unit, col(Unit.id) == col(Assignment.unit_id))
                .outerjoin(User, col(User.id) == col(Assignment.user_id))
                .where(
                    col(Assignment.document_id).in_(shown),
                    col(Assignment.active),
                    col(Assignment.lead),
                )
            ).all()
        )
        rows = [
            IncomingRow(
                arrival_date=d.arrival_date,
                arrival_number=d.arrival_number,
                author=d.issuing_agency_name,
                number_symbol=format_number_symbol(d.number, d.symbol),
                document_date=d.issued_on,
                type_and_abstract=_type_and_abstract(types.get(d.type_id, ""), d.abstract),
                handler=leads.get(d.id or 0, "") or "",
                handed_over_on=d.directed_at.astimezone(VN).date() if d.directed_at else None,
            )
            for d in documents
        ]
    else:
        first_sent = dict(
            session.exec(
                select(Recipient.document_id, func.min(Recipient.sent_at))
                .where(col(Recipient.document_id).in_(shown))
                .group_by(col(Recipient.document_id))
            ).all()
        )
        rows = [
            OutgoingRow(
                number_symbol=format_number_symbol(d.number, d.symbol),
                document_date=d.issued_on,
                type_and_abstract=_type_and_abstract(types.get(d.type_id, ""), d.abstract),
                signer=d.signer_name,
                recipients=d.recipients_text,
                file_copy_holder=units.get(d.drafting_unit_id, "") if d.drafting_unit_id else "",
                copies=d.copies,
                sent_on=_vn_date(first_sent.get(d.id or 0)),
            )
            for d in documents
        ]
    return RegisterSheet(
        agency_parent_name=agency.parent_name,
        agency_name=agency.name,
        register_name=register.name,
        year=register.year,
        direction="incoming" if incoming else "outgoing",
        rows=rows,
        printed_at=printed_at.astimezone(VN),
    )


def _vn_date(value: datetime | None) -> date | None:
    return value.astimezone(VN).date() if value is not None else None


def export(sheet: RegisterSheet, fmt: str) -> bytes:
    """The sheet as the bytes of an ``xlsx`` or ``pdf`` file."""
    return register_xlsx(sheet) if fmt == "xlsx" else register_pdf(sheet)


def filename(sheet: RegisterSheet, fmt: str) -> str:
    """``Sổ văn bản đến 2026 - <register name>.xlsx``."""
    flow = "đến" if sheet.direction == "incoming" else "đi"
    return f"Sổ văn bản {flow} {sheet.year} - {sheet.register_name}.{fmt}"
