"""edXML status messages (QCVN 102:2016/BTTTT): build and parse, nothing else.

A status message tells the sender of a document what became of it at one receiver:
``edXML > edXMLEnvelope > edXMLHeader > Status (ResponseFor, From, StatusCode,
Description, Timestamp, StaffInfo)``, laid out as public implementations write it.
``parse_status(build_status(m)) == m``; parsing is as hostile-input safe as
:func:`documents.edxml.parse_document` and refuses with the same ``edxml.*`` codes.
"""

from __future__ import annotations

import datetime as dt
import enum
import re
from dataclasses import dataclass

from documents.edxml_model import (
    DEFAULT_MAX_BYTES,
    Organ,
    ResponseFor,
    fail,
    format_timestamp,
    missing,
    require_aware,
)
from documents.edxml_xml import (
    ROOT_ATTRIBUTES,
    Node,
    organ_node,
    read_organ,
    read_response_for,
    read_root,
    response_for_node,
    serialize,
)
from ecabinet.core import errors


class StatusCode(enum.StrEnum):
    """Status/StatusCode values (two digits)."""

    ARRIVED = "01"
    REFUSED = "02"
    REGISTERED = "03"
    LEADER_ASSIGNED = "04"
    BEING_PROCESSED = "05"
    COMPLETED = "06"
    RECALL_REQUESTED = "13"
    RECALL_OR_UPDATE_ACCEPTED = "15"
    RECALL_OR_UPDATE_REFUSED = "16"


_TWO_DIGITS = re.compile(r"[0-9]{2}")
_ELEMENT = "edXMLEnvelope/edXMLHeader/Status/StatusCode"


@dataclass(frozen=True, kw_only=True)
class StatusMessage:
    """What a receiver reports about one document it was sent."""

    response_for: ResponseFor
    """The document reported on (its DocumentId as the sender wrote it)."""
    sender: Organ
    """From: the agency reporting."""
    status_code: str
    """Two digits; a :class:`StatusCode` when known. Codes outside ``StatusCode`` are
    kept as plain strings: the amended standard may define more."""
    description: str
    """Free text, e.g. the reason for a refusal."""
    timestamp: dt.datetime
    """When the status was reached; timezone-aware."""
    staff_name: str = ""
    """StaffInfo/Staff: who handled it."""
    staff_department: str = ""
    """StaffInfo/Department."""
    staff_email: str = ""
    """StaffInfo/Email."""
    staff_mobile: str = ""
    """StaffInfo/Mobile."""

    def __post_init__(self) -> None:
        require_aware(self.timestamp, "Status/Timestamp")
        if not _TWO_DIGITS.fullmatch(self.status_code):
            raise _bad_code(_ELEMENT)


def _bad_code(element: str) -> errors.InvalidInput:
    return fail(
        "edxml.bad_status_code",
        "Mã trạng thái phải gồm hai chữ số.",
        "The status code must be two digits.",
        element,
    )


def _known(code: str) -> str:
    try:
        return StatusCode(code)
    except ValueError:
        return code


def build_status(message: StatusMessage) -> bytes:
    """Serialize ``message`` as an edXML status package: UTF-8 with an XML declaration,
    the timestamp in ISO 8601 at +07:00. Raises ``InvalidInput`` for text XML cannot
    carry."""
    p = "edXML:"
    m = message
    status: Node = (
        p + "Status",
        [
            response_for_node(m.response_for),
            organ_node("From", m.sender),
            (p + "StatusCode", str(m.status_code)),
            (p + "Description", m.description),
            (p + "Timestamp", format_timestamp(m.timestamp)),
            (
                p + "StaffInfo",
                [
                    (p + "Department", m.staff_department),
                    (p + "Staff", m.staff_name),
                    (p + "Email", m.staff_email),
                    (p + "Mobile", m.staff_mobile),
                ],
            ),
        ],
    )
    root: Node = ("edXML", [(p + "edXMLEnvelope", [(p + "edXMLHeader", [status])])])
    return serialize(root, ROOT_ATTRIBUTES)


def parse_status(data: bytes, *, max_bytes: int = DEFAULT_MAX_BYTES) -> StatusMessage:
    """Read an edXML status package. Refuses, with ``InvalidInput`` and an ``edxml.*``
    code, anything over ``max_bytes``, any DTD or entity, a wrong root or namespace, a
    missing ResponseFor, From, StatusCode or Timestamp, a bad date or time, and a
    status code that is not two digits."""
    root = read_root(data, max_bytes)
    status = root.child("edXMLEnvelope").child("edXMLHeader").child("Status")
    code_reader = status.child("StatusCode")
    code = code_reader.text.strip()
    if not code:
        raise missing(code_reader.path)
    if not _TWO_DIGITS.fullmatch(code):
        raise _bad_code(code_reader.path)
    staff = status.first("StaffInfo")
    return StatusMessage(
        response_for=read_response_for(status.child("ResponseFor")),
        sender=read_organ(status.child("From")),
        status_code=_known(code),
        description=status.opt("Description"),
        timestamp=status.timestamp("Timestamp"),
        staff_name=staff.opt("Staff") if staff else "",
        staff_department=staff.opt("Department") if staff else "",
        staff_email=staff.opt("Email") if staff else "",
        staff_mobile=staff.opt("Mobile") if staff else "",
    )


__all__ = ["StatusCode", "StatusMessage", "build_status", "parse_status"]
