"""The audit log as a verifiable log: a Merkle tree (RFC 6962 hashing, :mod:`ecabinet.core.merkle`)
over the hash chain, and signed checkpoints of it (decision "verifiable audit log").

Leaf ``i`` (from 0) is ``SHA-256(0x00 || hash of entry seq i+1)``: the tree commits to the
chain, and the chain to every entry's content. The tree is not grown by each append (an
append stays what it was: one chained row); a checkpoint grows it to the entries stored so
far, storing the perfect-subtree hashes (``audit_node``) that roots and consistency proofs
read in O(log n), then signs ``(key id, size, root, time)`` with the server's Ed25519 log key.
Before it signs, it checks the chain of the entries it adds, so a checkpoint never vouches
for entries edited since they were written.
"""

from __future__ import annotations

import base64
import hashlib
import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from sqlalchemy import BigInteger, Column, Engine, Text, func, insert, update
from sqlmodel import Field, Session, SQLModel, col, select

from ecabinet.core import log_keys, merkle, merkle_store
from ecabinet.core.audit import GENESIS, AuditEntry, entry_hash, stored
from ecabinet.core.db import session_scope
from ecabinet.core.types import UTCDateTime, utcnow

log = logging.getLogger("ecabinet.audit")

BATCH = 5000


class AuditNode(SQLModel, table=True):
    """A perfect subtree's hash: leaves [index·2^level, (index+1)·2^level)."""

    __tablename__ = "audit_node"
    level: int = Field(primary_key=True)
    index: int = Field(sa_type=BigInteger, primary_key=True)
    hash: str = Field(max_length=64)


class AuditTree(SQLModel, table=True):
    """How many entries the stored tree covers (one row; growing it takes it first)."""

    __tablename__ = "audit_tree"
    id: int = Field(default=1, primary_key=True)
    size: int = Field(default=0, sa_type=BigInteger)


class AuditCheckpoint(SQLModel, table=True):
    """A signed tree head of the audit log, and where it was anchored."""

    __tablename__ = "audit_checkpoint"
    size: int = Field(sa_type=BigInteger, primary_key=True)
    root: str = Field(max_length=64)
    at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    key_id: str = Field(max_length=64)
    signature: str = Field(max_length=200, description="Ed25519 over signed_text, base64")
    timestamp_token: str | None = Field(default=None, sa_column=Column(Text(), nullable=True))
    """RFC 3161 token (DER, base64) over SHA-256 of the signed text; ``None``: no TSA."""
    published_seq: int | None = Field(default=None, sa_type=BigInteger)
    """The publication log entry that carries this checkpoint, if any."""


def leaf(entry_hash_hex: str) -> bytes:
    return merkle.leaf_hash(bytes.fromhex(entry_hash_hex))


class ChainBroken(Exception):
    """The entries a checkpoint would cover do not chain: it refuses to sign them."""


def _take_tree(session: Session) -> int:
    return merkle_store.take_size(session, AuditTree)


def tree_size(session: Session) -> int:
    row = session.get(AuditTree, 1)
    return row.size if row else 0


def log_size(session: Session) -> int:
    """The last stored entry's ``seq`` (entries are 1…n with no gaps when intact)."""
    return int(session.exec(select(func.coalesce(func.max(AuditEntry.seq), 0))).one())


def grow(session: Session) -> int:
    """Grow the stored tree to every entry stored now, checking their chain; its size.

    Raises :class:`ChainBroken` (and writes nothing) when an entry it would add was edited,
    removed or inserted since it was written."""
    built = _take_tree(session)
    target = log_size(session)
    if target <= built:
        return built
    tree = merkle_store.StoredTree(session, AuditNode)
    tree.load(merkle.frontier_keys(built))
    frontier = merkle.Frontier(
        [(lv, tree.perfect(lv, ix)) for lv, ix in merkle.frontier_keys(built)], built
    )
    prev = GENESIS
    if built:
        before = session.exec(select(AuditEntry.hash).where(AuditEntry.seq == built)).first()
        if before is None or leaf(before) != tree.perfect(0, built - 1):
            raise ChainBroken(f"entry {built}, already checkpointed, was changed or removed")
        prev = before
    seq = built
    nodes: list[dict[str, Any]] = []
    for entry in stored(session, after=built, upto=target, batch=BATCH):
        if entry.seq != seq + 1 or entry.prev_hash != prev:
            raise ChainBroken(f"entry {seq + 1} is missing or does not follow entry {seq}")
        if entry_hash(entry) != entry.hash:
            raise ChainBroken(f"entry {entry.seq} does not match its hash")
        for level, index, digest in frontier.append(leaf(entry.hash)):
            nodes.append({"level": level, "index": index, "hash": digest.hex()})
        prev, seq = entry.hash, entry.seq
        if len(nodes) >= BATCH:
            session.execute(insert(AuditNode), nodes)
            nodes = []
    if seq < target:
        raise ChainBroken(f"entry {seq + 1} is missing")
    if nodes:
        session.execute(insert(AuditNode), nodes)
    session.execute(update(AuditTree).where(col(AuditTree.id) == 1).values(size=target))
    return target


def root(session: Session, size: int) -> bytes:
    return merkle_store.StoredTree(session, AuditNode).answer(lambda t: merkle.root(t, size))


def consistency(session: Session, old: int, new: int) -> list[bytes]:
    return merkle_store.StoredTree(session, AuditNode).answer(
        lambda t: merkle.consistency_proof(t, old, new)
    )


# --- signed checkpoints ------------------------------------------------------------------


def key_id(public: Ed25519PublicKey) -> str:
    """SHA-256 over the raw public key, hex: the id the publication log gives the same key
    (one key signs both logs' heads), so a rotated key set serves both."""
    return log_keys.key_id_of(public)


def signed_bytes(kid: str, size: int, root_hex: str, at: datetime) -> bytes:
    return f"ecabinet-audit-log:v1:{kid}:{size}:{root_hex}:{at.isoformat()}".encode()


def signed_text(cp: AuditCheckpoint) -> str:
    """Exactly what the signature (and the time-stamp's imprint) covers."""
    return signed_bytes(cp.key_id, cp.size, cp.root, cp.at).decode()


def digest(cp: AuditCheckpoint) -> bytes:
    """What a time-stamp authority stamps: SHA-256 of the signed text."""
    return hashlib.sha256(signed_text(cp).encode()).digest()


def signature_valid(keys: dict[str, Ed25519PublicKey], cp: AuditCheckpoint) -> bool:
    public = keys.get(cp.key_id)
    if public is None:
        return False
    try:
        public.verify(base64.b64decode(cp.signature), signed_text(cp).encode())
    except (InvalidSignature, ValueError):
        return False
    return True


def latest(session: Session) -> AuditCheckpoint | None:
    return session.exec(
        select(AuditCheckpoint).order_by(col(AuditCheckpoint.size).desc()).limit(1)
    ).first()


Publish = Callable[[Session, AuditCheckpoint], int]
"""Anchors a checkpoint in the public publication log (in the same transaction); its seq."""


def checkpoint(
    session: Session, key: Ed25519PrivateKey, *, publish: Publish | None = None
) -> AuditCheckpoint | None:
    """Grow the tree to the stored entries and sign a checkpoint of it (``None`` when the
    latest checkpoint already covers them all). Published when ``publish`` is given."""
    size = grow(session)
    last = latest(session)
    if size == 0 or (last is not None and last.size >= size):
        return None
    kid = key_id(key.public_key())
    root_hex = root(session, size).hex()
    at = utcnow()
    cp = AuditCheckpoint(
        size=size,
        root=root_hex,
        at=at,
        key_id=kid,
        signature=base64.b64encode(key.sign(signed_bytes(kid, size, root_hex, at))).decode(),
    )
    session.add(cp)
    session.flush()
    if publish is not None:
        cp.published_seq = publish(session, cp)
        session.add(cp)
        session.flush()
    return cp


def due(session: Session, *, entries: int, seconds: int) -> bool:
    """Whether a checkpoint is due: ``entries`` or more not covered yet, or some not
    covered and the latest checkpoint older than ``seconds``."""
    last = latest(session)
    covered = last.size if last else 0
    waiting = log_size(session) - covered
    if waiting <= 0:
        return False
    if entries and waiting >= entries:
        return True
    return last is None or (utcnow() - last.at).total_seconds() >= seconds


def to_json(cp: AuditCheckpoint, public: Ed25519PublicKey | None = None) -> dict[str, Any]:
    data: dict[str, Any] = {
        "tree_size": cp.size,
        "root_hash": cp.root,
        "timestamp": cp.at.isoformat(),
        "key_id": cp.key_id,
        "signature": cp.signature,
        "signed": signed_text(cp),
    }
    if cp.timestamp_token:
        data["timestamp_token"] = cp.timestamp_token
    if public is not None:
        data["public_key"] = public.public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        ).decode()
    return data


def from_json(data: dict[str, Any]) -> AuditCheckpoint:
    """A checkpoint read back from :func:`to_json`'s form; ``ValueError`` when malformed."""
    try:
        at = datetime.fromisoformat(str(data["timestamp"]))
        size = int(data["tree_size"])
        root_hex = str(data["root_hash"])
        bytes.fromhex(root_hex)
        if size < 0 or len(root_hex) != 64 or at.tzinfo is None:
            raise ValueError("out of range")
        return AuditCheckpoint(
            size=size,
            root=root_hex,
            at=at,
            key_id=str(data["key_id"]),
            signature=str(data["signature"]),
            timestamp_token=str(data["timestamp_token"]) if data.get("timestamp_token") else None,
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise ValueError(f"not an audit checkpoint: {exc}") from None


Stamp = Callable[[bytes], bytes]
"""Asks a time-stamp authority for an RFC 3161 token (DER) over a SHA-256 digest."""


def run_checkpoint(
    engine: Engine,
    key: Ed25519PrivateKey,
    *,
    publish: Publish | None = None,
    stamp: Stamp | None = None,
    entries: int = 0,
    seconds: int = 0,
    force: bool = False,
) -> AuditCheckpoint | None:
    """Sign (and anchor) a checkpoint when one is due (``force``: whenever entries wait).

    The time-stamp is asked for after the checkpoint commits (a TSA that is slow or away
    never holds the log's tables); its failure is logged and the checkpoint kept without
    one. Entries that no longer chain are refused with an error line, not signed."""
    try:
        with session_scope(engine) as session:
            if not force and not due(session, entries=entries, seconds=seconds):
                return None
            cp = checkpoint(session, key, publish=publish)
    except ChainBroken as exc:
        log.error("audit checkpoint refused: the audit log was altered: %s", exc)
        return None
    if cp is None or stamp is None:
        return cp
    try:
        token = base64.b64encode(stamp(digest(cp))).decode()
    except Exception as exc:  # an outside service: one line, the checkpoint stands
        log.warning("audit checkpoint %d not time-stamped: %s", cp.size, exc)
        return cp
    with session_scope(engine) as session:
        session.execute(
            update(AuditCheckpoint)
            .where(col(AuditCheckpoint.size) == cp.size)
            .values(timestamp_token=token)
        )
    cp.timestamp_token = token
    return cp
