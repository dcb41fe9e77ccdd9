"""The audit log's anchors wired together (composition: the key and the publication log
come from ``documents``, the time-stamp authority from ``signing``)."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from functools import partial
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from sqlalchemy import Engine
from sqlmodel import Session

from documents import audit_anchor, publication_log
from ecabinet.core import audit_tree, audit_verify
from ecabinet.core.db import session_scope
from ecabinet.core.settings import Settings
from signing.errors import SigningError
from signing.trust import load_anchors
from signing.tsp import HttpTsa
from signing.validation.integrity import check_stamp

log = logging.getLogger("ecabinet.audit")


def key(settings: Settings) -> Ed25519PrivateKey:
    """The server's log key (the publication log's: one key signs both logs' heads, each
    under its own prefix in the signed text)."""
    return publication_log.signing_key(settings.data_dir, settings.publication_log_key_file)


def keys(settings: Settings, session: Session) -> dict[str, Ed25519PublicKey]:
    """Every key a checkpoint may be signed with: the publication log's key set (older keys
    stay after ``ecabinet log rotate-key``), or the key file's key alone on a fresh database."""
    found, _ = publication_log.trusted_keys(session, key(settings))
    return dict(found.keys)


def stamper(settings: Settings) -> audit_tree.Stamp | None:
    if not settings.tsa_url:
        return None
    return HttpTsa(settings.tsa_url, timeout=settings.network_timeout).timestamp


def checkpoint_now(
    engine: Engine, settings: Settings, *, force: bool = False
) -> audit_tree.AuditCheckpoint | None:
    return audit_tree.run_checkpoint(
        engine,
        key(settings),
        publish=audit_anchor.publish,
        stamp=stamper(settings),
        entries=settings.audit_checkpoint_entries,
        seconds=settings.audit_checkpoint_seconds,
        force=force,
    )


def job(settings: Settings) -> Callable[[Engine], int]:
    """For the scheduler's every tick: a checkpoint when one is due; how many were made."""

    def audit_checkpoint(engine: Engine) -> int:
        return 1 if checkpoint_now(engine, settings) is not None else 0

    return audit_checkpoint


def read_anchor(path: Path, source: str) -> audit_verify.Anchor:
    """A checkpoint kept in a file (``audit head``'s output, a witness's ``head.json``);
    ``ValueError`` when it cannot be read."""
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError) as exc:
        raise ValueError(f"{path}: {exc}") from None
    if isinstance(data, dict) and isinstance(data.get("checkpoint"), dict):
        data = data["checkpoint"]
    if not isinstance(data, dict):
        raise ValueError(f"{path}: not an audit checkpoint")
    return audit_verify.Anchor(source, audit_tree.from_json(data))


def tsa_roots(settings: Settings) -> list[x509.Certificate] | None:
    """The roots a TSA's certificate must chain to (``ECABINET_TSA_TRUST_ROOTS``); ``None``
    when none is configured. ``SigningError`` when the file holds no certificate."""
    if settings.tsa_trust_roots is None:
        return None
    roots = load_anchors([settings.tsa_trust_roots])
    if not roots:
        raise SigningError(
            "trust.no_anchor",
            f"{settings.tsa_trust_roots} không chứa chứng thư số gốc nào.",
            f"{settings.tsa_trust_roots} holds no certificate.",
        )
    return roots


def verify(
    engine: Engine, settings: Settings, extra: list[audit_verify.Anchor]
) -> audit_verify.Report:
    """``audit verify`` (and the restore check): the log against every anchor in reach,
    the time-stamps checked against the trusted TSA roots when they are configured."""
    problem = None
    try:
        roots = tsa_roots(settings)
    except SigningError as exc:
        roots, problem = None, exc.en
    with session_scope(engine, write=False) as session:
        anchors = [*audit_anchor.anchors(session), *extra]
        report = audit_verify.verify(
            session,
            keys(settings, session),
            anchors=anchors,
            check_token=partial(check_stamp, anchors=roots),
        )
    if not settings.tsa_url:
        report.note("no time-stamp authority configured (ECABINET_TSA_URL): time-stamps skipped")
    if problem is not None:
        report.bad(f"ECABINET_TSA_TRUST_ROOTS: {problem} The time-stamps' authority is unproven.")
    elif roots is None and report.stamped:
        report.note(
            "time-stamp authority not checked: no trusted root configured"
            " (ECABINET_TSA_TRUST_ROOTS); the tokens prove what they stamp, not who stamped it"
        )
    elif roots is not None and report.stamped:
        report.note(
            f"time-stamp authority checked: each token's TSA chains to a root in"
            f" {settings.tsa_trust_roots}"
        )
    return report
