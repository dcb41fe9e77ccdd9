"""The publication log's public endpoints (no login): the signed tree head and the log's
public key, one entry, inclusion proofs and consistency proofs (hashes in hex, as RFC
6962's JSON API gives them in base64)."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, Field
from sqlmodel import Session, col, select
from starlette.responses import Response

from documents import publication_facts
from documents import publication_log as log
from documents.publication_log_models import LogEntry, LogKey
from ecabinet.api.framework import Call, model_json
from ecabinet.api.registry import api
from ecabinet.api.routes_signing import validated_upload
from ecabinet.api.schemas_signing import ReportOut
from ecabinet.core import errors

TAG = "public"
ENTRIES_MAX = 1000


class HeadOut(BaseModel):
    tree_size: int
    root_hash: str
    timestamp: str
    signature: str
    public_key: str
    signed: str
    key_id: str | None = Field(
        default=None, description="The signing key's id (SHA-256 of the raw key, hex)"
    )


class KeyOut(BaseModel):
    key_id: str
    public_key: str = Field(description="PEM")
    created_at: datetime
    endorsed_by: str | None = Field(description="The key before it, which signed `endorsement`")
    endorsement: str | None = Field(
        description="Ed25519 (base64) of 'ecabinet-publication-log-key:v1:{key_id}:{pem}'"
    )


class KeySetOut(BaseModel):
    keys: list[KeyOut]
    current: str


class EntriesOut(BaseModel):
    entries: list[EntryOut]


class EntryOut(BaseModel):
    seq: int
    payload: str
    leaf_hash: str


class PublishedOut(BaseModel):
    document_id: int
    slug: str
    state: str = Field(description="published, withdrawn (đã thu hồi) or expired (hết hiệu lực)")
    ended_on: date | None
    reason: str
    log_seq: int


class VerifyOut(BaseModel):
    report: ReportOut
    published: PublishedOut | None = Field(
        description="This exact file is one the province published (and its state now)"
    )


class ProofOut(BaseModel):
    leaf_index: int | None = None
    first: int | None = None
    second: int | None = None
    tree_size: int
    root_hash: str
    audit_path: list[str]


_key = log.current_key


def _size(session: Session, name: str, value: int | None) -> int:
    size = log.size_of(session)
    if value is None:
        return size
    if not 0 <= value <= size:
        raise errors.InvalidInput(
            "log.bad_size",
            f"Tham số {name} vượt quá kích thước nhật ký ({size}).",
            f"Parameter {name} is beyond the log's size ({size}).",
        )
    return value


@api.route(
    "/public/log/head",
    "GET",
    "The publication log's signed tree head and the key that signs it",
    responses={200: HeadOut},
    tag=TAG,
    public=True,
)
async def head(call: Call) -> Response:
    key = _key(call.settings.data_dir, call.settings.publication_log_key_file)

    def run(session: Session) -> HeadOut:
        signed = log.sign_head(session, key)
        public = log.public_pem(key)
        if signed.key_id is not None and signed.key_id != log.key_id_of(key):
            row = session.get(LogKey, signed.key_id)  # a head kept from before a rotation
            public = row.public_key if row else public
        return HeadOut(**log.head_json(signed), public_key=public, signed=log.signed_text(signed))

    return model_json(await call.db(run))


@api.route(
    "/public/log/keys",
    "GET",
    "Every key that signs or signed the log's heads, each after the first endorsed by the one"
    " before",
    responses={200: KeySetOut},
    tag=TAG,
    public=True,
)
async def keys(call: Call) -> Response:
    key = _key(call.settings.data_dir, call.settings.publication_log_key_file)

    def run(session: Session) -> KeySetOut:
        log.register_key(session, key)
        return KeySetOut(
            keys=[
                KeyOut(
                    key_id=k.key_id,
                    public_key=k.public_key,
                    created_at=k.created_at,
                    endorsed_by=k.endorsed_by,
                    endorsement=k.endorsement,
                )
                for k in log.key_rows(session)
            ],
            current=log.key_id_of(key),
        )

    return model_json(await call.db(run))


@api.route(
    "/public/log/entries",
    "GET",
    "Entries ?start= to ?end= (inclusive, at most 1000 at once), as hashed",
    responses={200: EntriesOut},
    tag=TAG,
    public=True,
)
async def entries(call: Call) -> Response:
    start = call.query_int("start")
    end = call.query_int("end")

    def run(session: Session) -> EntriesOut:
        size = log.size_of(session)
        if not 0 <= start <= end or start >= size:
            raise errors.InvalidInput(
                "log.bad_range",
                f"Khoảng mục không hợp lệ (nhật ký có {size} mục).",
                f"Bad range of entries (the log has {size}).",
            )
        last = min(end, size - 1, start + ENTRIES_MAX - 1)
        rows = session.exec(
            select(LogEntry)
            .where(col(LogEntry.seq) >= start, col(LogEntry.seq) <= last)
            .order_by(col(LogEntry.seq))
        ).all()
        return EntriesOut(
            entries=[
                EntryOut(seq=r.seq, payload=r.payload, leaf_hash=log.entry_leaf(r).hex())
                for r in rows
            ]
        )

    return model_json(await call.db(run, write=False))


@api.route(
    "/public/log/entries/{seq:int}",
    "GET",
    "One entry of the publication log, as hashed",
    responses={200: EntryOut},
    tag=TAG,
    public=True,
)
async def entry(call: Call) -> Response:
    seq: int = call.request.path_params["seq"]

    def run(session: Session) -> EntryOut:
        row = session.get(LogEntry, seq)
        if row is None:
            raise errors.NotFound.of("mục nhật ký", "Log entry", "log.entry_not_found")
        return EntryOut(seq=row.seq, payload=row.payload, leaf_hash=log.entry_leaf(row).hex())

    return model_json(await call.db(run, write=False))


@api.route(
    "/public/log/proof",
    "GET",
    "Inclusion proof of entry ?seq= in the tree of ?size= entries (the whole log by default)",
    responses={200: ProofOut},
    tag=TAG,
    public=True,
)
async def inclusion(call: Call) -> Response:
    seq = call.query_int("seq")
    wanted = call.query_int("size", required=False)

    def run(session: Session) -> ProofOut:
        size = _size(session, "size", wanted)
        if seq >= size:
            raise errors.NotFound.of("mục nhật ký", "Log entry", "log.entry_not_found")
        return ProofOut(
            leaf_index=seq,
            tree_size=size,
            root_hash=log.root(session, size).hex(),
            audit_path=[h.hex() for h in log.inclusion(session, seq, size)],
        )

    return model_json(await call.db(run, write=False))


@api.route(
    "/public/log/consistency",
    "GET",
    "Consistency proof between the trees of ?first= and ?second= entries",
    responses={200: ProofOut},
    tag=TAG,
    public=True,
)
async def consistency(call: Call) -> Response:
    first = call.query_int("first")
    second_wanted = call.query_int("second", required=False)

    def run(session: Session) -> ProofOut:
        second = _size(session, "second", second_wanted)
        old = _size(session, "first", first)
        if old > second:
            raise errors.InvalidInput(
                "log.bad_size",
                "Tham số first phải không lớn hơn second.",
                "first must not exceed second.",
            )
        return ProofOut(
            first=old,
            second=second,
            tree_size=second,
            root_hash=log.root(session, second).hex(),
            audit_path=[h.hex() for h in log.consistency(session, old, second)],
        )

    return model_json(await call.db(run, write=False))


@api.route(
    "/public/verify",
    "POST",
    "Check any PDF: its signatures, and whether this exact file is one the province published",
    public=True,
    raw_body="application/pdf",
    responses={200: VerifyOut},
    tag=TAG,
    csrf=False,
)
async def verify(call: Call) -> Response:
    report = await validated_upload(call)

    def run(session: Session) -> PublishedOut | None:
        row = publication_facts.published_file(session, report.sha256)
        if row is None:
            return None
        return PublishedOut(
            document_id=row.document_id,
            slug=row.slug,
            state=row.state,
            ended_on=row.ended_on,
            reason=row.reason,
            log_seq=row.log_seq,
        )

    published = await call.db(run, write=False)
    return model_json(VerifyOut(report=ReportOut.of(report), published=published))
