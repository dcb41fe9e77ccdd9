"""Response bodies of the reports API: deadlines, statistics, notifications."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel

from documents.agency_directory.models import DirectoryLevel
from documents.deadlines import Deadlines
from documents.notifications import Notification
from documents.stats import Figures, Stats
from ecabinet.api.schemas_documents import DocumentOut


class DeadlinesOut(BaseModel):
    """Open documents past their deadline, and those due soon (urgent first)."""

    overdue: list[DocumentOut]
    due_soon: list[DocumentOut]

    @classmethod
    def of(cls, d: Deadlines) -> DeadlinesOut:
        return cls(
            overdue=[DocumentOut.of(x) for x in d.overdue],
            due_soon=[DocumentOut.of(x) for x in d.due_soon],
        )


class FiguresOut(BaseModel):
    """The counts of one statistics row."""

    received: int
    issued: int
    early: int
    on_time: int
    late: int
    open: int
    open_overdue: int
    electronic: int
    electronic_share: float
    """Share of received + issued exchanged electronically, 0..1."""
    recipients: int
    """Recipients of the documents issued in the period: one delivery each."""
    delivered_electronically: int
    """Of those, delivered by the network and acknowledged by the receiver."""
    exchange_share: float
    """delivered_electronically / recipients, 0..1 (the share of documents exchanged
    electronically)."""

    @classmethod
    def of(cls, f: Figures) -> FiguresOut:
        return cls(
            received=f.received,
            issued=f.issued,
            early=f.early,
            on_time=f.on_time,
            late=f.late,
            open=f.open,
            open_overdue=f.open_overdue,
            electronic=f.electronic,
            electronic_share=f.electronic_share,
            recipients=f.recipients,
            delivered_electronically=f.delivered_electronically,
            exchange_share=f.exchange_share,
        )


class AgencyStatsOut(FiguresOut):
    agency_id: int
    agency_name: str
    parent_id: int | None
    depth: int
    """How far below the topmost agency of the report (rows come in tree order)."""


class LevelStatsOut(FiguresOut):
    """The sum of the agencies of one level of government."""

    level: DirectoryLevel
    level_label: str


class UnitStatsOut(FiguresOut):
    agency_id: int
    unit_id: int | None
    unit_name: str


class StatsOut(BaseModel):
    """Statistics of the period: totals (the province), per agency, per unit and per
    level of government."""

    date_from: date
    date_to: date
    totals: FiguresOut
    agencies: list[AgencyStatsOut]
    units: list[UnitStatsOut]
    levels: list[LevelStatsOut]

    @classmethod
    def of(cls, s: Stats) -> StatsOut:
        return cls(
            date_from=s.date_from,
            date_to=s.date_to,
            totals=FiguresOut.of(s.totals),
            agencies=[
                AgencyStatsOut(
                    agency_id=a.agency_id,
                    agency_name=a.agency_name,
                    parent_id=a.parent_id,
                    depth=a.depth,
                    **FiguresOut.of(a.figures).model_dump(),
                )
                for a in s.agencies
            ],
            units=[
                UnitStatsOut(
                    agency_id=u.agency_id,
                    unit_id=u.unit_id,
                    unit_name=u.unit_name,
                    **FiguresOut.of(u.figures).model_dump(),
                )
                for u in s.units
            ],
            levels=[
                LevelStatsOut(
                    level=row.level,
                    level_label=row.level.label_vi,
                    **FiguresOut.of(row.figures).model_dump(),
                )
                for row in s.levels
            ],
        )


class NotificationOut(BaseModel):
    id: int
    kind: str
    document_id: int | None
    link: str
    """Where the web app opens it: the document's page when "" and a document is named."""
    urgent: bool
    title_vi: str
    title_en: str
    deadline: date | None
    created_at: datetime
    read_at: datetime | None
    emailed_at: datetime | None

    @classmethod
    def of(cls, n: Notification) -> NotificationOut:
        return cls.model_validate(n.model_dump())


class NotificationList(BaseModel):
    """My notifications, newest first, and how many are unread."""

    items: list[NotificationOut]
    unread: int


class ReadAllOut(BaseModel):
    """How many notifications were marked read."""

    marked: int
