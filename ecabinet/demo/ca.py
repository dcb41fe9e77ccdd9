"""A demo certificate authority: root, issuing CA, officials' and agency-seal certificates.

Trusted only in demo mode. Idempotent: an existing CA in the folder is reused and only
missing certificates are issued. Private keys of the CA stay in ``ca-keys/`` (0600);
each official and agency gets a PKCS#12 file protected by the demo password.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

KEY_BITS = 2048
README = """eCabinet — CA DEMO / DEMO CA

Đây là tổ chức chứng thực thử nghiệm của bản trình diễn eCabinet. KHÔNG được tin cậy
chứng thư của CA này trong môi trường thật.

This is the demo certificate authority of eCabinet. NEVER trust its certificates in
production: the app trusts it only when ECABINET_DEMO_MODE is on.
"""


@dataclass(frozen=True)
class DemoAgency:
    code: str
    name: str
    abbreviation: str


@dataclass(frozen=True)
class DemoPerson:
    username: str
    full_name: str
    title: str
    agency_name: str
    email: str


@dataclass
class DemoCA:
    folder: Path
    root: x509.Certificate
    intermediate: x509.Certificate
    people: dict[str, Path] = field(default_factory=dict)
    """username → PKCS#12 file"""
    seals: dict[str, Path] = field(default_factory=dict)
    """agency code → PKCS#12 file"""

    def trust_anchor_pems(self) -> list[bytes]:
        return [self.root.public_bytes(serialization.Encoding.PEM)]


def create_demo_ca(
    folder: Path, agencies: list[DemoAgency], people: list[DemoPerson], password: str
) -> DemoCA:
    """Create (or complete) the demo CA in ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "README.txt").write_text(README, encoding="utf-8")
    root_key, root = _ca(folder, "root", None, None)
    inter_key, inter = _ca(folder, "intermediate", root_key, root)
    ca = DemoCA(folder, root, inter)
    for person in people:
        subject = [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, person.agency_name),
            x509.NameAttribute(NameOID.TITLE, person.title),
            x509.NameAttribute(NameOID.COMMON_NAME, person.full_name),
        ]
        ca.people[person.username] = _leaf(
            folder / "people",
            person.username,
            subject,
            person.email,
            inter_key,
            inter,
            root,
            password,
        )
    for agency in agencies:
        subject = [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, agency.name),
            x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, agency.code),
            x509.NameAttribute(NameOID.COMMON_NAME, agency.name),
        ]
        ca.seals[agency.code] = _leaf(
            folder / "seals", _safe(agency.code), subject, None, inter_key, inter, root, password
        )
    return ca


def _safe(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]", "_", name)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


def _write_private(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(data)


def _ca(
    folder: Path, name: str, issuer_key: rsa.RSAPrivateKey | None, issuer: x509.Certificate | None
) -> tuple[rsa.RSAPrivateKey, x509.Certificate]:
    key_path, cert_path = folder / "ca-keys" / f"{name}.key", folder / f"{name}.pem"
    if key_path.exists() and cert_path.exists():
        key = serialization.load_pem_private_key(key_path.read_bytes(), None)
        assert isinstance(key, rsa.RSAPrivateKey)
        return key, x509.load_pem_x509_certificate(cert_path.read_bytes())
    key = rsa.generate_private_key(public_exponent=65537, key_size=3072 if not issuer else KEY_BITS)
    label = "Root CA" if issuer is None else "Issuing CA"
    subject = x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "eCabinet Demo"),
            x509.NameAttribute(NameOID.COMMON_NAME, f"eCabinet Demo {label} - KHÔNG DÙNG THẬT"),
        ]
    )
    now = _now()
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer.subject if issuer else subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=3650 if issuer is None else 1825))
        .add_extension(
            x509.BasicConstraints(ca=True, path_length=None if issuer is None else 0), critical=True
        )
        .add_extension(
            x509.KeyUsage(
                digital_signature=False,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
    )
    if issuer is not None and issuer_key is not None:
        builder = builder.add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_key.public_key()),
            critical=False,
        )
    cert = builder.sign(issuer_key or key, hashes.SHA256())
    _write_private(
        key_path,
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ),
    )
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return key, cert


def _leaf(
    folder: Path,
    name: str,
    subject: list[x509.NameAttribute[str]],
    email: str | None,
    issuer_key: rsa.RSAPrivateKey,
    issuer: x509.Certificate,
    root: x509.Certificate,
    password: str,
) -> Path:
    p12_path = folder / f"{name}.p12"
    if p12_path.exists():
        return p12_path
    key = rsa.generate_private_key(public_exponent=65537, key_size=KEY_BITS)
    now = _now()
    builder = (
        x509.CertificateBuilder()
        .subject_name(x509.Name(subject))
        .issuer_name(issuer.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=3 * 365))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(
            x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION]), critical=False
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_key.public_key()),
            critical=False,
        )
    )
    if email:
        builder = builder.add_extension(
            x509.SubjectAlternativeName([x509.RFC822Name(email)]), critical=False
        )
    cert = builder.sign(issuer_key, hashes.SHA256())
    folder.mkdir(parents=True, exist_ok=True)
    data = pkcs12.serialize_key_and_certificates(
        name.encode(),
        key,
        cert,
        [issuer, root],
        serialization.BestAvailableEncryption(password.encode()),
    )
    _write_private(p12_path, data)
    (folder / f"{name}.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return p12_path
