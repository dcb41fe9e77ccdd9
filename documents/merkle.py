"""The RFC 6962 Merkle tree now lives in :mod:`ecabinet.core.merkle` (the audit log uses it
too, and core imports nothing of ``documents``); this name stays for the publication log."""

from ecabinet.core.merkle import (
    EMPTY_ROOT,
    Levels,
    Perfect,
    consistency_proof,
    inclusion_path,
    leaf_hash,
    node_hash,
    range_hash,
    root,
    verify_consistency,
    verify_inclusion,
)

__all__ = [
    "EMPTY_ROOT",
    "Levels",
    "Perfect",
    "consistency_proof",
    "inclusion_path",
    "leaf_hash",
    "node_hash",
    "range_hash",
    "root",
    "verify_consistency",
    "verify_inclusion",
]
