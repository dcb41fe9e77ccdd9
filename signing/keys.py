"""Key sources: where the private key lives and how it signs.

A key source gives the signer's certificate, the chain to send along, and signs the
DER of the CMS signed attributes. Private keys never leave their source: a PKCS#12 file
decrypted in memory, a PKCS#11 token, or an official's USB token (two-step signing).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.serialization import pkcs12

from signing.errors import BadKey


class KeySource(Protocol):
    certificate: x509.Certificate
    """The signer's certificate."""
    chain: list[x509.Certificate]
    """Intermediate (and optionally root) certificates to embed."""

    def sign(self, data: bytes) -> bytes:
        """Sign ``data`` with SHA-256 (RSA PKCS#1 v1.5 or ECDSA)."""
        ...


@dataclass
class PrivateKeySource:
    """A private key held in memory (decrypted from PKCS#12)."""

    key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey
    certificate: x509.Certificate
    chain: list[x509.Certificate]

    def sign(self, data: bytes) -> bytes:
        if isinstance(self.key, rsa.RSAPrivateKey):
            return self.key.sign(data, padding.PKCS1v15(), hashes.SHA256())
        return self.key.sign(data, ec.ECDSA(hashes.SHA256()))


def load_pkcs12(data: bytes, password: str | None) -> PrivateKeySource:
    """Open a PKCS#12 file; a wrong password or a file without key and certificate is a
    :class:`BadKey` with a clear message."""
    try:
        key, cert, extra = pkcs12.load_key_and_certificates(
            data, password.encode() if password is not None else None
        )
    except (ValueError, TypeError):
        raise BadKey(
            "key.pkcs12_unreadable",
            "Không mở được tệp PKCS#12: sai mật khẩu hoặc tệp hỏng.",
            "Cannot open the PKCS#12 file: wrong password or a damaged file.",
        ) from None
    if cert is None or not isinstance(key, rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey):
        raise BadKey(
            "key.pkcs12_incomplete",
            "Tệp PKCS#12 không chứa khóa bí mật RSA/ECDSA kèm chứng thư số.",
            "The PKCS#12 file holds no RSA/ECDSA private key with its certificate.",
        )
    return PrivateKeySource(key, cert, list(extra))


def check_signature(certificate: x509.Certificate, data: bytes, signature: bytes) -> None:
    """Raise :class:`BadKey` unless ``signature`` is a SHA-256 signature of ``data`` (RSA
    PKCS#1 v1.5 or DER ECDSA) by the key of ``certificate``.

    Two-step signing gets its signature from outside; checking it before it is embedded
    turns a wrong key, a wrong algorithm or a truncated value into a clear error instead
    of a file whose signature fails for every reader.
    """
    key = certificate.public_key()
    try:
        if isinstance(key, rsa.RSAPublicKey):
            key.verify(signature, data, padding.PKCS1v15(), hashes.SHA256())
        elif isinstance(key, ec.EllipticCurvePublicKey):
            key.verify(signature, data, ec.ECDSA(hashes.SHA256()))
        else:
            raise BadKey(
                "key.unsupported_type",
                "Chứng thư số không mang khóa RSA hoặc ECDSA.",
                "The certificate holds neither an RSA nor an ECDSA key.",
            )
    except (InvalidSignature, ValueError):
        raise BadKey(
            "key.signature_mismatch",
            "Chữ ký số nhận được không phải chữ ký của khóa thuộc chứng thư số này trên dữ"
            " liệu cần ký (sai khóa, sai thuật toán hoặc chữ ký bị cắt).",
            "The signature received is not this certificate's key's signature over the"
            " data to be signed (wrong key, wrong algorithm or a truncated signature).",
        ) from None
