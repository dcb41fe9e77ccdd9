"""The validation report: one entry per signature or document time-stamp, an overall
verdict, a JSON form and a Vietnamese text rendering.

Indications follow ETSI EN 319 102-1: TOTAL-PASSED, INDETERMINATE or TOTAL-FAILED with a
sub-indication (FORMAT_FAILURE, HASH_FAILURE, SIG_CRYPTO_FAILURE, REVOKED, EXPIRED, …).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from dataclasses import asdict, dataclass
from enum import StrEnum
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.x509.oid import NameOID

from signing.pdfio import VN


class Indication(StrEnum):
    TOTAL_PASSED = "TOTAL-PASSED"
    INDETERMINATE = "INDETERMINATE"
    TOTAL_FAILED = "TOTAL-FAILED"

    @property
    def rank(self) -> int:
        return {"TOTAL-PASSED": 0, "INDETERMINATE": 1, "TOTAL-FAILED": 2}[self.value]

    @property
    def vi(self) -> str:
        return {
            "TOTAL-PASSED": "HỢP LỆ",
            "INDETERMINATE": "CHƯA XÁC ĐỊNH ĐƯỢC",
            "TOTAL-FAILED": "KHÔNG HỢP LỆ",
        }[self.value]


@dataclass(frozen=True)
class Note:
    """A remark in Vietnamese and English."""

    vi: str
    en: str


def _name_part(name: x509.Name, oid: x509.ObjectIdentifier) -> str:
    values = name.get_attributes_for_oid(oid)
    return str(values[0].value) if values else ""


@dataclass(frozen=True)
class CertificateInfo:
    common_name: str
    organization: str
    subject: str
    issuer: str
    issuer_name: str
    """The issuer's common name (the full name is :attr:`issuer`)."""
    serial: str
    """Serial number in hexadecimal."""
    not_before: dt.datetime
    not_after: dt.datetime
    sha256: str

    @classmethod
    def of(cls, cert: x509.Certificate) -> CertificateInfo:
        return cls(
            common_name=_name_part(cert.subject, NameOID.COMMON_NAME),
            organization=_name_part(cert.subject, NameOID.ORGANIZATION_NAME),
            subject=cert.subject.rfc4514_string(),
            issuer=cert.issuer.rfc4514_string(),
            issuer_name=_name_part(cert.issuer, NameOID.COMMON_NAME)
            or cert.issuer.rfc4514_string(),
            serial=format(cert.serial_number, "X"),
            not_before=cert.not_valid_before_utc,
            not_after=cert.not_valid_after_utc,
            sha256=cert.fingerprint(hashes.SHA256()).hex(),
        )

    @property
    def display(self) -> str:
        return self.common_name or self.subject


@dataclass(frozen=True)
class RevocationCheck:
    """The revocation status of one certificate of a chain at the time judged."""

    certificate: str
    status: str
    """``good``, ``revoked``, ``unknown`` or ``not_applicable`` (nothing to ask: a root,
    a no-check OCSP responder, a certificate naming no OCSP/CRL address)."""
    source: str | None = None
    """``ocsp`` or ``crl``."""
    origin: str | None = None
    """``file`` (the DSS or the signature) or ``online``."""
    issued_at: dt.datetime | None = None
    revoked_at: dt.datetime | None = None
    reason: str | None = None


@dataclass(frozen=True)
class ChangeReport:
    kind: str
    allowed: bool
    vi: str
    en: str


@dataclass
class SignatureReport:
    field: str
    kind: str
    """``signature`` or ``timestamp`` (a document time-stamp)."""
    sub_filter: str
    signer: CertificateInfo | None = None
    chain: list[CertificateInfo] = dataclasses.field(default_factory=list)
    """From the signer up to the trust anchor (or as far as it could be built)."""
    claimed_time: dt.datetime | None = None
    """The time the signer's software wrote (/M): not proven."""
    timestamp_time: dt.datetime | None = None
    """The time proven by a time-stamp authority."""
    timestamp_authority: str | None = None
    intact: bool = False
    """The signed bytes are unchanged and the signature value matches the certificate."""
    revision: int = 0
    revisions: int = 0
    covers_whole_file: bool = False
    changes_after: list[ChangeReport] = dataclasses.field(default_factory=list)
    modifications_allowed: bool = True
    permission: int | None = None
    """DocMDP permission this signature sets (1 no change, 2 forms and signing, 3 also
    annotations), from a certification or a field lock."""
    certification: bool = False
    trusted: bool = False
    trust_anchor: str | None = None
    revocation: list[RevocationCheck] = dataclasses.field(default_factory=list)
    pades_level: str | None = None
    """B-B, B-T, B-LT or B-LTA; None when not a PAdES baseline signature."""
    indication: Indication = Indication.INDETERMINATE
    sub_indication: str | None = None
    notes: list[Note] = dataclasses.field(default_factory=list)

    def note(self, vi: str, en: str) -> None:
        self.notes.append(Note(vi, en))


@dataclass
class Report:
    sha256: str
    size: int
    validated_at: dt.datetime
    signatures: list[SignatureReport] = dataclasses.field(default_factory=list)

    @property
    def indication(self) -> Indication:
        """Worst of the signatures; INDETERMINATE for a file with none."""
        if not self.signatures:
            return Indication.INDETERMINATE
        return max((s.indication for s in self.signatures), key=lambda i: i.rank)

    @property
    def all_passed(self) -> bool:
        return bool(self.signatures) and self.indication is Indication.TOTAL_PASSED

    def to_dict(self) -> dict[str, Any]:
        body = asdict(self)
        body["indication"] = self.indication.value
        body["all_passed"] = self.all_passed
        return _plain(body)  # type: ignore[no-any-return]

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=2)

    def render_vi(self) -> str:
        return render_vi(self)


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dt.datetime):
        return value.astimezone(VN).isoformat()
    if isinstance(value, StrEnum):
        return value.value
    return value


def _when(moment: dt.datetime | None) -> str:
    return moment.astimezone(VN).replace(microsecond=0).isoformat() if moment else "—"


_REVOCATION_VI = {
    "good": "chưa bị thu hồi",
    "revoked": "ĐÃ BỊ THU HỒI",
    "unknown": "không xác định được",
    "not_applicable": "không cần kiểm tra",
}


def render_vi(report: Report) -> str:
    """The report as plain Vietnamese text, for people."""
    lines = [
        "BÁO CÁO KIỂM TRA CHỮ KÝ SỐ",
        f"Tệp: {report.size} byte, SHA-256 {report.sha256}",
        f"Thời điểm kiểm tra: {_when(report.validated_at)}",
    ]
    if not report.signatures:
        lines.append("Kết luận: tệp không có chữ ký số nào.")
        return "\n".join(lines) + "\n"
    passed = sum(s.indication is Indication.TOTAL_PASSED for s in report.signatures)
    lines.append(
        f"Kết luận: {report.indication.vi} ({report.indication.value}) — "
        f"{passed}/{len(report.signatures)} chữ ký hợp lệ"
    )
    for number, sig in enumerate(report.signatures, start=1):
        what = "Dấu thời gian tài liệu" if sig.kind == "timestamp" else "Chữ ký"
        lines.append("")
        lines.append(
            f"{number}. {what} “{sig.field}”: {sig.indication.vi} ({sig.indication.value}"
            + (f" / {sig.sub_indication}" if sig.sub_indication else "")
            + ")"
        )
        if sig.signer:
            who = sig.signer.display + (
                f" — {sig.signer.organization}" if sig.signer.organization else ""
            )
            lines.append(f"   Người ký: {who}")
            lines.append(
                f"   Chứng thư số: số hiệu {sig.signer.serial}, do “{sig.signer.issuer_name}” cấp, "
                f"hiệu lực {_when(sig.signer.not_before)} đến {_when(sig.signer.not_after)}"
            )
        if sig.kind == "signature":
            lines.append(f"   Thời điểm ký (phần mềm ký khai báo): {_when(sig.claimed_time)}")
        if sig.timestamp_time:
            lines.append(
                f"   Dấu thời gian: {_when(sig.timestamp_time)}"
                + (f" (cấp bởi {sig.timestamp_authority})" if sig.timestamp_authority else "")
            )
        lines.append(
            "   Toàn vẹn: "
            + ("văn bản nguyên vẹn kể từ khi ký" if sig.intact else "KHÔNG toàn vẹn")
        )
        if sig.covers_whole_file:
            lines.append("   Phạm vi: chữ ký bao trùm toàn bộ tệp")
        else:
            lines.append(f"   Phạm vi: phiên bản {sig.revision}/{sig.revisions} của tệp; sau đó:")
            for change in sig.changes_after:
                mark = "được phép" if change.allowed else "KHÔNG được phép"
                lines.append(f"     - {change.vi} ({mark})")
        if sig.permission:
            lines.append(
                "   Hạn chế sửa đổi (DocMDP): "
                + {
                    1: "không cho phép thay đổi",
                    2: "chỉ cho phép điền biểu mẫu và ký",
                    3: "chỉ cho phép điền biểu mẫu, ký và ghi chú",
                }.get(sig.permission, str(sig.permission))
            )
        lines.append(
            "   Tin cậy: "
            + (
                f"chuỗi chứng thư dẫn tới “{sig.trust_anchor}” (được tin cậy)"
                if sig.trusted
                else "không dẫn tới chứng thư gốc được tin cậy"
            )
        )
        for check in sig.revocation:
            if check.status == "not_applicable":
                continue
            detail = _REVOCATION_VI.get(check.status, check.status)
            if check.source:
                detail += f" ({check.source.upper()} lúc {_when(check.issued_at)}"
                detail += ", lưu trong tệp)" if check.origin == "file" else ", tra cứu trực tuyến)"
            if check.revoked_at:
                detail += f", thu hồi lúc {_when(check.revoked_at)}"
            lines.append(f"   Thu hồi — {check.certificate}: {detail}")
        if sig.kind == "signature":
            lines.append(f"   Mức PAdES: {sig.pades_level or 'không theo chuẩn PAdES cơ bản'}")
        for note in sig.notes:
            lines.append(f"   Ghi chú: {note.vi}")
    return "\n".join(lines) + "\n"
