"""Validating every signature and document time-stamp of a PDF (ETSI EN 319 102-1 style).

For each one: the byte range and the CMS (integrity), the signer's certificate path to
a configured trust anchor, the certificates' validity and revocation at the best proven
time (a trusted time-stamp gives proof of existence; otherwise "now"), what changed in
the file after it and whether its permissions allow that, and the PAdES level reached.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any, cast

from cryptography import x509
from pypdf import PdfReader
from pypdf.generic import DictionaryObject

from signing.embedded import EmbeddedSignature, SignedData, find_signatures
from signing.errors import BadPdf
from signing.pdfio import PYPDF_ERRORS, open_pdf, open_revision
from signing.revocation import Fetcher
from signing.validation import changes as changes_mod
from signing.validation.chain import (
    Path,
    build_path,
    check_path,
    usable_for_signing,
    usable_for_timestamping,
)
from signing.validation.integrity import (
    Outcome,
    check_ess,
    check_signed_data,
    check_token,
    digest,
)
from signing.validation.report import (
    CertificateInfo,
    ChangeReport,
    Indication,
    Report,
    RevocationCheck,
    SignatureReport,
)
from signing.validation.revinfo import Sources, status_at

SUPPORTED_SUB_FILTERS = ("/ETSI.CAdES.detached", "/adbe.pkcs7.detached")
_BROKEN = ("FORMAT_FAILURE", "HASH_FAILURE", "SIG_CRYPTO_FAILURE")


@dataclass(frozen=True)
class Policy:
    """What a validation trusts and may do."""

    anchors: Sequence[x509.Certificate] = ()
    """Trust anchors (the configured folder; the demo root only in demo mode)."""
    fetcher: Fetcher | None = None
    """Fetches revocation data online, only for paths that reach an anchor; None:
    only what the file holds."""
    moment: dt.datetime | None = None
    """The validation time; now when None."""


@dataclass
class _Timing:
    moment: dt.datetime
    proven: bool
    """The moment comes from a trusted time-stamp (proof of existence), not the clock."""


class _Run:
    """One validation of one file."""

    def __init__(self, data: bytes, reader: PdfReader, policy: Policy) -> None:
        self.data = data
        self.view = memoryview(data)
        self.reader = reader
        self.policy = policy
        self.now = policy.moment or dt.datetime.now(dt.UTC)
        self.timestamps: dict[int, SignatureReport] = {}
        """Document time-stamp reports, by revision end."""
        self._changes: dict[int, list[changes_mod.Change]] = {}

    @cached_property
    def eofs(self) -> list[int]:
        ends, at = [], self.data.find(b"%%EOF")
        while at >= 0:
            ends.append(at + 5)
            at = self.data.find(b"%%EOF", at + 5)
        return ends

    @cached_property
    def dss(self) -> tuple[Sources, list[x509.Certificate]]:
        sources, certs = Sources(), []
        catalog = cast(DictionaryObject, self.reader.trailer["/Root"])
        try:
            dss = catalog.get("/DSS")
            dss = dss.get_object() if dss is not None else None
            if isinstance(dss, DictionaryObject):
                for key, target in (("/OCSPs", sources.ocsps), ("/CRLs", sources.crls)):
                    for ref in cast(list[Any], dss.get(key) or []):
                        target.append(ref.get_object().get_data())
                for ref in cast(list[Any], dss.get("/Certs") or []):
                    try:
                        certs.append(x509.load_der_x509_certificate(ref.get_object().get_data()))
                    except ValueError:
                        continue
        except PYPDF_ERRORS:
            pass
        return sources, certs

    def changes(self, end: int) -> list[changes_mod.Change]:
        if end not in self._changes:
            self._changes[end] = changes_mod.analyse(self.data, self.reader, end)
        return self._changes[end]

    def has_dss_at(self, end: int) -> bool:
        try:
            reader = open_revision(self.data, end)
            return "/DSS" in cast(DictionaryObject, reader.trailer["/Root"])
        except (BadPdf, *PYPDF_ERRORS):
            return False

    # -- shared steps ------------------------------------------------------------------

    def _frame(self, sig: EmbeddedSignature, report: SignatureReport) -> Outcome | None:
        """Byte range checks; an outcome when the signature cannot be judged further."""
        report.revisions = len(self.eofs)
        report.revision = sum(1 for e in self.eofs if e <= sig.revision_end) or 1
        tail = self.data[sig.revision_end :]
        report.covers_whole_file = not tail.strip(b"\x00\t\n\f\r ")
        br = sig.byte_range
        if (
            len(br) != 4
            or br[0] != 0
            or not 0 < br[1] < br[2] <= br[2] + br[3] <= len(self.data)
            or self.data[br[1] : br[1] + 1] != b"<"
            or self.data[br[2] - 1 : br[2]] != b">"
        ):
            return Outcome(
                "FORMAT_FAILURE",
                "Vùng dữ liệu được ký (ByteRange) không hợp lệ.",
                "The signed byte range (ByteRange) is not valid.",
                failed=True,
            )
        hole = bytes(self.view[br[1] + 1 : br[2] - 1])
        try:
            in_hole = bytes.fromhex(hole.decode("ascii"))
        except (ValueError, UnicodeDecodeError):
            in_hole = b""
        if in_hole.rstrip(b"\x00") != sig.contents.rstrip(b"\x00"):
            return Outcome(
                "FORMAT_FAILURE",
                "Vùng dữ liệu được ký không trùng với chữ ký của trường này.",
                "The signed byte range does not frame this field's signature.",
                failed=True,
            )
        if not any(abs(e - sig.revision_end) <= 2 for e in self.eofs):
            return Outcome(
                "FORMAT_FAILURE",
                "Chữ ký không kết thúc ở cuối một phiên bản của tệp.",
                "The signature does not end at the end of a revision of the file.",
                failed=True,
            )
        return None

    def _parts(self, sig: EmbeddedSignature) -> list[memoryview]:
        br = sig.byte_range
        return [self.view[br[0] : br[0] + br[1]], self.view[br[2] : br[2] + br[3]]]

    def _pool(self, *parts: SignedData | None) -> list[x509.Certificate]:
        pool = list(self.dss[1])
        for part in parts:
            if part is not None:
                pool += part.certificates
        return pool

    def _path(
        self, leaf: x509.Certificate, pool: list[x509.Certificate], timing: _Timing
    ) -> tuple[Path, list[RevocationCheck]]:
        path = build_path(leaf, pool, self.policy.anchors)
        check_path(path, timing.moment)
        fetcher = self.policy.fetcher if path.trusted else None
        checks = [
            status_at(cert, issuer, timing.moment, self.dss[0], fetcher)
            for cert, issuer in path.issuers
        ]
        return path, checks

    def _modifications(self, sig: EmbeddedSignature, report: SignatureReport) -> bool:
        if report.covers_whole_file:
            return True
        allowed = True
        for change in self.changes(sig.revision_end):
            ok = change.allowed_under(report.permission)
            allowed &= ok
            report.changes_after.append(ChangeReport(change.kind, ok, change.vi, change.en))
        report.modifications_allowed = allowed
        return allowed

    def _proof_after(self, end: int) -> dt.datetime | None:
        """The earliest trusted document time-stamp over the revision ending at ``end``."""
        times = [
            r.timestamp_time
            for e, r in self.timestamps.items()
            if e > end and r.indication is Indication.TOTAL_PASSED and r.timestamp_time
        ]
        return min(times) if times else None

    # -- judges ------------------------------------------------------------------------

    def timestamp(self, sig: EmbeddedSignature) -> SignatureReport:
        report = SignatureReport(sig.field_name, "timestamp", sig.sub_filter)
        broken = self._frame(sig, report)
        token = sig.signed_data
        if broken is None and (token is None or sig.sub_filter != "/ETSI.RFC3161"):
            broken = Outcome(
                "FORMAT_FAILURE",
                "Dấu thời gian tài liệu không đọc được.",
                "The document time-stamp cannot be read.",
                failed=True,
            )
        if broken is not None or token is None:
            return _conclude(report, broken)
        check = check_token(token, self._parts(sig))
        report.intact = check.outcome.failure not in _BROKEN
        report.timestamp_time = check.time
        if check.tsa is None:
            return _conclude(report, check.outcome if not check.outcome.ok else None)
        report.signer = CertificateInfo.of(check.tsa)
        report.timestamp_authority = report.signer.display
        timing = _Timing(check.time or self.now, check.time is not None)
        path, revocation = self._path(check.tsa, self._pool(token), timing)
        _fill_path(report, path, revocation)
        allowed = self._modifications(sig, report)
        if not usable_for_timestamping(check.tsa):
            report.note(
                "Chứng thư của máy chủ cấp dấu thời gian thiếu mục đích timeStamping.",
                "The time-stamp authority's certificate lacks the timeStamping purpose.",
            )
        verdict = _indicate(
            check.outcome,
            Outcome(None),
            allowed,
            path,
            revocation,
            check.tsa,
            timing,
            usable_for_timestamping(check.tsa),
        )
        return _conclude(report, verdict)

    def signature(self, sig: EmbeddedSignature) -> SignatureReport:
        report = SignatureReport(sig.field_name, "signature", sig.sub_filter)
        report.claimed_time = sig.claimed_time
        report.permission = sig.docmdp_permission or sig.lock_permission
        report.certification = sig.docmdp_permission is not None
        broken = self._frame(sig, report)
        signed = sig.signed_data
        if broken is None and signed is None:
            broken = Outcome(
                "FORMAT_FAILURE",
                "Chữ ký (CMS) không đọc được.",
                "The signature (CMS) cannot be read.",
                failed=True,
            )
        if broken is None and sig.sub_filter not in SUPPORTED_SUB_FILTERS:
            broken = Outcome(
                "FORMAT_FAILURE",
                f"Kiểu chữ ký {sig.sub_filter} không được hỗ trợ.",
                f"The signature type {sig.sub_filter} is not supported.",
                failed=True,
            )
        if broken is not None or signed is None:
            return _conclude(report, broken)
        algo = signed.signer_info["digest_algorithm"]["algorithm"].native
        integrity = check_signed_data(signed, {algo: digest(algo, self._parts(sig))})
        report.intact = integrity.failure not in _BROKEN
        ess = check_ess(signed)
        cert = signed.signer_certificate
        if cert is None:
            return _conclude(report, integrity)
        report.signer = CertificateInfo.of(cert)

        proofs, tsa_ok = [], False
        token = signed.timestamp_token
        tsa_revocation: list[RevocationCheck] = []
        if token is not None:
            tsa_ok, tsa_revocation = self._signature_timestamp(signed, token, report)
            if tsa_ok and report.timestamp_time:
                proofs.append(report.timestamp_time)
        doc_proof = self._proof_after(sig.revision_end)
        if doc_proof is not None:
            proofs.append(doc_proof)
        timing = _Timing(min(proofs), True) if proofs else _Timing(self.now, False)
        path, revocation = self._path(cert, self._pool(signed, token), timing)
        _fill_path(report, path, revocation)
        allowed = self._modifications(sig, report)
        verdict = _indicate(
            integrity, ess, allowed, path, revocation, cert, timing, usable_for_signing(cert)
        )
        report.pades_level = self._level(sig, signed, bool(proofs), revocation + tsa_revocation)
        return _conclude(report, verdict)

    def _signature_timestamp(
        self, signed: SignedData, token: SignedData, report: SignatureReport
    ) -> tuple[bool, list[RevocationCheck]]:
        check = check_token(token, [signed.signer_info["signature"].native])
        if not check.outcome.ok or check.tsa is None or check.time is None:
            report.note(
                "Dấu thời gian của chữ ký không hợp lệ nên không được dùng: " + check.outcome.vi,
                "The signature's time-stamp is not valid and is not used: " + check.outcome.en,
            )
            return False, []
        timing = _Timing(check.time, True)
        path, revocation = self._path(check.tsa, self._pool(token), timing)
        fine = (
            path.trusted
            and not path.problems
            and usable_for_timestamping(check.tsa)
            and check.tsa.not_valid_before_utc <= check.time <= check.tsa.not_valid_after_utc
            and all(r.status != "revoked" for r in revocation)
        )
        if not fine:
            report.note(
                "Dấu thời gian của chữ ký không được tin cậy nên không được dùng.",
                "The signature's time-stamp is not trusted and is not used.",
            )
            return False, revocation
        report.timestamp_time = check.time
        report.timestamp_authority = CertificateInfo.of(check.tsa).display
        return True, revocation

    def _level(
        self,
        sig: EmbeddedSignature,
        signed: SignedData,
        proven: bool,
        revocation: list[RevocationCheck],
    ) -> str | None:
        if (
            sig.sub_filter != "/ETSI.CAdES.detached"
            or signed.signed_attribute("signing_time") is not None
            or signed.signed_attribute("signing_certificate_v2") is None
        ):
            return None
        if not proven:
            return "B-B"
        from_file = all(
            r.status == "not_applicable" or (r.status == "good" and r.origin == "file")
            for r in revocation
        )
        has_dss = bool(self.dss[1] or self.dss[0].ocsps or self.dss[0].crls)
        if not (from_file and has_dss):
            return "B-T"
        archived = any(
            e > sig.revision_end and r.indication is Indication.TOTAL_PASSED and self.has_dss_at(e)
            for e, r in self.timestamps.items()
        )
        return "B-LTA" if archived else "B-LT"


def _fill_path(report: SignatureReport, path: Path, revocation: list[RevocationCheck]) -> None:
    report.chain = [CertificateInfo.of(c) for c in path.certs]
    report.trusted = path.trusted
    report.trust_anchor = CertificateInfo.of(path.anchor).display if path.anchor else None
    report.revocation = revocation
    for problem in path.problems:
        report.notes.append(problem)


def _indicate(
    integrity: Outcome,
    ess: Outcome,
    allowed: bool,
    path: Path,
    revocation: list[RevocationCheck],
    cert: x509.Certificate,
    timing: _Timing,
    usage_ok: bool,
) -> Outcome:
    """The ETSI indication: failures first, then what leaves the result open."""
    if integrity.failure in _BROKEN:
        return integrity
    if not allowed:
        return Outcome(
            "FORMAT_FAILURE",
            "Tài liệu bị sửa đổi sau khi ký theo cách không được phép.",
            "The document was changed after signing in a way that is not allowed.",
            failed=True,
        )
    leaf = revocation[0] if revocation else None
    revoked = leaf is not None and leaf.status == "revoked"
    expired = timing.moment > cert.not_valid_after_utc
    early = timing.moment < cert.not_valid_before_utc
    if timing.proven and revoked:
        return Outcome(
            "REVOKED",
            "Chứng thư số đã bị thu hồi trước thời điểm ký.",
            "The certificate was revoked before the signing time.",
            failed=True,
        )
    if timing.proven and expired:
        return Outcome(
            "EXPIRED",
            "Chứng thư số đã hết hạn trước thời điểm ký.",
            "The certificate had expired before the signing time.",
            failed=True,
        )
    if timing.proven and early:
        return Outcome(
            "NOT_YET_VALID",
            "Chứng thư số chưa có hiệu lực vào thời điểm ký.",
            "The certificate was not yet valid at the signing time.",
            failed=True,
        )
    for outcome in (integrity, ess):
        if not outcome.ok:
            return outcome
    if not path.trusted:
        return Outcome(
            "NO_CERTIFICATE_CHAIN_FOUND",
            "Chứng thư số không dẫn tới chứng thư gốc được tin cậy.",
            "The certificate does not chain to a trusted root.",
        )
    if path.problems:
        return Outcome("CHAIN_CONSTRAINTS_FAILURE", path.problems[0].vi, path.problems[0].en)
    if revoked:
        return Outcome(
            "REVOKED_NO_POE",
            "Chứng thư số đã bị thu hồi và không có bằng chứng chữ ký có trước đó.",
            "The certificate is revoked and nothing proves the signature existed before.",
        )
    if any(r.status == "revoked" for r in revocation[1:]):
        return Outcome(
            "REVOKED_CA_NO_POE",
            "Chứng thư của CA trong chuỗi đã bị thu hồi.",
            "A CA certificate in the chain is revoked.",
        )
    if expired:
        return Outcome(
            "OUT_OF_BOUNDS_NO_POE",
            "Chứng thư số đã hết hạn và không có dấu thời gian chứng minh chữ ký có trước đó.",
            "The certificate has expired and no time-stamp proves the signature came before.",
        )
    if early:
        return Outcome(
            "NOT_YET_VALID",
            "Chứng thư số chưa có hiệu lực.",
            "The certificate is not yet valid.",
        )
    if not usage_ok:
        return Outcome(
            "SIG_CONSTRAINTS_FAILURE",
            "Chứng thư số không được phép dùng cho mục đích này.",
            "The certificate may not be used for this purpose.",
        )
    if any(r.status == "unknown" for r in revocation):
        return Outcome(
            "TRY_LATER",
            "Chưa xác định được tình trạng thu hồi của chứng thư số (OCSP/CRL).",
            "The revocation status (OCSP/CRL) could not be determined.",
        )
    return Outcome(None)


def _conclude(report: SignatureReport, outcome: Outcome | None) -> SignatureReport:
    if outcome is None or outcome.ok:
        report.indication, report.sub_indication = Indication.TOTAL_PASSED, None
        return report
    report.indication = Indication.TOTAL_FAILED if outcome.failed else Indication.INDETERMINATE
    report.sub_indication = outcome.failure
    report.note(outcome.vi, outcome.en)
    return report


def validate_pdf(data: bytes, policy: Policy) -> Report:
    """The report on every signature and document time-stamp in ``data``.

    Raises :class:`signing.errors.BadPdf` when ``data`` is not a PDF that can be read.
    """
    reader = open_pdf(data)
    run = _Run(data, reader, policy)
    report = Report(hashlib.sha256(data).hexdigest(), len(data), run.now)
    signatures = find_signatures(reader, data)
    # Later document time-stamps prove what they cover existed: judge them first.
    for sig in sorted(signatures, key=lambda s: -s.revision_end):
        if sig.kind == "timestamp":
            run.timestamps[sig.revision_end] = run.timestamp(sig)
    for sig in signatures:
        if sig.kind == "timestamp":
            report.signatures.append(run.timestamps[sig.revision_end])
        else:
            report.signatures.append(run.signature(sig))
    return report
