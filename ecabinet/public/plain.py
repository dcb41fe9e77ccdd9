"""A signature report in a sentence per signature, for citizens: "Ký bởi … lúc …, văn bản
nguyên vẹn, chứng thư hợp lệ." The full technical report stays one click away."""

from __future__ import annotations

from dataclasses import dataclass

from signing.pdfio import VN
from signing.validation.report import Indication, Report, SignatureReport


@dataclass(frozen=True)
class PlainReport:
    ok: bool
    """Every signature TOTAL-PASSED (and there is at least one)."""
    vi: list[str]
    en: list[str]
    detail: str
    """The full report in Vietnamese."""


def _who(sig: SignatureReport) -> str:
    if sig.signer is None:
        return "?"
    org = sig.signer.organization
    return sig.signer.display + (f" ({org})" if org and org != sig.signer.display else "")


def _verdict(sig: SignatureReport) -> tuple[str, str]:
    revoked = any(r.status == "revoked" for r in sig.revocation)
    if not sig.intact:
        return "văn bản ĐÃ BỊ THAY ĐỔI sau khi ký", "the document WAS CHANGED after signing"
    if sig.indication is Indication.TOTAL_PASSED:
        return "văn bản nguyên vẹn, chứng thư hợp lệ", "document intact, certificate valid"
    if revoked:
        return (
            "văn bản nguyên vẹn, nhưng chứng thư số ĐÃ BỊ THU HỒI",
            "document intact, but the certificate WAS REVOKED",
        )
    if not sig.trusted:
        return (
            "văn bản nguyên vẹn, nhưng chứng thư số không do tổ chức tin cậy cấp",
            "document intact, but the certificate is not from a trusted authority",
        )
    return (
        "văn bản nguyên vẹn, chưa xác định được hiệu lực của chứng thư số",
        "document intact, the certificate's validity could not be established",
    )


def plain(report: Report) -> PlainReport:
    """One sentence per signature (document time-stamps included), in both languages."""
    vi: list[str] = []
    en: list[str] = []
    for sig in report.signatures:
        moment = sig.timestamp_time or sig.claimed_time
        when = moment.astimezone(VN) if moment else None
        at_vi = f" lúc {when:%H:%M} ngày {when:%d/%m/%Y}" if when else ""
        at_en = f" at {when:%H:%M} on {when:%d/%m/%Y}" if when else ""
        v_vi, v_en = _verdict(sig)
        if sig.kind == "timestamp":
            vi.append(f"Dấu thời gian của {_who(sig)}{at_vi}: {v_vi}.")
            en.append(f"Time-stamped by {_who(sig)}{at_en}: {v_en}.")
        else:
            vi.append(f"Ký bởi {_who(sig)}{at_vi}, {v_vi}.")
            en.append(f"Signed by {_who(sig)}{at_en}, {v_en}.")
    if not report.signatures:
        vi.append("Tệp không có chữ ký số.")
        en.append("The file carries no digital signature.")
    return PlainReport(ok=report.all_passed, vi=vi, en=en, detail=report.render_vi())
