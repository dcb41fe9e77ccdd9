"""A witness of another deployment's audit log (``ecabinet audit witness URL --state DIR``).

Any agency runs it on a schedule. Each run fetches the latest signed checkpoint, checks its
signature with a key it trusts, and checks that the log it saw last time is a prefix of
today's (an RFC 6962 consistency proof between the two sizes), then keeps the new
checkpoint. A log that shrank, or whose proof fails, was rewritten: the run says so and
exits non-zero, and keeps the evidence (both checkpoints) in its state folder.

Keys: the first run trusts the deployment's key set as served (the first key and every key
it endorsed). After ``ecabinet log rotate-key`` a checkpoint names a key the witness does
not know yet: it reads the key set again and accepts the new key only if a key it trusts
endorsed it (:func:`ecabinet.core.log_keys.follow`, the publication-log monitor's rule). A
checkpoint signed by a key nothing it trusts endorsed is an alarm, as a rewrite is.

State folder: ``keys.json`` (the keys trusted, by id; older witnesses kept one key in
``public_key.pem``, still read), ``head.json`` (the last checkpoint that checked out;
``audit verify --witness DIR`` reads it), ``heads.jsonl`` (every one seen), and
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

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from ecabinet.core import audit_tree, log_keys, merkle

HEAD_PATH = "/api/v1/public/audit/checkpoint"
PROOF_PATH = "/api/v1/public/audit/consistency"
KEYS_FILE = "keys.json"

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
    new_keys: tuple[str, ...] = ()
    """Keys trusted from this run on (the first run's key set, or an endorsed rotation)."""
    warnings: tuple[str, ...] = ()
    """What is wrong with the served key set, when the checkpoint's key checked out anyway
    (a key nobody endorsed that signs nothing yet, a trusted key no longer listed)."""


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


def _trusted(state: Path) -> dict[str, Ed25519PublicKey]:
    keys_file, pinned_file = state / KEYS_FILE, state / "public_key.pem"
    try:
        if keys_file.exists():
            pems = dict(json.loads(keys_file.read_text()))
            return {kid: log_keys.load_public(str(pem)) for kid, pem in pems.items()}
        if pinned_file.exists():
            pinned = log_keys.load_public(pinned_file.read_text())
            return {log_keys.key_id_of(pinned): pinned}
    except (TypeError, ValueError) as exc:
        raise WitnessError(f"{state}: the trusted keys cannot be read: {exc}") from None
    return {}


def _keep_trusted(state: Path, keys: dict[str, Ed25519PublicKey]) -> None:
    pems = {kid: log_keys.public_pem(key) for kid, key in keys.items()}
    aside = state / (KEYS_FILE + ".new")
    aside.write_text(json.dumps(pems, indent=2) + "\n")
    aside.replace(state / KEYS_FILE)


def _follow_keys(
    base: str, get: Get, trusted: dict[str, Ed25519PublicKey]
) -> tuple[dict[str, Ed25519PublicKey], list[str]]:
    """The keys trusted after reading the served key set: those trusted before and every
    key they endorsed since (first run: the set's chain from its first key)."""
    served = get(base + log_keys.KEYS_PATH)
    try:
        keys, problems = log_keys.follow(served, trusted)
    except ValueError as exc:
        raise WitnessError(f"the key set cannot be read: {exc}") from None
    return dict(keys.keys), problems


def watch(base_url: str, state: Path, get: Get | None = None) -> Seen:
    """One round (see the module's docstring). Raises :class:`Rewritten` on a rewrite or
    a checkpoint signed by a key nothing trusted endorsed, :class:`WitnessError` when the
    log cannot be checked now."""
    get = get or http_get()
    base = base_url.rstrip("/")
    state.mkdir(parents=True, exist_ok=True)
    data = get(base + HEAD_PATH)
    try:
        cp = audit_tree.from_json(data)
    except ValueError as exc:
        raise WitnessError(f"the checkpoint cannot be read: {exc}") from None
    trusted = _trusted(state)
    new_keys: list[str] = []
    warnings: list[str] = []
    if cp.key_id not in trusted:
        keys, problems = _follow_keys(base, get, trusted)
        if cp.key_id not in keys:
            why = "; ".join(problems) or "the key set does not list it"
            _alarm(
                state,
                None,
                cp,
                f"the checkpoint is signed by key {cp.key_id[:16]}, which no key this witness"
                f" trusts endorsed ({why})",
            )
        new_keys = [k for k in keys if k not in trusted]
        trusted = {**trusted, **keys}  # a key once trusted is never forgotten
        warnings = problems
    if not audit_tree.signature_valid(trusted, cp):
        _alarm(state, None, cp, f"the checkpoint's signature does not verify (key {cp.key_id})")
    head_file = state / "head.json"
    previous = None
    if head_file.exists():
        previous = audit_tree.from_json(json.loads(head_file.read_text()))
        _check_extends(base, get, previous, cp, state)
    if new_keys:
        _keep_trusted(state, trusted)
    with (state / "heads.jsonl").open("a", encoding="utf-8") as f:
        f.write(json.dumps(audit_tree.to_json(cp)) + "\n")
    head_file.write_text(json.dumps(audit_tree.to_json(cp), indent=2) + "\n")
    return Seen(
        previous.size if previous else None, cp.size, cp.root, tuple(new_keys), tuple(warnings)
    )


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
