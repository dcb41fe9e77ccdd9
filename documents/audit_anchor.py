"""Audit checkpoints anchored in the public publication log.

A checkpoint entry names no private detail: the audit log's size and root, the time, the
key id and the signature. Monitors that follow the publication log keep copies, so a
database administrator who truncates or rewrites the audit log cannot also make its
checkpoints disappear unseen (the publication log's own heads and monitors catch that).
"""

from __future__ import annotations

import json

from sqlmodel import Session, col, select

from documents import publication_log
from documents.publication_log_models import LogEntry
from ecabinet.core import audit_tree
from ecabinet.core.audit_verify import Anchor

KIND = "audit_checkpoint"


def publish(session: Session, cp: audit_tree.AuditCheckpoint) -> int:
    """Append ``cp`` to the publication log (in the caller's transaction); its seq there."""
    payload = {
        "audit_size": cp.size,
        "audit_root": cp.root,
        "audit_at": cp.at.isoformat(),
        "key_id": cp.key_id,
        "signature": cp.signature,
    }
    return publication_log.append(session, KIND, 0, payload).seq


def anchors(session: Session) -> list[Anchor]:
    """Every audit checkpoint the publication log carries (unreadable ones skipped: the
    publication log's own verify names an edited entry)."""
    found = []
    for entry in session.exec(
        select(LogEntry).where(col(LogEntry.kind) == KIND).order_by(col(LogEntry.seq))
    ):
        try:
            data = json.loads(entry.payload)
            cp = audit_tree.from_json(
                {
                    "tree_size": data["audit_size"],
                    "root_hash": data["audit_root"],
                    "timestamp": data["audit_at"],
                    "key_id": data["key_id"],
                    "signature": data["signature"],
                }
            )
        except (ValueError, KeyError, TypeError):
            continue
        found.append(Anchor(f"publication log entry {entry.seq}", cp))
    return found
