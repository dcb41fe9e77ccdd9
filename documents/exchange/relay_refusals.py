"""A refusal beyond the relay travels back to the sender (decision 0036, dated section).

The provincial axis answers the sender at once with a receipt that says "relayed", and
refuses at once what it can tell is wrong (:func:`documents.exchange.relay.check`). What
only the final receiver can refuse (its PDF checks, an agency code it does not hold)
lands on the relay's own outbox row. The relay then tells the sender: a status 02
(refused) about the sender's DocumentId, signed by the relay, with the receiver's reason
in its words. The relay cannot sign for the receiver; it vouches only that the receiver
refused, and says who did.

At the sender, a status 02 from the relay that carried a package (its receipt names that
relay) marks that recipient refused with the reason, like a refusal in the answer.
"""

from __future__ import annotations

from sqlmodel import Session, col, select

from documents import edxml
from documents.edxml_model import ResponseFor
from documents.edxml_status import StatusMessage, build_status
from documents.exchange import outbox as exchange_outbox
from documents.exchange.models import ExchangeOutbox
from documents.exchange.packages import organ_of
from documents.exchange.relay import RELAY, RELAYED
from documents.exchange.signed_messages import Receipt
from documents.status import StatusCode
from ecabinet.core import audit, errors
from ecabinet.core.agencies import Agency
from ecabinet.core.settings import Settings
from ecabinet.core.storage import ObjectStore
from ecabinet.core.types import utcnow
from signing.pdfio import VN

REFUSED = StatusCode.refused.value
CODE = "exchange.refused_beyond_relay"


def refuse_back(
    session: Session, settings: Settings, store: ObjectStore, row_id: int, reason: str
) -> ExchangeOutbox | None:
    """The next hop refused a package this relay took on (``row_id``, already marked
    refused): queue a status 02 signed by this relay to the package's sender, with the
    reason. The queued row, or None when the row is no relayed package."""
    row = session.get(ExchangeOutbox, row_id)
    if row is None or row.relay_of is None or row.kind != "document":
        return None
    agency = session.exec(select(Agency).where(Agency.code == settings.exchange_relay)).first()
    if agency is None:
        raise errors.Unavailable(
            "exchange.relay_agency",
            f"Trục chuyển tiếp không có cơ quan mã {settings.exchange_relay}.",
            f"The relay holds no agency with code {settings.exchange_relay}.",
        )
    package = edxml.parse_document(
        store.read_bytes(row.package_sha256), max_bytes=settings.max_upload_bytes
    )
    number = package.code_number
    code = f"{number}/{package.code_notation}" if package.code_notation else number
    now = utcnow()
    note = f"{row.to_code} từ chối / refused: {reason}"[:2000]
    status = StatusMessage(
        response_for=ResponseFor(
            organ_id=row.from_code,
            code=code,
            promulgation_date=package.promulgation_date,
            document_id=package.document_id,
        ),
        sender=organ_of(agency),
        status_code=REFUSED,
        description=note,
        timestamp=now.astimezone(VN),
    )
    frozen = store.put_bytes(build_status(status)).sha256
    back = ExchangeOutbox(
        kind="status",
        from_code=settings.exchange_relay,
        to_code=row.from_code,
        relay_of=row.relay_of,
        document_key=package.document_id[:255],
        status_code=REFUSED,
        status_note=note,
        status_at=now,
        package_sha256=frozen,
        next_attempt_at=now,
        created_at=now,
    )
    session.add(back)
    session.flush()
    audit.record(
        session,
        RELAY,
        "exchange.queued",
        "exchange_outbox",
        back.id,
        f"status {REFUSED} {settings.exchange_relay} → {row.from_code}: {row.to_code} refused",
    )
    return back


def refused_beyond(
    session: Session, relay_code: str, our_code: str, document_key: str, reason: str
) -> ExchangeOutbox | None:
    """A status 02 from ``relay_code`` about our document ``document_key``: the package
    that relay carried for us is refused by the receiver; the row so marked, or None
    when that relay carries no such package of ours."""
    rows = session.exec(
        select(ExchangeOutbox)
        .where(
            ExchangeOutbox.kind == "document",
            ExchangeOutbox.from_code == our_code,
            ExchangeOutbox.document_key == document_key,
            ExchangeOutbox.state == RELAYED,
        )
        .order_by(col(ExchangeOutbox.id))
    ).all()
    for row in rows:
        receipt = Receipt.decode(row.receipt) if row.receipt else None
        if receipt is None or receipt.relayed_by != relay_code or row.id is None:
            continue
        vi = f"Qua trục {relay_code}: {reason}"
        en = f"Through the relay {relay_code}: {reason}"
        return exchange_outbox.refused(session, row.id, CODE, vi, en)
    return None
