"""A SoftHSM2 token for PKCS#11 tests (Debian's ``softhsm2``).

The token folder and ``softhsm2.conf`` live in a temporary folder, and ``SOFTHSM2_CONF``
points at it before the module is first initialised: python-pkcs11 initialises a module
once per process, so there is one SoftHSM configuration per test session, made here.

The token holds two keys:

- ``leader`` (id 01): the demo leader's RSA key and certificate, imported from PKCS#12;
- ``device`` (id 02): an EC P-256 key generated inside the token (sensitive, never
  extractable), whose certificate the demo CA's issuing key signs here and which is
  *not* stored on the token (callers pass it, as with an official's USB token).
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pkcs11
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import NameOID
from pkcs11 import Attribute, KeyType, ObjectClass
from pkcs11.util.ec import encode_named_curve_parameters

from ecabinet.demo.ca import DemoCA
from signing.keys import load_pkcs12

MODULE = Path("/usr/lib/softhsm/libsofthsm2.so")
TOKEN = "eCabinet test token"
PIN = "2468-user"
SO_PIN = "1357-officer"
LEADER = "leader"
LEADER_ID = b"\x01"
DEVICE = "device"
DEVICE_ID = b"\x02"


@dataclass(frozen=True)
class SoftHsm:
    module: Path
    conf: Path
    token: str
    pin: str
    device_certificate: x509.Certificate
    """Certificate of the key generated on the token (not stored on the token)."""
    chain: list[x509.Certificate]
    """The demo issuing CA and root."""


_made: SoftHsm | None = None


def make_softhsm(tmp_path_factory: pytest.TempPathFactory, ca: DemoCA, password: str) -> SoftHsm:
    """Make the token and initialise the module, once per process; later calls (from
    other modules' fixtures) get the same token."""
    global _made
    if _made is not None:
        return _made
    if shutil.which("softhsm2-util") is None or not MODULE.exists():
        pytest.fail("softhsm2 is missing: `make test` installs it (APT_TEST)")
    if str(MODULE) in pkcs11._loaded:
        pytest.fail("SoftHSM was initialised before its test configuration was written")
    folder = tmp_path_factory.mktemp("softhsm")
    conf = folder / "softhsm2.conf"
    (folder / "tokens").mkdir()
    conf.write_text(
        f"directories.tokendir = {folder / 'tokens'}\n"
        "objectstore.backend = file\nlog.level = ERROR\nslots.removable = false\n"
    )
    env = {**os.environ, "SOFTHSM2_CONF": str(conf)}
    _util(env, "--init-token", "--free", "--label", TOKEN, "--so-pin", SO_PIN, "--pin", PIN)
    leader = load_pkcs12(ca.people["leader"].read_bytes(), password)
    key_file = folder / "leader.key"
    key_file.write_bytes(
        leader.key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    _util(env, "--import", str(key_file), "--token", TOKEN, "--label", LEADER,
          "--id", LEADER_ID.hex(), "--pin", PIN)  # fmt: skip
    key_file.unlink()
    # Read by C_Initialize below, once for the process; left set, since the module keeps
    # this configuration until the process ends.
    os.environ["SOFTHSM2_CONF"] = str(conf)
    lib = pkcs11.lib(str(MODULE))
    with lib.get_token(token_label=TOKEN).open(rw=True, user_pin=PIN) as session:
        session.create_object(
            {
                Attribute.CLASS: ObjectClass.CERTIFICATE,
                Attribute.CERTIFICATE_TYPE: pkcs11.CertificateType.X_509,
                Attribute.TOKEN: True,
                Attribute.LABEL: LEADER,
                Attribute.ID: LEADER_ID,
                Attribute.SUBJECT: leader.certificate.subject.public_bytes(),
                Attribute.VALUE: leader.certificate.public_bytes(serialization.Encoding.DER),
            }
        )
        public_point = _generate_device_key(session)
    _made = SoftHsm(MODULE, conf, TOKEN, PIN, _issue(ca, public_point), [ca.intermediate, ca.root])
    return _made


def _util(env: dict[str, str], *args: str) -> None:
    result = subprocess.run(
        ["softhsm2-util", *args], env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stdout + result.stderr


def _generate_device_key(session: pkcs11.Session) -> bytes:
    """An EC P-256 key pair made by the token; the private half can never be read out."""
    params = session.create_domain_parameters(
        KeyType.EC, {Attribute.EC_PARAMS: encode_named_curve_parameters("secp256r1")}, local=True
    )
    public, private = params.generate_keypair(
        id=DEVICE_ID,
        label=DEVICE,
        store=True,
        private_template={
            Attribute.SENSITIVE: True,
            Attribute.EXTRACTABLE: False,
            Attribute.SIGN: True,
        },
    )
    assert private[Attribute.NEVER_EXTRACTABLE] and private[Attribute.SENSITIVE]
    with pytest.raises(pkcs11.exceptions.AttributeSensitive):
        private[Attribute.VALUE]
    # EC_POINT is a DER OCTET STRING around the uncompressed point.
    raw = bytes(public[Attribute.EC_POINT])
    assert raw[0] == 0x04 and raw[1] == len(raw) - 2
    return raw[2:]


def _issue(ca: DemoCA, point: bytes) -> x509.Certificate:
    """A signer certificate for the token's public key, from the demo issuing CA."""
    issuing_key = serialization.load_pem_private_key(
        (ca.keys_dir / "intermediate.key").read_bytes(), None
    )
    assert isinstance(issuing_key, rsa.RSAPrivateKey)
    public = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), point)
    now = dt.datetime.now(dt.UTC)
    subject = x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Ủy ban nhân dân tỉnh Thử Nghiệm"),
            # The tests' leader (tests.factories): a token certificate names its official.
            x509.NameAttribute(NameOID.COMMON_NAME, "Nguyễn Văn Lãnh"),
        ]
    )
    usage = x509.KeyUsage(
        digital_signature=True,
        content_commitment=True,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=False,
        crl_sign=False,
        encipher_only=False,
        decipher_only=False,
    )
    return (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(ca.intermediate.subject)
        .public_key(public)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=365))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(usage, critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(issuing_key.public_key()),
            critical=False,
        )
        .sign(issuing_key, hashes.SHA256())
    )
