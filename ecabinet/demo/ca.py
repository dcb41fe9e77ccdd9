"""A demo certificate authority: root, issuing CA, officials' and agency-seal certificates.

Trusted only in demo mode (see :mod:`ecabinet.core.trust`). Pure functions on a folder:
no database, no web.

Layout of the folder::

    README.txt                 demo CA, never to be trusted in production (vi + en)
    root.pem                   "eCabinet Demo Root CA (KHÔNG DÙNG THẬT / NOT FOR REAL USE)"
    intermediate.pem           "eCabinet Demo Issuing CA"
    ca-keys/root.key           CA private keys, PKCS#8 PEM, 0600 (folder 0700)
    ca-keys/intermediate.key
    people/<username>.p12      official's key + certificate + chain, encrypted with the password
    people/<username>.pem      official's certificate
    seals/<agency code>.p12    agency seal key + certificate + chain
    seals/<agency code>.pem

Idempotent: an existing CA is loaded and reused, and only missing certificates are issued.
A certificate is issued again (with a new key) only when it no longer fits: its issuer
changed, it expires within :data:`RENEW_BEFORE`, or its subject differs from the person's
or agency's current data. The PEM files are what is compared: a run with another password
reuses the existing PKCS#12 files (still under the old password) unless their PEM files
are deleted; delete the folder to start afresh.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

ROOT_NAME = "eCabinet Demo Root CA (KHÔNG DÙNG THẬT / NOT FOR REAL USE)"
ISSUING_NAME = "eCabinet Demo Issuing CA"
ORGANIZATION = "eCabinet Demo"
ROOT_KEY_BITS = 3072
KEY_BITS = 2048
ROOT_DAYS = 10 * 365
ISSUING_DAYS = 5 * 365
LEAF_DAYS = 3 * 365
BACKDATE = dt.timedelta(days=1)
"""Certificates start one day in the past, so clocks a little behind still accept them."""
RENEW_BEFORE = dt.timedelta(days=30)

README = """eCabinet — TỔ CHỨC CHỨNG THỰC THỬ NGHIỆM (CA DEMO)

Thư mục này chứa tổ chức chứng thực thử nghiệm của bản trình diễn eCabinet: chứng thư gốc
(root.pem), chứng thư CA trung gian (intermediate.pem), khóa bí mật của CA (ca-keys/) và
tệp PKCS#12 của cán bộ (people/) và của cơ quan (seals/).

KHÔNG BAO GIỜ tin cậy các chứng thư này trong môi trường thật. Chữ ký số tạo bằng các khóa
này không có giá trị pháp lý. eCabinet chỉ tin cậy CA này khi bật ECABINET_DEMO_MODE.
Chứng thư chữ ký số thật do Ban Cơ yếu Chính phủ cấp (Nghị định 68/2024/NĐ-CP).

eCabinet — DEMO CERTIFICATE AUTHORITY

This folder holds the demo certificate authority of eCabinet: the root certificate
(root.pem), the issuing CA (intermediate.pem), the CA private keys (ca-keys/) and the
PKCS#12 files of officials (people/) and agencies (seals/).

NEVER trust these certificates in production. Signatures made with these keys have no
legal value. eCabinet trusts this CA only when ECABINET_DEMO_MODE is on.
"""


@dataclass(frozen=True)
class DemoAgency:
    code: str
    """Agency code (mã định danh), e.g. ``000.00.00.H01``; also the seal file name."""
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
    """The demo CA in ``folder``: paths and loaded certificates."""

    folder: Path
    root: x509.Certificate
    intermediate: x509.Certificate
    people: dict[str, Path] = field(default_factory=dict)
    """username → PKCS#12 file (key, certificate, chain)."""
    seals: dict[str, Path] = field(default_factory=dict)
    """agency code → PKCS#12 file (key, certificate, chain)."""
    people_certs: dict[str, x509.Certificate] = field(default_factory=dict)
    """username → signer certificate."""
    seal_certs: dict[str, x509.Certificate] = field(default_factory=dict)
    """agency code → seal certificate."""

    @property
    def root_path(self) -> Path:
        return self.folder / "root.pem"

    @property
    def intermediate_path(self) -> Path:
        return self.folder / "intermediate.pem"

    @property
    def keys_dir(self) -> Path:
        return self.folder / "ca-keys"

    @property
    def readme_path(self) -> Path:
        return self.folder / "README.txt"

    def trust_anchor_pems(self) -> list[bytes]:
        """The PEM of the root: the only certificate a validator should trust."""
        return [self.root.public_bytes(serialization.Encoding.PEM)]

    def chain_pems(self) -> list[bytes]:
        """Issuing CA then root, as PEM: what a signer sends along with its certificate."""
        return [c.public_bytes(serialization.Encoding.PEM) for c in (self.intermediate, self.root)]


def create_demo_ca(
    folder: Path, agencies: list[DemoAgency], people: list[DemoPerson], password: str
) -> DemoCA:
    """Create the demo CA in ``folder``, or load it and issue only what is missing."""
    if not password:
        raise ValueError("the demo CA needs a password for its PKCS#12 files")
    folder.mkdir(parents=True, exist_ok=True)
    readme = folder / "README.txt"
    if not readme.exists() or readme.read_text(encoding="utf-8") != README:
        readme.write_text(README, encoding="utf-8")
    now = _now()
    root_key, root = _ca(folder, "root", _ca_name(ROOT_NAME), None, None, now)
    issuing_key, issuing = _ca(folder, "intermediate", _ca_name(ISSUING_NAME), root_key, root, now)
    ca = DemoCA(folder, root, issuing)
    issuer = _Issuer(issuing_key, issuing, root, password, now)
    for person in people:
        subject = x509.Name(
            [
                x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
                x509.NameAttribute(NameOID.ORGANIZATION_NAME, person.agency_name),
                x509.NameAttribute(NameOID.TITLE, person.title),
                x509.NameAttribute(NameOID.COMMON_NAME, person.full_name),
                x509.NameAttribute(NameOID.EMAIL_ADDRESS, person.email),
            ]
        )
        p12, cert = issuer.leaf(folder / "people", _safe(person.username), subject, person.email)
        ca.people[person.username], ca.people_certs[person.username] = p12, cert
    for agency in agencies:
        subject = x509.Name(
            [
                x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
                x509.NameAttribute(NameOID.ORGANIZATION_NAME, agency.name),
                x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, agency.code),
                x509.NameAttribute(NameOID.COMMON_NAME, agency.name),
            ]
        )
        p12, cert = issuer.leaf(folder / "seals", _safe(agency.code), subject, None)
        ca.seals[agency.code], ca.seal_certs[agency.code] = p12, cert
    return ca


def _safe(name: str) -> str:
    """A file name from a user name or agency code (both ASCII in practice)."""
    safe = re.sub(r"[^A-Za-z0-9._-]", "_", name)
    if safe.strip(".") == "":
        raise ValueError(f"{name!r} cannot name a file")
    return safe


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


def _ca_name(common_name: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, ORGANIZATION),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )


def _write_private(path: Path, data: bytes) -> None:
    """Write ``data`` readable by the owner only (0600), in a 0700 folder."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(data)
    os.chmod(tmp, 0o600)  # O_CREAT's mode does not apply to a file that already existed
    os.replace(tmp, path)


def _write_public(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)


def _pem(cert: x509.Certificate) -> bytes:
    return cert.public_bytes(serialization.Encoding.PEM)


def _issued_by(cert: x509.Certificate, issuer: x509.Certificate) -> bool:
    try:
        cert.verify_directly_issued_by(issuer)
    except (ValueError, TypeError, InvalidSignature):
        return False
    return True


def _still_good(cert: x509.Certificate, now: dt.datetime) -> bool:
    return cert.not_valid_before_utc <= now and cert.not_valid_after_utc - RENEW_BEFORE > now


def _ca(
    folder: Path,
    name: str,
    subject: x509.Name,
    issuer_key: rsa.RSAPrivateKey | None,
    issuer: x509.Certificate | None,
    now: dt.datetime,
) -> tuple[rsa.RSAPrivateKey, x509.Certificate]:
    """Load the CA ``name`` if it is still good, or make it (a root when ``issuer`` is None)."""
    key_path, cert_path = folder / "ca-keys" / f"{name}.key", folder / f"{name}.pem"
    if key_path.exists() and cert_path.exists():
        key = serialization.load_pem_private_key(key_path.read_bytes(), None)
        cert = x509.load_pem_x509_certificate(cert_path.read_bytes())
        if (
            isinstance(key, rsa.RSAPrivateKey)
            and cert.public_key() == key.public_key()
            and _issued_by(cert, issuer or cert)
            and _still_good(cert, now)
        ):
            return key, cert
    key = rsa.generate_private_key(
        public_exponent=65537, key_size=ROOT_KEY_BITS if issuer is None else KEY_BITS
    )
    not_after = now + dt.timedelta(days=ROOT_DAYS if issuer is None else ISSUING_DAYS)
    if issuer is not None:
        not_after = min(not_after, issuer.not_valid_after_utc)
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer.subject if issuer else subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - BACKDATE)
        .not_valid_after(not_after)
        .add_extension(
            x509.BasicConstraints(ca=True, path_length=None if issuer is None else 0),
            critical=True,
        )
        .add_extension(_key_usage(cert_sign=True), critical=True)
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
    _write_public(cert_path, _pem(cert))
    return key, cert


def _key_usage(*, cert_sign: bool) -> x509.KeyUsage:
    """CA: keyCertSign + cRLSign. Signer and seal: digitalSignature + nonRepudiation."""
    return x509.KeyUsage(
        digital_signature=not cert_sign,
        content_commitment=not cert_sign,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=cert_sign,
        crl_sign=cert_sign,
        encipher_only=False,
        decipher_only=False,
    )


@dataclass
class _Issuer:
    key: rsa.RSAPrivateKey
    cert: x509.Certificate
    root: x509.Certificate
    password: str
    now: dt.datetime

    def leaf(
        self, folder: Path, name: str, subject: x509.Name, email: str | None
    ) -> tuple[Path, x509.Certificate]:
        """The PKCS#12 file and certificate ``name`` in ``folder``; issued if missing or stale."""
        p12_path, pem_path = folder / f"{name}.p12", folder / f"{name}.pem"
        existing = self._existing(p12_path, pem_path, subject)
        if existing is not None:
            return p12_path, existing
        key = rsa.generate_private_key(public_exponent=65537, key_size=KEY_BITS)
        builder = (
            x509.CertificateBuilder()
            .subject_name(subject)
            .issuer_name(self.cert.subject)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(self.now - BACKDATE)
            .not_valid_after(
                min(self.now + dt.timedelta(days=LEAF_DAYS), self.cert.not_valid_after_utc)
            )
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(_key_usage(cert_sign=False), critical=True)
            .add_extension(
                x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION]), critical=False
            )
            .add_extension(
                x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False
            )
            .add_extension(
                x509.AuthorityKeyIdentifier.from_issuer_public_key(self.key.public_key()),
                critical=False,
            )
        )
        if email:
            builder = builder.add_extension(
                x509.SubjectAlternativeName([x509.RFC822Name(email)]), critical=False
            )
        cert = builder.sign(self.key, hashes.SHA256())
        data = pkcs12.serialize_key_and_certificates(
            name.encode(),
            key,
            cert,
            [self.cert, self.root],
            serialization.BestAvailableEncryption(self.password.encode()),
        )
        _write_private(p12_path, data)
        _write_public(pem_path, _pem(cert))
        return p12_path, cert

    def _existing(
        self, p12_path: Path, pem_path: Path, subject: x509.Name
    ) -> x509.Certificate | None:
        """The certificate already issued as ``p12_path``, if it is still right for this CA.

        The PEM beside the PKCS#12 file is read first, so that a second run decrypts
        nothing (PBKDF2 makes each PKCS#12 file cost tens of milliseconds); when the PEM
        is missing, the PKCS#12 file is opened with the password and the PEM rewritten.
        """
        if not p12_path.exists():
            return None
        if pem_path.exists():
            issued = x509.load_pem_x509_certificate(pem_path.read_bytes())
            return issued if self._fits(issued, subject) else None
        try:
            key, cert, _ = pkcs12.load_key_and_certificates(
                p12_path.read_bytes(), self.password.encode()
            )
        except ValueError:  # another password, or a damaged file: issue a new one
            return None
        if key is None or cert is None or cert.public_key() != key.public_key():
            return None
        if not self._fits(cert, subject):
            return None
        _write_public(pem_path, _pem(cert))
        return cert

    def _fits(self, cert: x509.Certificate, subject: x509.Name) -> bool:
        return (
            cert.subject == subject and _issued_by(cert, self.cert) and _still_good(cert, self.now)
        )
