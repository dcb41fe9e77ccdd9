"""Request and response bodies of the documents API."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field

from documents.exchange.hops import RELAYED, Hop, Track
from documents.fields import MAX_ABSTRACT, MAX_PAGES, Fields
from documents.history import Entry
from documents.levels import Confidentiality, Urgency
from documents.models import Assignment, Document, DocumentFile, Recipient, Register
from documents.publication_models import Publication
from documents.registers import MAX_NUMBER
from documents.states import Flow, State, Step
from documents.status import StatusCode
from documents.symbols import format_number_symbol, parse_number_symbol
from ecabinet.api.schemas import FileOut, In
from ecabinet.api.schemas_signing import ActivationIn, SignIn
from ecabinet.core.files import StoredFile
from ecabinet.core.inputs import Id, Line, Text
from ecabinet.signatures.copies import Form
from signing.specs import Level

Name = Annotated[Line, Field(max_length=255)]
Note = Annotated[Text, Field(max_length=4000)]


class FieldsIn(In):
    """The register fields of a document (Decree 30 Appendix IV)."""

    type_id: Id
    abstract: Text = Field(min_length=1, max_length=MAX_ABSTRACT)
    issued_on: date | None = None
    number_symbol: Line = Field(default="", max_length=80, description="Incoming: 12/QĐ-UBND")
    issuing_agency_name: Name = ""
    issuing_agency_code: Line = Field(default="", max_length=32)
    signer_name: Name = ""
    signer_title: Name = ""
    signing_form: Line = Field(default="", max_length=8)
    recipients_text: Text = Field(default="", max_length=4000)
    confidentiality: Confidentiality = Confidentiality.none
    urgency: Urgency = Urgency.normal
    page_count: int | None = Field(default=None, ge=1, le=MAX_PAGES)
    copies: int | None = Field(default=None, ge=1, le=100_000)
    deadline: date | None = None
    place: Line = Field(default="", max_length=80)
    access: list[Id] = Field(default_factory=list, max_length=500)

    def fields(self) -> Fields:
        number, symbol = (None, "")
        if self.number_symbol.strip():
            number, symbol = parse_number_symbol(self.number_symbol)
        return Fields(
            type_id=self.type_id,
            abstract=self.abstract,
            issued_on=self.issued_on,
            number=number,
            symbol=symbol,
            issuing_agency_name=self.issuing_agency_name,
            issuing_agency_code=self.issuing_agency_code,
            signer_name=self.signer_name,
            signer_title=self.signer_title,
            signing_form=self.signing_form,
            recipients_text=self.recipients_text,
            confidentiality=self.confidentiality,
            urgency=self.urgency,
            page_count=self.page_count,
            copies=self.copies,
            deadline=self.deadline,
            place=self.place,
            access=tuple(self.access),
        )


class IncomingIn(FieldsIn):
    """Receive an incoming document; ``register_now`` also gives its arrival number at once."""

    agency_id: Id
    file_id: str | None = Field(default=None, max_length=36)
    register_now: bool = False
    arrival_number: int | None = Field(default=None, ge=1, le=MAX_NUMBER)


class OutgoingIn(FieldsIn):
    """Start an outgoing draft (``electronic=False``: a paper original to number)."""

    agency_id: Id
    file_id: str | None = Field(default=None, max_length=36)
    drafting_unit_id: Id | None = None
    electronic: bool = True
    replaces_id: Id | None = Field(default=None, description="The issued document it replaces")


class ReasonIn(In):
    reason: Text = Field(min_length=1, max_length=4000)


class NoteIn(In):
    note: Text = Field(min_length=1, max_length=4000)


class RegisterStepIn(In):
    arrival_number: int | None = Field(default=None, ge=1, le=MAX_NUMBER)
    arrival_date: date | None = None


class PresentIn(In):
    leader_id: Id
    note: Note = ""


class HandlerIn(In):
    user_id: Id | None = None
    unit_id: Id | None = None


class DirectIn(In):
    direction: Text = Field(min_length=1, max_length=4000)
    lead: HandlerIn
    co: list[HandlerIn] = Field(default_factory=list, max_length=50)
    deadline: date | None = None


class ReviewIn(In):
    leader_id: Id
    note: Note = ""


class IssueIn(ActivationIn):
    """Number, date and seal: the seal's PIN (``pin``) from the clerk, for an electronic
    document."""

    credential_id: str | None = Field(default=None, max_length=36)
    register_id: Id | None = None
    number: int | None = Field(default=None, ge=1, le=MAX_NUMBER, description="By hand")
    issued_on: date | None = None
    level: Level = Level.B_B


class DestinationIn(In):
    method: Literal["internal", "edxml", "paper"]
    agency_id: Id | None = None
    name: Name = ""
    organ_id: Line = Field(default="", max_length=32)


class DispatchIn(In):
    recipients: list[DestinationIn] = Field(min_length=1, max_length=200)


class RecallAnswerIn(In):
    accept: bool
    note: Note = ""


class PublishIn(In):
    sector: Line = Field(
        default="khac", max_length=40, description="Lĩnh vực: a code of GET /public/sectors"
    )
    amends: list[Annotated[str, Field(max_length=160)]] = Field(
        default_factory=list,
        max_length=10,
        description="Slugs of the published documents this one amends (2026/05-QĐ-UBND)",
    )


class EndPublicationIn(In):
    reason: Text = Field(min_length=1, max_length=2000)
    on: date | None = Field(default=None, description="Withdrawn or expired on (today)")


class FileIn(In):
    file_id: str = Field(min_length=1, max_length=36)
    kind: Literal["main", "attachment", "result"] = "attachment"
    note: Annotated[Line, Field(max_length=255)] = ""


class DocSignIn(SignIn):
    """Sign the document's main file (your own certificate, with its PIN)."""


class CopyIn(ActivationIn):
    """An electronic copy (sao y, sao lục) of the document, sealed by the agency holding
    it: the seal's PIN (``pin``) from the clerk."""

    form: Form = Field(description="sao-y or sao-luc")
    credential_id: str | None = Field(
        default=None, max_length=36, description="The seal; the agency's only one when null"
    )


class RegisterIn(In):
    agency_id: Id
    flow: Literal["incoming", "outgoing"]
    year: int = Field(ge=2000, le=2100)
    name: Line = Field(min_length=1, max_length=255)
    confidential: bool = False
    type_id: Id | None = None


class RegisterOut(BaseModel):
    id: int
    agency_id: int
    flow: str
    year: int
    name: str
    confidential: bool
    type_id: int | None
    last_number: int

    @classmethod
    def of(cls, r: Register) -> RegisterOut:
        return cls.model_validate(r.model_dump())


class DocumentTypeOut(BaseModel):
    id: int
    code: str
    name: str
    abbreviation: str


class DocumentTypeList(BaseModel):
    items: list[DocumentTypeOut]


class RegisterList(BaseModel):
    items: list[RegisterOut]


class DocumentOut(BaseModel):
    """A document as lists show it."""

    id: int
    agency_id: int
    flow: Flow
    state: str
    state_label: str
    type_id: int
    number: int | None
    symbol: str
    number_symbol: str
    year: int | None
    issued_on: date | None
    abstract: str
    issuing_agency_name: str
    issuing_agency_code: str
    signer_name: str
    signer_title: str
    signing_form: str
    place: str
    recipients_text: str
    confidentiality: str
    urgency: Urgency
    page_count: int | None
    copies: int | None
    deadline: date | None
    arrival_number: int | None
    arrival_date: date | None
    register_id: int | None
    source: str
    electronic: bool
    signature_verdict: str
    direction: str
    leader_id: int | None
    drafting_unit_id: int | None
    drafter_id: int | None
    origin_id: int | None
    replaces_id: int | None
    publish: bool
    created_at: datetime
    updated_at: datetime
    completed_at: datetime | None

    @classmethod
    def of(cls, d: Document) -> DocumentOut:
        data: dict[str, Any] = d.model_dump()
        data["state_label"] = State(d.state).label_vi
        data["number_symbol"] = format_number_symbol(d.number, d.symbol)
        return cls.model_validate(data)


class DocumentPage(BaseModel):
    items: list[DocumentOut]
    total: int
    exact: bool = Field(
        description="False: the list holds at least ``total`` (counted up to a cap)"
    )


class DocumentFileOut(BaseModel):
    id: int
    kind: str
    slot: int
    version: int
    note: str
    signed: bool
    verdict: str
    created_at: datetime
    file: FileOut
    download_name: str = Field(
        description="The name it downloads under (a main file: the document's, 12-QĐ-UBND.pdf)"
    )

    @classmethod
    def of(cls, row: DocumentFile, stored: StoredFile, download_name: str) -> DocumentFileOut:
        assert row.id is not None
        return cls(
            id=row.id,
            kind=row.kind,
            slot=row.slot,
            version=row.version,
            note=row.note,
            signed=row.signed,
            verdict=row.verdict,
            created_at=row.created_at,
            file=FileOut.of(stored),
            download_name=download_name,
        )


class EventOut(BaseModel):
    at: datetime
    actor_name: str = Field(description="Full name of who took the step")
    actor_title: str = Field(description="Their title (chức vụ); empty for the system")
    action: str
    from_state: str
    to_state: str
    note: str

    @classmethod
    def of(cls, entry: Entry) -> EventOut:
        return cls.model_validate(
            entry.event.model_dump()
            | {"actor_name": entry.actor_name, "actor_title": entry.actor_title}
        )


class AssignmentOut(BaseModel):
    user_id: int | None
    unit_id: int | None
    lead: bool
    deadline: date | None
    active: bool
    assigned_at: datetime

    @classmethod
    def of(cls, a: Assignment) -> AssignmentOut:
        return cls.model_validate(a.model_dump())


class HopOut(BaseModel):
    """One step of a document on its way to a recipient in another system."""

    code: str = Field(
        description="queued (handed to the outbox), or the edXML status code: 01 arrived "
        "(the time in the peer's signed receipt), 02 refused, 03 registered, 04 assigned…"
    )
    label: str = Field(description="The status code's Vietnamese name; empty for queued")
    at: datetime
    note: str = Field(description="A refusal's reason (Vietnamese / English)")
    proof: str | None = Field(
        description="The peer's signed receipt or message behind this hop, as "
        "`receipt/{id}` or `message/{id}` under /documents/{document_id}/exchange-proofs/"
    )

    @classmethod
    def of(cls, hop: Hop) -> HopOut:
        label = StatusCode(hop.code).label_vi if hop.code in set(StatusCode) else ""
        if hop.code == RELAYED:  # taken on by the provincial axis, named in the note (0036)
            label = "Đã chuyển qua trục"
        proof = hop.proof.path if hop.proof else None
        return cls(code=hop.code, label=label, at=hop.at, note=hop.note, proof=proof)


class RecipientOut(BaseModel):
    id: int
    agency_id: int | None
    organ_id: str
    name: str
    method: str
    status: str
    status_label: str
    status_at: datetime | None
    sent_at: datetime
    delivery: str = Field(
        description="To another system: pending, delivered (its signed receipt verified), "
        "refused or failed; empty otherwise"
    )
    delivered_at: datetime | None
    outbox_id: int | None = Field(description="Its exchange outbox row (another system)")
    stage: str = Field(
        description="To another system: pending, retrying, relayed (taken on by an axis, "
        "its arrival to come), failed, refused, delivered or cancelled (its outbox row, as "
        "the exchange console shows it); empty otherwise"
    )
    attempts: int = Field(description="Delivery attempts so far")
    last_error: str = Field(description="Why the last attempt failed, or the peer's refusal")
    next_attempt_at: datetime | None = Field(description="When the sender tries next")
    hops: list[HopOut] = Field(description="Its way so far, oldest first (another system)")

    @classmethod
    def of(cls, r: Recipient, track: Track | None = None) -> RecipientOut:
        data: dict[str, Any] = r.model_dump()
        data["status_label"] = StatusCode(r.status).label_vi if r.status else ""
        data |= {
            "outbox_id": track.outbox_id if track else None,
            "stage": track.stage.value if track else "",
            "attempts": track.attempts if track else 0,
            "last_error": track.last_error if track else "",
            "next_attempt_at": track.next_attempt_at if track else None,
            "hops": [HopOut.of(h) for h in track.hops] if track else [],
        }
        return cls.model_validate(data)


class PublicationOut(BaseModel):
    """The document's life on the public page (``/cong-khai/{slug}``)."""

    slug: str
    state: str = Field(description="published, withdrawn (đã thu hồi) or expired (hết hiệu lực)")
    sector: str
    published_at: datetime
    ended_on: date | None
    reason: str
    log_seq: int

    @classmethod
    def of(cls, p: Publication) -> PublicationOut:
        return cls.model_validate(p.model_dump())


class DocumentDetail(BaseModel):
    """A document with its files, handlers, recipients, timeline and the steps this user
    may take now."""

    document: DocumentOut
    files: list[DocumentFileOut]
    assignments: list[AssignmentOut]
    recipients: list[RecipientOut]
    timeline: list[EventOut]
    steps: list[Step]
    access: list[int]
    replaced_by: int | None = Field(
        default=None, description="The document that replaced this one, if the caller sees it"
    )
    publication: PublicationOut | None = Field(
        default=None, description="Its publication on the public page, if ever published"
    )
    may_publish: bool = Field(
        default=False,
        description="The caller may publish, withdraw or expire it (a clerk of its agency)",
    )
