"""The publication log: every publication, withdrawal, expiry and correction of a public
document appended to a Merkle tree in the manner of Certificate Transparency (RFC 6962
hashing, ``documents.merkle``), with tree heads signed by the server (Ed25519).

An entry is canonical JSON; its leaf is ``SHA-256(0x00 || entry)``. Appending stores the
entry and the perfect-subtree hashes it completes, after taking the log's one-row state
(so appenders queue, across processes). Proofs and roots read O(log n) stored hashes.
:func:`verify` recomputes everything from the entries themselves: an entry edited,
removed or inserted in SQL, a stored hash changed, or a saved tree head that today's log
no longer extends, is named — by the operator's own tool as by anyone holding a head.
"""

from __future__ import annotations

import base64
import json
import os
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from sqlalchemy import insert, update
from sqlmodel import Session, col, select

from documents import merkle
from documents.publication_log_models import LogEntry, LogKey, LogNode, LogState, TreeHead
from ecabinet.core import merkle_store

# The key chain lives in core, shared with the readers outside (monitor, witness).
from ecabinet.core.log_keys import KeySet as KeySet
from ecabinet.core.log_keys import chain as chain
from ecabinet.core.log_keys import endorsed_text as endorsed_text
from ecabinet.core.log_keys import key_id_of as key_id_of
from ecabinet.core.log_keys import load_public as load_public
from ecabinet.core.log_keys import public_pem as public_pem
from ecabinet.core.settings import keep_secret
from ecabinet.core.types import utcnow

KINDS = frozenset({"publish", "withdraw", "expire", "correct", "audit_checkpoint"})
"""``audit_checkpoint``: a signed head of the audit log (:mod:`documents.audit_anchor`),
anchored where monitors keep copies; its ``document_id`` is 0."""
KEY_FILE = "publication_log_key.pem"


def canonical(payload: dict[str, Any]) -> str:
    return json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def entry_leaf(entry: LogEntry) -> bytes:
    return merkle.leaf_hash(entry.payload.encode())


def _take_state(session: Session) -> int:
    """Lock the log's state and return its size (creating the row on first use)."""
    return merkle_store.take_size(session, LogState)


def size_of(session: Session) -> int:
    row = session.get(LogState, 1)
    return row.size if row else 0


def append(session: Session, kind: str, document_id: int, payload: dict[str, Any]) -> LogEntry:
    """Append an entry (in the caller's transaction: it is there if and only if the
    change it records is)."""
    return append_many(session, [(kind, document_id, payload)])[0]


def append_many(
    session: Session, items: Sequence[tuple[str, int, dict[str, Any]]]
) -> list[LogEntry]:
    """Append entries in order, with a fixed number of statements whatever their number."""
    for kind, _, _ in items:
        if kind not in KINDS:
            raise ValueError(f"unknown log entry kind {kind!r}")
    if not items:
        return []
    first = _take_state(session)
    tree = merkle_store.StoredTree(session, LogNode)
    edge: list[tuple[int, int]] = []  # the perfect subtrees the new leaves will complete
    position, level = first, 0
    while position:
        if position % 2:
            edge.append((level, position - 1))
        position, level = position // 2, level + 1
    tree.load(edge)
    at = utcnow()
    entries: list[LogEntry] = []
    nodes: list[dict[str, Any]] = []
    for n, (kind, document_id, payload) in enumerate(items):
        index = first + n
        body = canonical(
            payload | {"seq": index, "kind": kind, "document_id": document_id, "at": at.isoformat()}
        )
        entry = LogEntry(seq=index, kind=kind, document_id=document_id, payload=body, at=at)
        entries.append(entry)
        level, position, current = 0, index, entry_leaf(entry)
        tree.cache[(0, index)] = current
        nodes.append({"level": 0, "index": index, "hash": current.hex()})
        while position % 2 == 1:
            current = merkle.node_hash(tree.perfect(level, position - 1), current)
            level, position = level + 1, position // 2
            tree.cache[(level, position)] = current
            nodes.append({"level": level, "index": position, "hash": current.hex()})
    session.execute(insert(LogEntry), [e.model_dump() for e in entries])
    session.execute(insert(LogNode), nodes)
    session.execute(update(LogState).where(col(LogState.id) == 1).values(size=first + len(entries)))
    return entries


def root(session: Session, size: int) -> bytes:
    return merkle_store.StoredTree(session, LogNode).answer(lambda t: merkle.root(t, size))


def inclusion(session: Session, seq: int, size: int) -> list[bytes]:
    return merkle_store.StoredTree(session, LogNode).answer(
        lambda t: merkle.inclusion_path(t, seq, size)
    )


def consistency(session: Session, old: int, new: int) -> list[bytes]:
    return merkle_store.StoredTree(session, LogNode).answer(
        lambda t: merkle.consistency_proof(t, old, new)
    )


# --- keys and signed tree heads ---------------------------------------------------------


def signing_key(data_dir: Path, key_file: Path | None = None) -> Ed25519PrivateKey:
    """The server's log key (``key_file``, by default ``KEY_FILE`` in the data folder),
    generated on first use (0600): ``ecabinet init`` makes it, ``ecabinet backup`` keeps it
    with the other secrets, ``ecabinet log rotate-key`` replaces it."""
    path = key_file or data_dir / KEY_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    pem = path.read_text() if path.exists() else keep_secret(path, _fresh_pem())
    return _load_private(pem)


@cache
def _key_at(data_dir: Path, key_file: Path | None, _changed: int) -> Ed25519PrivateKey:
    return signing_key(data_dir, key_file)


def current_key(data_dir: Path, key_file: Path | None = None) -> Ed25519PrivateKey:
    """The signing key for a running server, read again when its file changes (``ecabinet
    log rotate-key`` takes effect without a restart, for both logs' heads)."""
    path = key_file or data_dir / KEY_FILE
    if not path.exists():
        signing_key(data_dir, key_file)  # made on first use
    return _key_at(data_dir, key_file, path.stat().st_mtime_ns)


def _fresh_pem() -> str:
    fresh = Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    return fresh.decode().strip()


def _load_private(pem: str) -> Ed25519PrivateKey:
    key = serialization.load_pem_private_key(pem.encode(), password=None)
    assert isinstance(key, Ed25519PrivateKey)
    return key


def key_rows(session: Session) -> list[LogKey]:
    return list(session.exec(select(LogKey).order_by(col(LogKey.created_at), col(LogKey.key_id))))


def register_key(session: Session, key: Ed25519PrivateKey) -> LogKey:
    """The key's row in the public key set, added on first use: the first key needs no
    endorsement; a key that appears later without ``rotate_key`` is added unendorsed, and
    :func:`verify` names it (the key file was replaced by hand)."""
    key_id = key_id_of(key)
    row = session.get(LogKey, key_id)
    if row is None:
        row = LogKey(key_id=key_id, public_key=public_pem(key), created_at=utcnow())
        session.add(row)
        session.flush()
    return row


def rotate_key(session: Session, data_dir: Path, key_file: Path | None = None) -> LogKey:
    """Make a new signing key endorsed by the current one and put it in the key file; the
    old public key stays in the key set, so heads it signed still verify. The database
    row is flushed first, the file replaced after: commit the session before serving."""
    path = key_file or data_dir / KEY_FILE
    old = signing_key(data_dir, key_file)
    register_key(session, old)
    pem = _fresh_pem()
    new = _load_private(pem)
    new_id, new_public = key_id_of(new), public_pem(new)
    endorsement = base64.b64encode(old.sign(endorsed_text(new_id, new_public))).decode()
    row = LogKey(
        key_id=new_id,
        public_key=new_public,
        created_at=utcnow(),
        endorsed_by=key_id_of(old),
        endorsement=endorsement,
    )
    session.add(row)
    session.flush()
    fd, aside = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    with os.fdopen(fd, "w") as f:
        f.write(pem + "\n")
    os.chmod(aside, 0o600)
    os.replace(aside, path)
    return row


def _signed_bytes(size: int, root_hex: str, at: datetime, key_id: str | None = None) -> bytes:
    if key_id is None:
        return f"ecabinet-publication-log:v1:{size}:{root_hex}:{at.isoformat()}".encode()
    return f"ecabinet-publication-log:v2:{key_id}:{size}:{root_hex}:{at.isoformat()}".encode()


def signed_text(head: TreeHead) -> str:
    """Exactly what the signature covers (so anyone can check it with the public key)."""
    return _signed_bytes(head.size, head.root, head.at, head.key_id).decode()


def sign_head(session: Session, key: Ed25519PrivateKey) -> TreeHead:
    """The signed head of the log as it is now (kept, so the same size gets one head; a
    rotated key signs the next size)."""
    size = size_of(session)
    kept = session.get(TreeHead, size)
    if kept is not None:
        return kept
    key_id = register_key(session, key).key_id
    root_hex = root(session, size).hex()
    at = utcnow()
    signature = base64.b64encode(key.sign(_signed_bytes(size, root_hex, at, key_id))).decode()
    head = TreeHead(size=size, root=root_hex, at=at, signature=signature, key_id=key_id)
    session.add(head)
    session.flush()
    return head


def head_json(head: TreeHead) -> dict[str, Any]:
    out = {
        "tree_size": head.size,
        "root_hash": head.root,
        "timestamp": head.at.isoformat(),
        "signature": head.signature,
    }
    if head.key_id is not None:
        out["key_id"] = head.key_id
    return out


def head_from_json(data: dict[str, Any]) -> TreeHead:
    key_id = data.get("key_id")
    return TreeHead(
        size=int(data["tree_size"]),
        root=str(data["root_hash"]),
        at=datetime.fromisoformat(str(data["timestamp"])),
        signature=str(data["signature"]),
        key_id=str(key_id) if key_id is not None else None,
    )


def signature_valid(public: Ed25519PublicKey | KeySet, head: TreeHead) -> bool:
    """Whether ``head`` is signed by the key it names (a head without a key id: by the
    first key of the set)."""
    keys = public if isinstance(public, KeySet) else KeySet.of(public)
    key = keys.keys.get(head.key_id or keys.first or "")
    if key is None:
        return False
    try:
        key.verify(
            base64.b64decode(head.signature),
            _signed_bytes(head.size, head.root, head.at, head.key_id),
        )
    except (InvalidSignature, ValueError):
        return False
    return True


def trusted_keys(session: Session, current: Ed25519PrivateKey) -> tuple[KeySet, list[str]]:
    """The operator's view of the key set: the stored chain, which must hold the key the
    server signs with now (a fresh database holds no key yet: the current one alone)."""
    rows = key_rows(session)
    if not rows:
        return KeySet.of(current.public_key()), []
    keys, problems = chain(rows)
    if key_id_of(current) not in keys.keys:
        problems.append(f"the key file's key {key_id_of(current)[:16]} is not in the key set")
    return keys, problems


def public_key_of(
    session: Session, key_id: str, current: Ed25519PrivateKey
) -> Ed25519PublicKey | None:
    """The public key with id ``key_id``: the current key, or one the key set lists
    (endorsed or not); ``None`` when neither."""
    if key_id == key_id_of(current):
        return current.public_key()
    row = session.get(LogKey, key_id)
    try:
        return load_public(row.public_key) if row else None
    except ValueError:
        return None


# --- verification ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    what: str
    detail: str


def verify(
    session: Session, public: Ed25519PublicKey | KeySet, saved: TreeHead | None = None
) -> Problem | None:
    """Recompute the log from its entries and check every stored hash and head (each
    against the key it names), and that the log extends ``saved`` (a head someone kept);
    the first problem, or None."""
    levels = merkle.Levels()
    expected: dict[tuple[int, int], bytes] = {}
    for n, entry in enumerate(session.exec(select(LogEntry).order_by(col(LogEntry.seq)))):
        if entry.seq != n:
            return Problem("entry_missing", f"entry {n} is missing (next is {entry.seq})")
        try:
            recorded = json.loads(entry.payload)
        except ValueError:
            return Problem("entry_edited", f"entry {n} is not JSON")
        if recorded.get("seq") != n or canonical(recorded) != entry.payload:
            return Problem("entry_edited", f"entry {n} does not read as it was written")
        for level, index, digest in levels.append(entry_leaf(entry)):
            expected[(level, index)] = digest
    size = levels.size
    if size_of(session) != size:
        return Problem("size_changed", f"the log says {size_of(session)} entries, holds {size}")
    for node in session.exec(select(LogNode)):
        if expected.get((node.level, node.index)) != bytes.fromhex(node.hash):
            if node.level == 0:
                return Problem(
                    "entry_edited", f"entry {node.index} differs from the hash it was logged with"
                )
            return Problem("hash_changed", f"stored hash at level {node.level}, index {node.index}")
    heads = list(session.exec(select(TreeHead).order_by(col(TreeHead.size))))
    for head in [*heads, *([saved] if saved else [])]:
        which = "the saved head" if head is saved else f"stored head {head.size}"
        if not signature_valid(public, head):
            return Problem("head_signature", f"{which}: the signature does not verify")
        if head.size > size:
            return Problem("head_ahead", f"{which} covers {head.size} entries; the log has {size}")
        if merkle.root(levels, head.size).hex() != head.root:
            return Problem("head_root", f"{which}: today's log has another root at that size")
    return None
