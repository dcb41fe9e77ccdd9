"""A witness of another deployment's audit log (``ecabinet audit witness URL --state DIR``).

Any agency runs it on a schedule. Each run fetches the latest signed checkpoint, checks its
signature with the key it pinned on its first run, and checks that the log it saw last time
is a prefix of today's (an RFC 6962 consistency proof between the two sizes), then keeps the
new checkpoint. A log that shrank, or whose proof fails, was rewritten: the run says so and
exits non-zero, and keeps the evidence (both checkpoints) in its state folder.

State folder: ``public_key.pem`` (pinned), ``head.json`` (the last checkpoint that checked
out; ``audit verify --witness DIR`` reads it), ``heads.jsonl`` (every one seen), and
``alarm.json`` when a rewrite was found.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from ecabinet.core import audit_tree, merkle

HEAD_PATH = "/api/v1/public/audit/checkpoint"
PROOF_PATH = "/api/v1/public/audit/consistency"

Get = Callable[[str], dict[str, Any]]


class WitnessError(Exception):
    """The log could not be checked (network, answer unreadable): try again later."""


class Rewritten(Exception):
    """The log contradicts what this witness saw before: a rewrite."""


@dataclass(frozen=True)
class Seen:
    previous: int | None
    size: int
    root: str


def http_get(timeout: float = 10.0) -> Get:
    def get(url: str) -> dict[str, Any]:
        try:
            with urllib.request.urlopen(url, timeout=timeout) as answer:  # noqa: S310
                data = json.loads(answer.read(1_000_000))
        except urllib.error.HTTPError as exc:
            raise WitnessError(f"{url}: HTTP {exc.code}") from None
        except (OSError, ValueError) as exc:
            raise WitnessError(f"{url}: {exc}") from None
        if not isinstance(data, dict):
            raise WitnessError(f"{url}: not a JSON object")
        return data

    return get


def _load_public(pem: str) -> Ed25519PublicKey:
    key = serialization.load_pem_public_key(pem.encode())
    if not isinstance(key, Ed25519PublicKey):
        raise ValueError("not an Ed25519 key")
    return key


def watch(base_url: str, state: Path, get: Get | None = None) -> Seen:
    """One round (see the module's docstring). Raises :class:`Rewritten` on a rewrite,
    :class:`WitnessError` when the log cannot be checked now."""
    get = get or http_get()
    base = base_url.rstrip("/")
    state.mkdir(parents=True, exist_ok=True)
    data = get(base + HEAD_PATH)
    try:
        cp = audit_tree.from_json(data)
        served_key = _load_public(str(data["public_key"]))
    except (KeyError, ValueError) as exc:
        raise WitnessError(f"the checkpoint cannot be read: {exc}") from None
    pinned_file = state / "public_key.pem"
    if pinned_file.exists():
        pinned = _load_public(pinned_file.read_text())
    else:
        pinned = served_key
        pinned_file.write_text(str(data["public_key"]))
    keys = {audit_tree.key_id(pinned): pinned}
    if not audit_tree.signature_valid(keys, cp):
        _alarm(state, None, cp, "the checkpoint is not signed by the pinned key")
    head_file = state / "head.json"
    previous = None
    if head_file.exists():
        previous = audit_tree.from_json(json.loads(head_file.read_text()))
        _check_extends(base, get, previous, cp, state)
    with (state / "heads.jsonl").open("a", encoding="utf-8") as f:
        f.write(json.dumps(audit_tree.to_json(cp)) + "\n")
    head_file.write_text(json.dumps(audit_tree.to_json(cp), indent=2) + "\n")
    return Seen(previous.size if previous else None, cp.size, cp.root)


def _check_extends(
    base: str,
    get: Get,
    old: audit_tree.AuditCheckpoint,
    new: audit_tree.AuditCheckpoint,
    state: Path,
) -> None:
    if new.size < old.size:
        _alarm(state, old, new, f"the log shrank from {old.size} to {new.size} entries")
    if new.size == old.size:
        if new.root != old.root:
            _alarm(state, old, new, f"another root for the same {new.size} entries")
        return
    query = urllib.parse.urlencode({"first": old.size, "second": new.size})
    answer = get(f"{base}{PROOF_PATH}?{query}")
    try:
        proof = [bytes.fromhex(h) for h in answer["audit_path"]]
        served_root = str(answer["root_hash"])
    except (KeyError, TypeError, ValueError) as exc:
        raise WitnessError(f"the consistency proof cannot be read: {exc}") from None
    consistent = served_root == new.root and merkle.verify_consistency(
        old.size, new.size, bytes.fromhex(old.root), bytes.fromhex(new.root), proof
    )
    if not consistent:
        _alarm(
            state,
            old,
            new,
            f"entries 1–{old.size} were rewritten: the log of {new.size} entries does not"
            f" extend the one of {old.size} seen at {old.at.isoformat()}",
        )


def _alarm(
    state: Path,
    old: audit_tree.AuditCheckpoint | None,
    new: audit_tree.AuditCheckpoint,
    why: str,
) -> None:
    evidence = {
        "problem": why,
        "kept": audit_tree.to_json(old) if old else None,
        "served": audit_tree.to_json(new),
    }
    (state / "alarm.json").write_text(json.dumps(evidence, indent=2) + "\n")
    raise Rewritten(why)
