"""The checks that end a restore: the audit log (its chain, head, Merkle tree and signed
checkpoints, as ``ecabinet audit verify`` checks them), the publication log (``ecabinet
log verify``), every stored blob, and the signatures of signed files. Each gives one line
of the report."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import anyio
from sqlalchemy import Engine, text
from sqlmodel import Session

from documents import publication_facts, publication_log
from ecabinet.core import audit_tree
from ecabinet.core import errors as core_errors
from ecabinet.core.db import session_scope
from ecabinet.core.settings import Settings
from ecabinet.core.storage import ObjectStore
from ecabinet.operations import audit_anchors
from ecabinet.operations.references import referenced
from signing.validation.report import Indication


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str

    def line(self) -> str:
        return f"[{'OK' if self.ok else 'FAILED'}] {self.name}: {self.detail}"


def audit_chain(engine: Engine, settings: Settings) -> Check:
    """The audit log as ``ecabinet audit verify`` checks it: the chain, its head row, the
    stored Merkle tree, every signed checkpoint (stored, or carried by the publication
    log) and their time-stamps. A restore from an old backup, a truncated or rewritten
    log, a forged checkpoint fail here."""
    report = audit_anchors.verify(engine, settings, [])
    with session_scope(engine, write=False) as session:
        last = audit_tree.latest(session)
    broken = [f.text for f in report.findings if f.broken]
    if broken:
        more = f" (and {len(broken) - 1} more)" if len(broken) > 1 else ""
        return Check("audit verify", False, f"{broken[0]}{more}")
    signed = (
        f"latest signed checkpoint: {last.size} entries, {last.at:%Y-%m-%d %H:%M} UTC"
        if last is not None
        else "no signed checkpoint yet"
    )
    return Check(
        "audit verify",
        True,
        f"audit log intact: {report.entries} entries, {report.covered} covered by a"
        f" checkpoint; {signed}",
    )


def publication_chain(engine: Engine, settings: Settings) -> Check:
    key = publication_log.signing_key(settings.data_dir, settings.publication_log_key_file)
    with session_scope(engine, write=False) as session:
        keys, key_problems = publication_log.trusted_keys(session, key)
        problem = publication_log.verify(session, keys, None)
        size = publication_log.size_of(session)
        checked = publication_cross_check(session, None)
    if key_problems:
        return Check("log verify", False, f"key: {key_problems[0]}")
    if problem is not None:
        return Check("log verify", False, f"{problem.what}: {problem.detail}")
    if checked.problems or checked.contradictions:
        first = checked.problems[0] if checked.problems else checked.contradictions[0].line()
        count = len(checked.problems) + len(checked.contradictions)
        return Check("log verify", False, f"{count} contradiction(s) with the log: {first}")
    return Check(
        "log verify",
        True,
        f"publication log intact: {size} entries; {checked.checked} publication(s) agree",
    )


def publication_cross_check(
    session: Session, store: ObjectStore | None
) -> publication_facts.CrossCheck:
    """Every publication row against the log, and (with ``store``) every logged file
    against the stored object's bytes."""

    def file_hash(sha256: str) -> str | None:
        assert store is not None
        try:
            store.read_bytes(sha256)  # hash-checked
        except core_errors.IntegrityFailure:
            return "altered"
        except core_errors.NotFound:
            return None
        return sha256

    return publication_facts.cross_check(session, file_hash if store else None)


def stored_files(engine: Engine, store: ObjectStore) -> Check:
    """Every blob a row names is in the store, and its bytes hash to its name."""
    with session_scope(engine, write=False) as session:
        hashes = sorted(referenced(session))
    bad: list[str] = []

    async def read(sha256: str) -> None:
        digest = hashlib.sha256()
        try:
            async for chunk in store.stream(sha256):
                digest.update(chunk)
        except (core_errors.NotFound, core_errors.IntegrityFailure):
            bad.append(sha256)
            return
        if digest.hexdigest() != sha256:
            bad.append(sha256)

    async def run() -> None:
        for sha256 in hashes:
            await read(sha256)

    anyio.run(run)
    if bad:
        return Check(
            "stored files", False, f"{len(bad)} of {len(hashes)} missing or damaged: {bad[0]}"
        )
    return Check("stored files", True, f"{len(hashes)} referenced blob(s) present and intact")


def signatures(engine: Engine, store: ObjectStore, settings: Settings, sample: int) -> Check:
    """Validate the signatures of up to ``sample`` of the signed document files."""
    with session_scope(engine, write=False) as session:
        rows = session.execute(
            text(
                "SELECT DISTINCT f.sha256 FROM document_file d"
                " JOIN stored_file f ON f.id = d.file_id WHERE d.signed ORDER BY f.sha256"
            )
        ).all()
    return validate_sample(store, settings, [str(r[0]) for r in rows], sample)


def validate_sample(
    store: ObjectStore, settings: Settings, hashes: list[str], sample: int
) -> Check:
    """Validate the signatures of up to ``sample`` of the signed files ``hashes``, spread
    evenly over them. A file without a signature, or with one that no longer matches it,
    fails; a signer who cannot be established (trust, revocation) is counted, not failed."""
    from ecabinet.signatures import intake
    from ecabinet.signatures.setup import SigningSetup

    if sample <= 0 or not hashes:
        return Check("signatures", True, f"{len(hashes)} signed file(s), none validated")
    step = max(1, len(hashes) // sample)
    chosen = hashes[::step][:sample]
    setup = SigningSetup(settings)
    counts = dict.fromkeys(Indication, 0)
    failed: list[str] = []
    for sha256 in chosen:
        report = intake.report(setup, store.read_bytes(sha256))
        counts[report.indication] += 1
        if not report.signatures or report.indication is Indication.TOTAL_FAILED:
            failed.append(sha256)
    detail = (
        f"{len(chosen)} of {len(hashes)} signed file(s) validated:"
        f" {counts[Indication.TOTAL_PASSED]} passed,"
        f" {counts[Indication.INDETERMINATE]} indeterminate,"
        f" {counts[Indication.TOTAL_FAILED]} failed"
    )
    if failed:
        return Check("signatures", False, f"{detail}; first failure {failed[0]}")
    return Check("signatures", True, detail)
