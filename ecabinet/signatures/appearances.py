"""What a signature made through the app looks like (Decree 30, Article 5 and Appendix I).

An official (personal or token credential) signing in a box shows their signature image,
in blue, alone: the box lies between the title and full name the page prints (the
system finds it, :func:`signing.locate.signer_box`), so they are not printed twice.
An agency's seal shows the seal image at its real size over the left third of the
signature image of the official who signed last on that page (read back from the PDF:
:mod:`.widgets`), or over the left third of the box the clerk gives when no official's
signature image is there. Without an image on the
credential a box stays an empty widget (the signature is valid, only not drawn).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from sqlmodel import Session, col, select

from ecabinet.core import errors
from ecabinet.core.agencies import Agency
from ecabinet.core.storage import ObjectStore
from ecabinet.core.users import User
from ecabinet.signatures.models import CredentialKind, SigningCredential
from signing.appearance import Appearance, seal_appearance, signature_image_appearance
from signing.pdfdraw import Rect
from signing.widgets import last_signer_image


@dataclass(frozen=True)
class Look:
    """What signatures made with one credential show."""

    kind: CredentialKind
    title: str = ""
    """The official's title (chức vụ); empty for a seal."""
    name: str = ""
    """The official's full name; empty for a seal."""
    agency: str = ""
    """The agency's name (a seal's text)."""
    image_sha256: str | None = None
    image: bytes | None = None
    """The signature or seal PNG, once :meth:`with_image` has read it."""
    seals: frozenset[str] = frozenset()
    """SHA-256 of every registered seal certificate: their widgets are no official's."""

    def with_image(self, store: ObjectStore) -> Look:
        """This look with its image read from the store (outside any transaction)."""
        if self.image_sha256 is None or self.image is not None:
            return self
        return replace(self, image=store.read_bytes(self.image_sha256))


def look_for(session: Session, row: SigningCredential) -> Look:
    """The look of ``row``'s signatures: its owner's title and name, or its agency."""
    kind = CredentialKind(row.kind)
    if kind.official:
        owner = session.get(User, row.user_id) if row.user_id is not None else None
        if owner is None:
            return Look(kind, image_sha256=row.image_sha256)
        return Look(kind, owner.title, owner.full_name, image_sha256=row.image_sha256)
    agency = session.get(Agency, row.agency_id)
    seals = session.exec(
        select(col(SigningCredential.fingerprint)).where(
            col(SigningCredential.kind) == CredentialKind.seal
        )
    )
    return Look(
        kind,
        agency=agency.name if agency is not None else "",
        image_sha256=row.image_sha256,
        seals=frozenset(seals),
    )


def build(
    look: Look,
    data: bytes,
    *,
    page: int,
    box: Rect | None,
    signed_at: datetime,
    wanted: bool,
) -> Appearance | None:
    """The appearance of a signature on page ``page`` (from 0) of ``data``, or None for
    none. ``box``: where the request puts it; ``wanted``: the request asks for a visible
    signature even without a box (a seal over the official's signature image);
    ``signed_at``: the field's claimed signing time, which a seal shows."""
    if look.kind.official:
        if box is None:
            if wanted:
                raise errors.InvalidInput(
                    "signature.box_required",
                    "Cần chỉ rõ ô chữ ký (box) để hiện chữ ký của người ký.",
                    "Give the signature box (box) to show the signer's signature.",
                )
            return None
        if look.image is None:
            if wanted:
                raise _no_image()
            return None
        return signature_image_appearance(look.image, rect=box)
    if box is None and not wanted:
        return None
    if look.image is None:
        if wanted:
            raise _no_image()
        return None
    under = last_signer_image(data, page, seals=look.seals) or box
    if under is None:
        raise errors.InvalidInput(
            "signature.seal_without_signature",
            "Trang này chưa có ảnh chữ ký của người có thẩm quyền để đóng dấu lên; hãy chỉ"
            " rõ ô chữ ký (box).",
            "This page shows no signature image of the competent person to put the seal"
            " on; give the signature box (box).",
        )
    return seal_appearance(look.image, agency=look.agency, signed_at=signed_at, signer_image=under)


def _no_image() -> errors.InvalidInput:
    return errors.InvalidInput(
        "credential.no_image",
        "Chứng thư ký số này chưa có ảnh chữ ký hoặc ảnh con dấu.",
        "This signing credential has no signature or seal image yet.",
    )
