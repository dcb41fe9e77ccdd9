"""Reading what an admin uploads to register a credential: a PKCS#12 file (base64, with
its passphrase) or PEM certificates. Untrusted input: every problem is a bilingual 422."""

from __future__ import annotations

import base64
import binascii

from asn1crypto import pkcs12 as asn1_pkcs12
from cryptography import x509

from ecabinet.core import errors
from signing.errors import BadKey
from signing.keys import PrivateKeySource, load_pkcs12


def decode_pkcs12(text: str) -> bytes:
    """Base64 (standard alphabet, line breaks allowed) to bytes; a bilingual 422 if not."""
    try:
        data = base64.b64decode("".join(text.split()), validate=True)
    except (binascii.Error, ValueError):
        raise errors.InvalidInput(
            "credential.bad_base64",
            "Tệp PKCS#12 gửi lên không phải chuỗi base64 hợp lệ.",
            "The PKCS#12 file is not valid base64.",
        ) from None
    if not data:
        raise _not_pkcs12()
    return data


def _not_pkcs12() -> errors.InvalidInput:
    return errors.InvalidInput(
        "credential.not_pkcs12",
        "Tệp gửi lên không phải tệp PKCS#12 (.p12, .pfx).",
        "The file is not a PKCS#12 file (.p12, .pfx).",
    )


def open_pkcs12(data: bytes, passphrase: str) -> PrivateKeySource:
    try:
        asn1_pkcs12.Pfx.load(data, strict=True).native  # noqa: B018 - parses it all
    except (ValueError, TypeError, KeyError):
        raise _not_pkcs12() from None
    try:
        return load_pkcs12(data, passphrase)
    except BadKey as exc:
        if exc.code == "key.pkcs12_incomplete":
            raise errors.InvalidInput(
                "credential.pkcs12_incomplete",
                "Tệp PKCS#12 không chứa khóa bí mật RSA/ECDSA kèm chứng thư số của nó.",
                "The PKCS#12 file holds no RSA/ECDSA private key with its certificate.",
            ) from None
        if passphrase == "":
            return _open_pkcs12_without_password(data)
        raise _wrong_passphrase() from None


def _open_pkcs12_without_password(data: bytes) -> PrivateKeySource:
    try:
        return load_pkcs12(data, None)
    except BadKey:
        raise _wrong_passphrase() from None


def _wrong_passphrase() -> errors.InvalidInput:
    return errors.InvalidInput(
        "credential.wrong_passphrase",
        "Sai mật khẩu của tệp PKCS#12.",
        "Wrong passphrase for the PKCS#12 file.",
    )


def read_pem(text: str, what: str) -> list[x509.Certificate]:
    try:
        return x509.load_pem_x509_certificates(text.encode())
    except ValueError:
        raise errors.InvalidInput(
            "credential.bad_pem",
            "Chứng thư số gửi lên không phải PEM hợp lệ"
            + (" (chuỗi chứng thư)." if what == "chain" else "."),
            f"The {what} is not valid PEM.",
            {"field": f"{what}_pem"},
        ) from None
