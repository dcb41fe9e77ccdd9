"""Integrity of a CMS signature: the message digest over the signed data, the signature
value over the signed attributes, the signing certificate's identity (ESS), and the
same for RFC 3161 time-stamp tokens."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from cryptography import x509
from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, ed448, ed25519, padding, rsa
from cryptography.hazmat.primitives.serialization import Encoding

from signing.embedded import SignedData

HASHES: dict[str, type[hashes.HashAlgorithm]] = {
    "sha1": hashes.SHA1,
    "sha224": hashes.SHA224,
    "sha256": hashes.SHA256,
    "sha384": hashes.SHA384,
    "sha512": hashes.SHA512,
    "sha3_256": hashes.SHA3_256,
    "sha3_384": hashes.SHA3_384,
    "sha3_512": hashes.SHA3_512,
}
WEAK = frozenset({"sha1", "md5", "md2"})


@dataclass(frozen=True)
class Outcome:
    """The result of a check: ``ok``, or the ETSI sub-indication it fails with."""

    failure: str | None
    vi: str = ""
    en: str = ""
    failed: bool = False
    """TOTAL-FAILED (proven wrong) rather than INDETERMINATE (not proven right)."""

    @property
    def ok(self) -> bool:
        return self.failure is None


OK = Outcome(None)


def digest(algorithm: str, parts: Iterable[bytes | memoryview]) -> bytes | None:
    """The digest of ``parts`` with the named algorithm; None if it is unknown."""
    if algorithm not in HASHES and algorithm != "md5":
        return None
    state = hashlib.new(algorithm)
    for part in parts:
        state.update(part)
    return state.digest()


def _verify(key: object, signature: bytes, data: bytes, algo: str, sig_algo: object) -> bool:
    hash_cls = HASHES.get(algo)
    try:
        if isinstance(key, rsa.RSAPublicKey) and hash_cls is not None:
            if getattr(sig_algo, "signature_algo", None) == "rsassa_pss":
                params = sig_algo["parameters"]  # type: ignore[index]
                mgf_hash = HASHES.get(
                    params["mask_gen_algorithm"]["parameters"]["algorithm"].native
                )
                if mgf_hash is None:
                    return False
                key.verify(
                    signature,
                    data,
                    padding.PSS(padding.MGF1(mgf_hash()), params["salt_length"].native),
                    hash_cls(),
                )
            else:
                key.verify(signature, data, padding.PKCS1v15(), hash_cls())
        elif isinstance(key, ec.EllipticCurvePublicKey) and hash_cls is not None:
            key.verify(signature, data, ec.ECDSA(hash_cls()))
        elif isinstance(key, ed25519.Ed25519PublicKey | ed448.Ed448PublicKey):
            key.verify(signature, data)
        else:
            return False
    except (InvalidSignature, ValueError, TypeError, KeyError, UnsupportedAlgorithm):
        return False
    return True


def check_signed_data(signed: SignedData, data_digest_of: dict[str, bytes | None]) -> Outcome:
    """Check the message digest (``data_digest_of[algorithm]``, computed by the caller
    over the signed bytes) and the signature value over the signed attributes."""
    info = signed.signer_info
    try:
        algo = info["digest_algorithm"]["algorithm"].native
        attrs = info["signed_attrs"]
        if not len(attrs):
            return Outcome(
                "FORMAT_FAILURE",
                "Chữ ký không có thuộc tính được ký (không theo CAdES).",
                "The signature has no signed attributes (not CAdES).",
                failed=True,
            )
        claimed = signed.signed_attribute("message_digest")
        if claimed is None:
            return Outcome(
                "FORMAT_FAILURE",
                "Chữ ký thiếu giá trị băm của dữ liệu.",
                "The signature carries no message digest.",
                failed=True,
            )
        actual = data_digest_of.get(algo)
        if actual is None:
            return Outcome(
                "CRYPTO_CONSTRAINTS_FAILURE",
                f"Thuật toán băm {algo} không được hỗ trợ.",
                f"The digest algorithm {algo} is not supported.",
            )
        if claimed.native != actual:
            return Outcome(
                "HASH_FAILURE",
                "Dữ liệu đã bị thay đổi sau khi ký (giá trị băm không khớp).",
                "The data changed after signing (the digest does not match).",
                failed=True,
            )
        cert = signed.signer_certificate
        if cert is None:
            return Outcome(
                "NO_SIGNING_CERTIFICATE_FOUND",
                "Không tìm thấy chứng thư số của người ký trong chữ ký.",
                "The signer's certificate is not in the signature.",
            )
        to_check = b"\x31" + attrs.dump()[1:]  # the attributes as the SET that was signed
        sig_algo = info["signature_algorithm"]
        if not _verify(cert.public_key(), info["signature"].native, to_check, algo, sig_algo):
            return Outcome(
                "SIG_CRYPTO_FAILURE",
                "Giá trị chữ ký không khớp với chứng thư số của người ký.",
                "The signature value does not match the signer's certificate.",
                failed=True,
            )
    except (ValueError, TypeError, KeyError, AttributeError):
        return Outcome(
            "FORMAT_FAILURE",
            "Cấu trúc chữ ký (CMS) không đọc được.",
            "The signature's CMS structure cannot be read.",
            failed=True,
        )
    if algo in WEAK:
        return Outcome(
            "CRYPTO_CONSTRAINTS_FAILURE",
            f"Thuật toán băm {algo} không còn an toàn.",
            f"The digest algorithm {algo} is no longer secure.",
        )
    return OK


def check_ess(signed: SignedData) -> Outcome:
    """The ESS signing-certificate(-v2) attribute, when present, names the signer's
    certificate (so it cannot be swapped for another with the same key)."""
    cert = signed.signer_certificate
    attr = signed.signed_attribute("signing_certificate_v2")
    v1 = signed.signed_attribute("signing_certificate")
    if cert is None or (attr is None and v1 is None):
        return OK
    der = cert.public_bytes(Encoding.DER)
    try:
        if attr is not None:
            first = attr["certs"][0]
            algo = first["hash_algorithm"]["algorithm"].native
            expected = digest(algo, [der])
        else:
            first = v1["certs"][0]  # type: ignore[index]
            expected = hashlib.sha1(der).digest()  # noqa: S324 (ESS v1 is defined with SHA-1)
        if first["cert_hash"].native == expected:
            return OK
    except (ValueError, TypeError, KeyError, IndexError):
        pass
    return Outcome(
        "NO_SIGNING_CERTIFICATE_FOUND",
        "Thuộc tính signing-certificate không khớp với chứng thư của người ký.",
        "The signing-certificate attribute does not match the signer's certificate.",
    )


@dataclass(frozen=True)
class TokenCheck:
    outcome: Outcome
    time: dt.datetime | None
    tsa: x509.Certificate | None


def check_token(token: SignedData, imprinted: Iterable[bytes | memoryview]) -> TokenCheck:
    """An RFC 3161 token over ``imprinted`` (the signature value, or the byte ranges
    of a document time-stamp): imprint, then the token's own CMS signature."""
    parts = list(imprinted)
    try:
        info = token.tst_info
        imprint = info["message_imprint"]
        algo = imprint["hash_algorithm"]["algorithm"].native
        gen_time = info["gen_time"].native
        if digest(algo, parts) != imprint["hashed_message"].native:
            return TokenCheck(
                Outcome(
                    "HASH_FAILURE",
                    "Dấu thời gian không khớp với dữ liệu được đóng dấu.",
                    "The time-stamp does not match the data it stamps.",
                    failed=True,
                ),
                gen_time,
                token.signer_certificate,
            )
        econtent = token.content["encap_content_info"]["content"].contents
        token_algo = token.signer_info["digest_algorithm"]["algorithm"].native
        outcome = check_signed_data(token, {token_algo: digest(token_algo, [econtent])})
    except (ValueError, TypeError, KeyError, AttributeError):
        return TokenCheck(
            Outcome(
                "FORMAT_FAILURE",
                "Dấu thời gian không đọc được.",
                "The time-stamp token cannot be read.",
                failed=True,
            ),
            None,
            None,
        )
    return TokenCheck(outcome, gen_time, token.signer_certificate)


def check_stamp(
    token: bytes, data: bytes, anchors: Sequence[x509.Certificate] | None = None
) -> tuple[dt.datetime, str]:
    """A detached RFC 3161 token (DER ContentInfo) over ``data``: its time and the TSA's
    subject; ``ValueError`` saying why when the token does not stamp ``data``, is not
    signed by the certificate it carries, or that certificate is not for time-stamping.

    With ``anchors`` (the roots the caller trusts for time-stamping), the TSA's
    certificate must also chain to one of them through the certificates the token
    carries, every link valid at the stamped time (revocation is not checked here). With
    ``None``, whether that TSA is trusted is the caller's policy: the subject is returned."""
    from signing.embedded import read_signed_data
    from signing.validation.chain import build_path, check_path, usable_for_timestamping

    signed = read_signed_data(token)
    if signed is None:
        raise ValueError("not a time-stamp token")
    result = check_token(signed, [data])
    if not result.outcome.ok or result.time is None:
        raise ValueError(result.outcome.en or "the time-stamp does not verify")
    if result.tsa is None or not usable_for_timestamping(result.tsa):
        raise ValueError("the token's certificate is not a time-stamping certificate")
    subject = result.tsa.subject.rfc4514_string()
    if anchors is not None:
        path = build_path(result.tsa, signed.certificates, anchors)
        if not path.trusted:
            raise ValueError(f"the TSA {subject} does not chain to a trusted time-stamping root")
        check_path(path, result.time)
        if not result.tsa.not_valid_before_utc <= result.time <= result.tsa.not_valid_after_utc:
            raise ValueError(f"the TSA certificate of {subject} was not valid at the stamped time")
        if path.problems:
            raise ValueError(f"the TSA {subject}'s chain is broken: {path.problems[0].en}")
    return result.time, subject
