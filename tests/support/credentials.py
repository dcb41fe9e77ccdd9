"""PKCS#12 files for credential tests, issued by a demo CA made once per test session.

Leaf keys are EC P-256 (instant to make) unless an RSA key is asked for; validity,
key usage and the key itself can be bent to make the files an upload must refuse.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID

from ecabinet.demo.ca import DemoCA, create_demo_ca

PASSPHRASE = "Mật khẩu tệp p12 #9"  # not ASCII: the passphrase is UTF-8 end to end
PIN = "246810"
"""The signing PIN the tests give their credentials (the holder's activation data)."""

PrivateKey = rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey


@dataclass
class Issued:
    data: bytes
    """The PKCS#12 file."""
    key: PrivateKey
    certificate: x509.Certificate


@dataclass
class Issuer:
    ca: DemoCA
    key: rsa.RSAPrivateKey
    """The demo issuing CA's key."""

    def pkcs12(
        self,
        name: str,
        *,
        passphrase: str = PASSPHRASE,
        valid_from: dt.timedelta = dt.timedelta(days=-1),
        valid_for: dt.timedelta = dt.timedelta(days=365),
        use_rsa: bool = False,
        signing_usage: bool = True,
        certified_key: PrivateKey | None = None,
        subject_extra: tuple[x509.NameAttribute, ...] = (),
    ) -> Issued:
        """A PKCS#12 file for ``name``; with ``certified_key``, the certificate is that
        key's, and the file holds this key beside a certificate that is not its own;
        ``subject_extra``: more attributes of the subject (a serialNumber, a UID…)."""
        key: PrivateKey = (
            rsa.generate_private_key(public_exponent=65537, key_size=2048)
            if use_rsa
            else ec.generate_private_key(ec.SECP256R1())
        )
        start = dt.datetime.now(dt.UTC) + valid_from
        usage = x509.KeyUsage(
            digital_signature=signing_usage,
            content_commitment=signing_usage,
            key_encipherment=not signing_usage,
            data_encipherment=False,
            key_agreement=False,
            key_cert_sign=False,
            crl_sign=False,
            encipher_only=False,
            decipher_only=False,
        )
        cert = (
            x509.CertificateBuilder()
            .subject_name(
                x509.Name(
                    [
                        x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
                        x509.NameAttribute(NameOID.COMMON_NAME, name),
                        *subject_extra,
                    ]
                )
            )
            .issuer_name(self.ca.intermediate.subject)
            .public_key((certified_key or key).public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(start)
            .not_valid_after(start + valid_for)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(usage, critical=True)
            .sign(self.key, hashes.SHA256())
        )
        mismatched = certified_key is not None
        data = pkcs12.serialize_key_and_certificates(
            b"credential",
            key,
            None if mismatched else cert,
            [cert, self.ca.intermediate, self.ca.root]
            if mismatched
            else [self.ca.intermediate, self.ca.root],
            serialization.BestAvailableEncryption(passphrase.encode())
            if passphrase
            else serialization.NoEncryption(),
        )
        return Issued(data, key, cert)


_issuers: dict[str, Issuer] = {}


def issuer(tmp_path_factory: pytest.TempPathFactory, which: str = "credential-ca") -> Issuer:
    """The session's issuer (made on first use; every module that asks gets the same);
    another ``which`` is another CA, that the tests' trust folders do not hold."""
    if which not in _issuers:
        ca = create_demo_ca(tmp_path_factory.mktemp(which), [], [], "ca-pass-123")
        key = serialization.load_pem_private_key(
            (ca.keys_dir / "intermediate.key").read_bytes(), None
        )
        assert isinstance(key, rsa.RSAPrivateKey)
        _issuers[which] = Issuer(ca, key)
    return _issuers[which]
