"""The share of documents exchanged electronically, counted from real deliveries.

For every outgoing document issued in the period (the documents :mod:`documents.stats`
counts), each of its recipients is one delivery: ``recipients`` counts them all, and
``delivered_electronically`` those that went by the network (inside the system or by the
exchange) *and* were acknowledged by the receiver, that is whose edXML status came back
(a recipient inside the system has "01 arrived" at once; one outside, when the exchange
receives the receiver's status). A paper recipient, a recipient outside still waiting for
its acknowledgement, one whose package the peer refused and every recipient of a
confidential document (sent on paper only) count in ``recipients`` only. The province's
share is the ratio of the totals, a level's the ratio of the sums of its agencies: never
an average of shares.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import and_, func, select
from sqlmodel import col

from documents.models import Recipient
from documents.states import Flow

ELECTRONIC_METHODS = ("internal", "edxml")


def delivery_measures() -> list[Any]:
    """``recipients`` and ``delivered_electronically`` over rows joined to Recipient."""
    delivered = and_(
        col(Recipient.method).in_(ELECTRONIC_METHODS),
        col(Recipient.status) != "",
        # A peer that refused the package (status 02 with its reason) received nothing.
        col(Recipient.delivery).in_(("", "delivered")),
    )
    return [
        func.count().label("recipients"),
        func.count().filter(delivered).label("delivered_electronically"),
    ]


def deliveries(c: Any) -> Any:
    """The recipients of the counted outgoing documents (``c``: the columns of the
    statistics' subquery, which carries ``document_id``)."""
    return (
        select()
        .select_from(c.document_id.table)
        .join(Recipient, col(Recipient.document_id) == c.document_id)
        .where(c.flow == Flow.outgoing.value)
    )


def share(part: int, whole: int) -> float:
    """``part / whole`` rounded to 4 places, 0 when ``whole`` is 0."""
    return round(part / whole, 4) if whole else 0.0
