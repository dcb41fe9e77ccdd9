"""The signature or seal image of a credential: a PNG in the object store.

Decree 30 wants the signer's signature as a PNG with a transparent background and the
seal as one at its real size, so an image is checked on upload (a seal must say its
resolution, from which its size follows, and be a plausible seal's size), stored
content-addressed like every blob, and its SHA-256 kept on the credential's row. An
agency admin sets it, or the official for their own credential.
"""

from __future__ import annotations

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from ecabinet.core import audit, errors
from ecabinet.core.audit import Actor
from ecabinet.core.db import session_scope
from ecabinet.core.files import references_blobs
from ecabinet.core.policy import Action, Subject, authorize, subject_for
from ecabinet.core.storage import ObjectStore, check_sha
from ecabinet.core.users import User
from ecabinet.signatures.credentials import get_credential
from ecabinet.signatures.models import CredentialKind, SigningCredential
from signing.appearance import SIGNATURE_IMAGE, seal_size
from signing.pngimage import load_png

MAX_IMAGE_BYTES = 2 * 1024 * 1024
"""A 300 dpi seal or signature PNG is some tens of kilobytes."""


def check_image(kind: CredentialKind, png: bytes) -> None:
    """Refuse (bilingual 422) what cannot be this kind's image; a seal must carry its
    resolution and come out between 15 and 80 mm across."""
    if len(png) > MAX_IMAGE_BYTES:
        raise errors.too_large(MAX_IMAGE_BYTES, "credential.image_too_large")
    if kind is CredentialKind.seal:
        seal_size(png)  # decodes it (load_png) and checks the size it comes out at
    else:
        load_png(png, SIGNATURE_IMAGE)


def attach_image(
    session: Session, actor: Actor, subject: Subject, credential_id: str, sha256: str
) -> SigningCredential:
    """Point the credential at an image already in the store (checked with
    :func:`check_image`); the caller must be allowed to change the credential."""
    check_sha(sha256)
    row = get_credential(session, subject, credential_id)
    authorize(subject, Action.update, row)
    if row.image_sha256 != sha256:
        row.image_sha256 = sha256
        session.add(row)
        session.flush()
        audit.record(
            session,
            actor,
            "signing_credential.image",
            "signing_credential",
            row.id,
            f"{row.kind} {row.subject}: image sha256 {sha256[:16]}…",
        )
    return row


def set_image(
    engine: Engine,
    store: ObjectStore,
    user: User,
    actor: Actor,
    credential_id: str,
    png: bytes,
) -> SigningCredential:
    """Check ``png``, store it, and make it the credential's image (audited)."""
    with session_scope(engine, write=False) as session:
        subject = subject_for(session, user)
        row = get_credential(session, subject, credential_id)
        authorize(subject, Action.update, row)  # before anything is stored
    check_image(CredentialKind(row.kind), png)
    blob = store.put_bytes(png)
    with session_scope(engine) as session:
        return attach_image(session, actor, subject_for(session, user), credential_id, blob.sha256)


@references_blobs
def _credential_images(session: Session) -> set[str]:
    """Credential images are blobs too: a sweep of unreferenced blobs must keep them."""
    rows = session.exec(
        select(col(SigningCredential.image_sha256)).where(
            col(SigningCredential.image_sha256).is_not(None)
        )
    )
    return {sha for sha in rows if sha}
