"""Statistics of document work per agency and per unit over a period.

The figures, for documents the caller may see (:func:`documents.access.visible_clause`)
and every document of the agencies they oversee (:func:`documents.access.overseen`: a
leader or admin, for their agency and every agency below it; confidential documents
count there, though no row names them). Elsewhere a confidential document of someone
else changes no count. Every overseen agency has its row, with zeros when it has
nothing, so the province's total is the sum of the rows of its departments and
communes and its own.

- ``received``: incoming documents registered in the period (by arrival date). Only
  registered documents count: Decree 30 puts no obligation on an unregistered one.
- ``issued``: outgoing documents with their date of issue in the period.
- Of the received ones: ``early`` (completed on a Vietnam date before the deadline),
  ``on_time`` (on the deadline day, or completed with no deadline), ``late`` (after it),
  ``open`` (still in an open state) and ``open_overdue`` (open, deadline before today).
  Those cover every received document but the recalled ones.
- ``electronic``: how many of received + issued were exchanged as signed electronic
  documents; :attr:`Figures.electronic_share` is the ratio.
- ``recipients`` and ``delivered_electronically``: the deliveries of the issued ones
  (:mod:`documents.exchange.share`); :attr:`Figures.exchange_share` is the share of
  documents exchanged electronically, per agency, per level (:attr:`Stats.levels`:
  central, province with its departments, district, commune) and for the province.

The unit of an incoming document is its lead handler's unit (the lead unit, or the
unit of the lead person in the document's agency); of an outgoing one, its drafting unit.
Everything is counted by the database (``COUNT(*) FILTER (WHERE …)``), one query per
grouping, never by loading documents.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, Date, and_, case, func, or_, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement
from sqlmodel import Session, col

from documents.access import overseen, visible_clause
from documents.agency_directory.models import DirectoryLevel, level_of_agency
from documents.exchange.share import deliveries, delivery_measures, share
from documents.models import Assignment, Document
from documents.states import Flow, State
from ecabinet.core import errors
from ecabinet.core.agencies import Agency, Membership, Unit
from ecabinet.core.policy import Subject

OPEN_STATES = tuple(s.value for s in State if s.open)
MAX_DAYS = 3 * 366
"""The longest period one request may ask for."""


class vn_date(FunctionElement[date]):
    """The Vietnam calendar date of a UTC timestamp column (Vietnam has no daylight
    saving time: UTC+7 all year)."""

    type = Date()
    inherit_cache = True
    name = "vn_date"


@compiles(vn_date, "sqlite")
def _vn_date_sqlite(element: vn_date, compiler: SQLCompiler, **kw: Any) -> str:
    # SQLite keeps UTC timestamps as text; date() shifts and returns 'YYYY-MM-DD', which
    # compares with the text of a DATE column.
    return f"date({compiler.process(element.clauses, **kw)}, '+7 hours')"


@compiles(vn_date, "postgresql")
def _vn_date_postgresql(element: vn_date, compiler: SQLCompiler, **kw: Any) -> str:
    # timezone() turns a timestamptz into Vietnam wall time whatever the session's zone.
    return f"CAST(timezone('Asia/Ho_Chi_Minh', {compiler.process(element.clauses, **kw)}) AS DATE)"


@dataclass(frozen=True)
class Figures:
    """The counts of one row (an agency, a unit, or the totals)."""

    received: int = 0
    issued: int = 0
    early: int = 0
    on_time: int = 0
    late: int = 0
    open: int = 0
    open_overdue: int = 0
    electronic: int = 0
    recipients: int = 0
    """Recipients of the issued documents: one delivery each."""
    delivered_electronically: int = 0
    """Of those, delivered by the network and acknowledged by the receiver."""

    @property
    def electronic_share(self) -> float:
        """Share of received + issued exchanged electronically, 0..1 (0 when none)."""
        return share(self.electronic, self.received + self.issued)

    @property
    def exchange_share(self) -> float:
        """Share of deliveries made electronically, 0..1 (0 when none)."""
        return share(self.delivered_electronically, self.recipients)

    def __add__(self, other: Figures) -> Figures:
        return Figures(
            **{f.name: getattr(self, f.name) + getattr(other, f.name) for f in fields(self)}
        )


@dataclass(frozen=True)
class AgencyRow:
    agency_id: int
    agency_name: str
    figures: Figures
    parent_id: int | None = None
    depth: int = 0
    """How far below the topmost agency of the report (rows come in tree order)."""
    level: DirectoryLevel = DirectoryLevel.province
    """Its level of government (a department is at the province's)."""


@dataclass(frozen=True)
class LevelRow:
    """The sum of the agency rows of one level of government."""

    level: DirectoryLevel
    figures: Figures


@dataclass(frozen=True)
class UnitRow:
    agency_id: int
    unit_id: int | None
    """None: incoming documents not yet assigned, or drafted outside any unit."""
    unit_name: str
    figures: Figures


@dataclass(frozen=True)
class Stats:
    date_from: date
    date_to: date
    totals: Figures
    agencies: list[AgencyRow]
    units: list[UnitRow]
    levels: list[LevelRow]
    """Levels that have an agency row, from the centre down."""


def _lead_unit() -> Any:
    """Correlated subquery: the unit of the document's active lead handler."""
    return (
        select(func.coalesce(col(Assignment.unit_id), col(Membership.unit_id)))
        .select_from(Assignment)
        .outerjoin(
            Membership,
            and_(
                col(Membership.user_id) == col(Assignment.user_id),
                col(Membership.agency_id) == col(Document.agency_id),
                col(Membership.unit_id).is_not(None),
            ),
        )
        .where(
            col(Assignment.document_id) == col(Document.id),
            col(Assignment.active),
            col(Assignment.lead),
        )
        .order_by(col(Membership.unit_id))
        .limit(1)
        .correlate(Document)
        .scalar_subquery()
    )


def _subtree(subject: Subject, agency_id: int) -> list[int]:
    """The agency and every agency below it."""
    return [a for a in subject.parents if agency_id in subject.ancestors(a)]


def _counted(subject: Subject, date_from: date, date_to: date, agency_id: int | None) -> Any:
    """The documents that count, one row each with what the figures need."""
    incoming = and_(
        col(Document.flow) == Flow.incoming.value,
        col(Document.arrival_date).between(date_from, date_to),
    )
    outgoing = and_(
        col(Document.flow) == Flow.outgoing.value,
        col(Document.issued_on).between(date_from, date_to),
    )
    followed = overseen(subject)
    seen = visible_clause(subject)
    if followed:
        seen = or_(seen, col(Document.agency_id).in_(followed))
    where: list[ColumnElement[bool]] = [seen, or_(incoming, outgoing)]
    if agency_id is not None:
        where.append(col(Document.agency_id).in_(_subtree(subject, agency_id)))
    unit = case(
        (col(Document.flow) == Flow.outgoing.value, col(Document.drafting_unit_id)),
        else_=_lead_unit(),
    )
    return (
        select(
            col(Document.id).label("document_id"),
            col(Document.agency_id).label("agency_id"),
            unit.label("unit_id"),
            col(Document.flow).label("flow"),
            col(Document.state).label("state"),
            col(Document.deadline).label("deadline"),
            vn_date(col(Document.completed_at)).label("done_on"),
            col(Document.electronic).label("electronic"),
        )
        .where(*where)
        .subquery("counted")
    )


def _aggregates(c: Any, today: date) -> list[Any]:
    incoming = c.flow == Flow.incoming.value
    done = and_(incoming, c.state == State.completed.value)
    still_open = and_(incoming, c.state.in_(OPEN_STATES))
    count = func.count
    return [
        count().filter(incoming).label("received"),
        count().filter(c.flow == Flow.outgoing.value).label("issued"),
        count().filter(done, c.deadline.is_not(None), c.done_on < c.deadline).label("early"),
        count().filter(done, or_(c.deadline.is_(None), c.done_on == c.deadline)).label("on_time"),
        count().filter(done, c.deadline.is_not(None), c.done_on > c.deadline).label("late"),
        count().filter(still_open).label("open"),
        count().filter(still_open, c.deadline < today).label("open_overdue"),
        count().filter(c.electronic.is_(True)).label("electronic"),
    ]


def _figures(row: Any) -> Figures:
    return Figures(
        received=row.received,
        issued=row.issued,
        early=row.early,
        on_time=row.on_time,
        late=row.late,
        open=row.open,
        open_overdue=row.open_overdue,
        electronic=row.electronic,
    )


def check_period(date_from: date, date_to: date) -> None:
    """422 unless ``date_from`` ≤ ``date_to`` and the period is at most :data:`MAX_DAYS`."""
    if date_from > date_to or (date_to - date_from).days > MAX_DAYS:
        raise errors.InvalidInput(
            "stats.bad_period",
            f"Khoảng thời gian không hợp lệ (từ ngày phải trước đến ngày, tối đa {MAX_DAYS} ngày).",
            f"Bad period (from must not be after to; at most {MAX_DAYS} days).",
        )


def statistics(
    session: Session,
    subject: Subject,
    *,
    date_from: date,
    date_to: date,
    today: date,
    agency_id: int | None = None,
) -> Stats:
    """The figures of the period in total, per agency and per unit (what the caller sees)."""
    check_period(date_from, date_to)
    c = _counted(subject, date_from, date_to, agency_id).c
    measures = _aggregates(c, today)
    totals = _figures(session.execute(select(*measures)).one())
    per_agency = list(
        session.execute(select(c.agency_id, *measures).group_by(c.agency_id).order_by(c.agency_id))
    )
    per_unit = list(
        session.execute(
            select(c.agency_id, c.unit_id, *measures)
            .group_by(c.agency_id, c.unit_id)
            .order_by(c.agency_id, c.unit_id)
        )
    )
    sent = deliveries(c)
    sent_total = session.execute(sent.add_columns(*delivery_measures())).one()
    totals = replace(totals, **_delivery(sent_total))
    sent_agency = {
        r.agency_id: _delivery(r)
        for r in session.execute(
            sent.add_columns(c.agency_id, *delivery_measures()).group_by(c.agency_id)
        )
    }
    sent_unit = {
        (r.agency_id, r.unit_id): _delivery(r)
        for r in session.execute(
            sent.add_columns(c.agency_id, c.unit_id, *delivery_measures()).group_by(
                c.agency_id, c.unit_id
            )
        )
    }
    agencies = _agency_rows(session, subject, per_agency, agency_id, sent_agency)
    unit_ids = [r.unit_id for r in per_unit if r.unit_id is not None]
    unit_names: dict[int, str] = dict(
        session.execute(
            select(col(Unit.id), col(Unit.name)).where(col(Unit.id).in_(unit_ids))
        ).all()
    )
    return Stats(
        date_from,
        date_to,
        totals,
        agencies,
        [
            UnitRow(
                r.agency_id,
                r.unit_id,
                unit_names.get(r.unit_id, ""),
                replace(_figures(r), **sent_unit.get((r.agency_id, r.unit_id), {})),
            )
            for r in per_unit
        ],
        _level_rows(agencies),
    )


def _delivery(row: Any) -> dict[str, int]:
    return {
        "recipients": row.recipients,
        "delivered_electronically": row.delivered_electronically,
    }


def _level_rows(agencies: list[AgencyRow]) -> list[LevelRow]:
    sums: dict[DirectoryLevel, Figures] = {}
    for row in agencies:
        sums[row.level] = sums.get(row.level, Figures()) + row.figures
    return [LevelRow(level, sums[level]) for level in DirectoryLevel if level in sums]


def _agency_rows(
    session: Session,
    subject: Subject,
    counted: list[Any],
    agency_id: int | None,
    sent: dict[int, dict[str, int]],
) -> list[AgencyRow]:
    """A row per agency with documents counted and per overseen agency (zeros when it has
    none), in tree order: each agency followed by the agencies below it."""
    found = {r.agency_id: replace(_figures(r), **sent.get(r.agency_id, {})) for r in counted}
    wanted = set(found) | set(overseen(subject))
    if agency_id is not None:
        wanted &= set(_subtree(subject, agency_id)) | set(found)
    rows = session.execute(
        select(col(Agency.id), col(Agency.name), col(Agency.parent_id), col(Agency.level))
        .where(col(Agency.id).in_(wanted))
        .order_by(col(Agency.id))
    ).all()
    by_parent: dict[int | None, list[Any]] = {}
    for row in rows:
        parent = row.parent_id if row.parent_id in wanted else None
        by_parent.setdefault(parent, []).append(row)
    ordered: list[AgencyRow] = []

    def walk(parent: int | None, depth: int) -> None:
        for row in by_parent.get(parent, []):
            figures = found.get(row.id, Figures())
            level = level_of_agency(row.level)
            ordered.append(AgencyRow(row.id, row.name, figures, row.parent_id, depth, level))
            walk(row.id, depth + 1)

    walk(None, 0)
    return ordered
