"""Certificate binding: a credential is registered only for whom its certificate names.

An official's certificate must carry their full name as its common name, an agency's
seal the agency's name (compared folded: case, spacing, tone marks and đ/d do not
count). Where the certificate carries a Vietnamese identifier — ``CMND:``/``CCCD:`` for
a person, ``MST:``/``MNS:`` or the agency code (mã định danh) for an organisation, in the
subject's UID, serialNumber or organisational unit — it must equal the one the system
knows (a user's :attr:`~ecabinet.core.users.User.personal_id`, an agency's tax or
budget code, its code); an identifier the system does not know is not compared. The
certificate must also be for signing, valid now, and chain to a configured trust
anchor (:func:`ecabinet.core.trust.trust_anchor_files`; the demo CA in demo mode).
Each refusal says what did not match, in Vietnamese and English.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime

from cryptography import x509
from cryptography.x509.oid import NameOID

from ecabinet.core import errors
from ecabinet.core.agencies import AGENCY_CODE_RE, Agency
from ecabinet.core.text import fold
from ecabinet.core.users import User
from signing.validation.chain import build_path, check_path, usable_for_signing

REFUSALS = frozenset(
    {
        "credential.name_mismatch",
        "credential.identifier_mismatch",
        "credential.untrusted",
        "credential.not_for_signing",
        "credential.certificate_expired",
        "credential.certificate_not_yet_valid",
    }
)
"""Codes of the refusals :func:`check` raises (each is audited by the caller)."""
_IDENTIFIER = re.compile(r"^\s*(CMND|CCCD|HC|MST|MNS)\s*[:：]\s*(\S+)\s*$", re.IGNORECASE)
_WHERE = (NameOID.USER_ID, NameOID.SERIAL_NUMBER, NameOID.ORGANIZATIONAL_UNIT_NAME)
_PERSONAL = ("CMND", "CCCD")
_LABELS = {
    "CMND": ("số CMND", "identity card (CMND) number"),
    "CCCD": ("số CCCD", "citizen identity (CCCD) number"),
    "MST": ("mã số thuế", "tax code (MST)"),
    "MNS": ("mã quan hệ ngân sách", "budget relation code (MNS)"),
    "CODE": ("mã định danh cơ quan", "agency code"),
}


@dataclass(frozen=True)
class Identifier:
    scheme: str
    """CMND, CCCD, HC, MST, MNS, or CODE (an agency code written bare)."""
    value: str


def identifiers(cert: x509.Certificate) -> Iterator[Identifier]:
    """The Vietnamese identifiers the certificate's subject carries."""
    for oid in _WHERE:
        for attribute in cert.subject.get_attributes_for_oid(oid):
            raw = str(attribute.value)
            found = _IDENTIFIER.match(raw)
            if found is not None:
                yield Identifier(found.group(1).upper(), found.group(2))
            elif AGENCY_CODE_RE.match(raw.strip().upper()):
                yield Identifier("CODE", raw.strip().upper())


def common_name(cert: x509.Certificate) -> str:
    """The certificate's common name; "" when it has none."""
    names = cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
    return str(names[0].value) if names else ""


def _attribute(name: x509.Name, oid: x509.ObjectIdentifier) -> str:
    values = name.get_attributes_for_oid(oid)
    return str(values[0].value) if values else ""


def display_names(certificate_pem: str) -> tuple[str, str, str]:
    """What a person reads of a certificate: its holder's name, their title (the subject's
    title attribute, "" without one) and the issuer's name (its common name, else its
    organisation), never a raw distinguished name."""
    cert = x509.load_pem_x509_certificate(certificate_pem.encode())
    issuer = _attribute(cert.issuer, NameOID.COMMON_NAME) or _attribute(
        cert.issuer, NameOID.ORGANIZATION_NAME
    )
    return common_name(cert), _attribute(cert.subject, NameOID.TITLE), issuer


def check(
    cert: x509.Certificate,
    chain: Sequence[x509.Certificate],
    anchors: Sequence[x509.Certificate],
    *,
    user: User | None = None,
    agency: Agency | None = None,
    now: datetime,
) -> None:
    """Refuse ``cert`` for ``user`` (a personal or token credential) or for ``agency``
    (a seal) unless it names them, is for signing, valid at ``now`` and trusted."""
    _check_usable(cert, now)
    shown = common_name(cert)
    expected = user.full_name if user is not None else agency.name if agency is not None else ""
    if not shown or fold(shown) != fold(expected):
        whose_vi, whose_en = ("người dùng", "user") if user is not None else ("cơ quan", "agency")
        raise errors.InvalidInput(
            "credential.name_mismatch",
            f"Chứng thư số mang tên “{shown}”, không phải tên của {whose_vi} “{expected}”:"
            " không đăng ký chứng thư của người (cơ quan) này cho người (cơ quan) khác.",
            f"The certificate names {shown!r}, not the {whose_en} {expected!r}: a"
            " certificate is registered only for whom it names.",
            {"certificate_name": shown, "expected": expected},
        )
    for found in identifiers(cert):
        known = _known(found.scheme, user, agency)
        if known is not None and _digits(found.value) != _digits(known):
            label_vi, label_en = _LABELS[found.scheme]
            raise errors.InvalidInput(
                "credential.identifier_mismatch",
                f"Chứng thư số ghi {label_vi} {found.value}, khác với {label_vi} {known} đã"
                " lưu trong hệ thống.",
                f"The certificate carries {found.scheme} {label_en} {found.value}, not the"
                f" {known} the system has.",
                {"scheme": found.scheme, "certificate": found.value, "expected": known},
            )
    _check_chain(cert, chain, anchors, now)


def _known(scheme: str, user: User | None, agency: Agency | None) -> str | None:
    """The identifier of this scheme the system knows for the owner, if any."""
    if user is not None:
        return user.personal_id if scheme in _PERSONAL else None
    if agency is None:
        return None
    return {"MST": agency.tax_code, "MNS": agency.budget_code, "CODE": agency.code}.get(scheme)


def _digits(value: str) -> str:
    return re.sub(r"[\s.-]", "", value).upper()


def _check_usable(cert: x509.Certificate, now: datetime) -> None:
    if now > cert.not_valid_after_utc:
        day = cert.not_valid_after_utc.date().isoformat()
        raise errors.InvalidInput(
            "credential.certificate_expired",
            f"Chứng thư số đã hết hạn ngày {day}.",
            f"The certificate expired on {day}.",
        )
    if now < cert.not_valid_before_utc:
        raise errors.InvalidInput(
            "credential.certificate_not_yet_valid",
            "Chứng thư số chưa đến ngày có hiệu lực.",
            "The certificate is not valid yet.",
        )
    # Officials' certificates may lack non-repudiation (Decree 68): either bit will do.
    if not usable_for_signing(cert):
        raise errors.InvalidInput(
            "credential.not_for_signing",
            "Chứng thư số không cho phép ký số (thiếu digitalSignature/nonRepudiation).",
            "The certificate does not allow signing (no digitalSignature/nonRepudiation).",
        )


def _check_chain(
    cert: x509.Certificate,
    chain: Sequence[x509.Certificate],
    anchors: Sequence[x509.Certificate],
    now: datetime,
) -> None:
    path = build_path(cert, chain, anchors)
    if path.trusted:
        check_path(path, now)
    if not path.trusted or path.problems:
        issuer = cert.issuer.rfc4514_string()
        why_vi = (
            path.problems[0].vi
            if path.problems
            else "chưa cấu hình gốc tin cậy nào"
            if not anchors
            else "không dẫn tới gốc tin cậy nào đã cấu hình"
        )
        why_en = (
            path.problems[0].en
            if path.problems
            else "no trust anchor is configured"
            if not anchors
            else "it does not lead to a configured trust anchor"
        )
        raise errors.InvalidInput(
            "credential.untrusted",
            f"Chuỗi chứng thư (cấp bởi {issuer}) không được tin cậy: {why_vi}.",
            f"The certificate chain (issued by {issuer}) is not trusted: {why_en}.",
            {"issuer": issuer},
        )
