"""The demo CA: chain, extensions, PKCS#12 files, permissions and idempotency."""

from __future__ import annotations

import datetime as dt
import shutil
import stat
from dataclasses import replace
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import Encoding, pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from ecabinet.demo.ca import ROOT_NAME, DemoAgency, DemoCA, DemoPerson, create_demo_ca

PASSWORD = "demo-password-1"
CHU_TICH = DemoPerson(
    "chutich",
    "Nguyễn Thanh Bình",
    "Chủ tịch Ủy ban nhân dân tỉnh",
    "Ủy ban nhân dân tỉnh An Giang",
    "chutich@example.vn",
)
PEOPLE = [
    CHU_TICH,
    DemoPerson(
        "vanthu", "Lê Văn Hùng", "Văn thư", "Ủy ban nhân dân tỉnh An Giang", "vanthu@example.vn"
    ),
]
AGENCIES = [DemoAgency("000.00.00.H01", "Ủy ban nhân dân tỉnh An Giang", "UBND")]
SEAL = AGENCIES[0].code


@pytest.fixture(scope="module")
def ca(tmp_path_factory: pytest.TempPathFactory) -> DemoCA:
    return create_demo_ca(tmp_path_factory.mktemp("ca") / "demo-ca", AGENCIES, PEOPLE, PASSWORD)


@pytest.fixture
def ca_copy(ca: DemoCA, tmp_path: Path) -> Path:
    """A copy of the module's CA folder, for tests that change it."""
    return Path(shutil.copytree(ca.folder, tmp_path / "copy"))


def _load(
    path: Path, password: str | None = PASSWORD
) -> tuple[object, x509.Certificate, list[x509.Certificate]]:
    key, cert, extra = pkcs12.load_key_and_certificates(
        path.read_bytes(), password.encode() if password is not None else None
    )
    assert key is not None and cert is not None
    return key, cert, extra


def _serials(ca: DemoCA) -> dict[str, int]:
    certs = {"root": ca.root, "intermediate": ca.intermediate}
    certs.update({f"person:{k}": v for k, v in ca.people_certs.items()})
    certs.update({f"seal:{k}": v for k, v in ca.seal_certs.items()})
    return {k: v.serial_number for k, v in certs.items()}


def _name(cert: x509.Certificate, oid: x509.ObjectIdentifier) -> str:
    (attribute,) = cert.subject.get_attributes_for_oid(oid)
    assert isinstance(attribute.value, str)
    return attribute.value


def test_files_are_where_the_layout_says(ca: DemoCA) -> None:
    names = {str(p.relative_to(ca.folder)) for p in ca.folder.rglob("*") if p.is_file()}
    assert names == {
        "README.txt",
        "root.pem",
        "intermediate.pem",
        "ca-keys/root.key",
        "ca-keys/intermediate.key",
        "people/chutich.p12",
        "people/chutich.pem",
        "people/vanthu.p12",
        "people/vanthu.pem",
        f"seals/{SEAL}.p12",
        f"seals/{SEAL}.pem",
    }
    assert ca.people["chutich"] == ca.folder / "people" / "chutich.p12"
    assert ca.seals[SEAL] == ca.folder / "seals" / f"{SEAL}.p12"
    assert x509.load_pem_x509_certificate(ca.root_path.read_bytes()) == ca.root
    assert x509.load_pem_x509_certificate(ca.intermediate_path.read_bytes()) == ca.intermediate
    pem = (ca.folder / "people" / "chutich.pem").read_bytes()
    assert x509.load_pem_x509_certificate(pem) == ca.people_certs["chutich"]
    assert ca.trust_anchor_pems() == [ca.root_path.read_bytes()]


def test_second_run_reuses_everything(ca: DemoCA) -> None:
    before = {p: p.stat().st_mtime_ns for p in ca.folder.rglob("*") if p.is_file()}
    again = create_demo_ca(ca.folder, AGENCIES, PEOPLE, PASSWORD)
    assert _serials(again) == _serials(ca)
    assert again.people == ca.people and again.seals == ca.seals
    assert {p: p.stat().st_mtime_ns for p in ca.folder.rglob("*") if p.is_file()} == before


def test_only_missing_certificates_are_issued(ca: DemoCA, ca_copy: Path) -> None:
    newcomer = DemoPerson(
        "phochutich",
        "Trần Thị Mai",
        "Phó Chủ tịch Ủy ban nhân dân tỉnh",
        "Ủy ban nhân dân tỉnh An Giang",
        "phochutich@example.vn",
    )
    (ca_copy / "people" / "vanthu.pem").unlink()  # a lost PEM is rewritten from the PKCS#12
    grown = create_demo_ca(ca_copy, AGENCIES, [*PEOPLE, newcomer], PASSWORD)
    old, new = _serials(ca), _serials(grown)
    assert new.pop("person:phochutich")
    assert new == old
    assert (ca_copy / "people" / "vanthu.pem").exists()


def test_changed_data_or_password_gets_a_new_certificate(ca: DemoCA, ca_copy: Path) -> None:
    renamed = replace(CHU_TICH, title="Chủ tịch UBND tỉnh")
    again = create_demo_ca(ca_copy, AGENCIES, [renamed, PEOPLE[1]], PASSWORD)
    assert again.root.serial_number == ca.root.serial_number
    assert again.people_certs["chutich"].serial_number != ca.people_certs["chutich"].serial_number
    assert _name(again.people_certs["chutich"], NameOID.TITLE) == "Chủ tịch UBND tỉnh"
    assert again.people_certs["vanthu"] == ca.people_certs["vanthu"]
    # Another password: a PKCS#12 file whose PEM is gone and that does not open is replaced.
    (ca_copy / "seals" / f"{SEAL}.pem").unlink()
    other = create_demo_ca(ca_copy, AGENCIES, [], "another-password")
    assert other.seal_certs[SEAL].serial_number != ca.seal_certs[SEAL].serial_number
    assert _load(other.seals[SEAL], "another-password")[1] == other.seal_certs[SEAL]


def test_chain_verifies_with_a_path_builder(ca: DemoCA) -> None:
    verification = pytest.importorskip("cryptography.x509.verification")

    def signer_usage(_policy: object, _cert: x509.Certificate, usage: x509.KeyUsage) -> None:
        assert usage.digital_signature and usage.content_commitment

    def email_protection(_policy: object, _cert: x509.Certificate, eku: object) -> None:
        assert isinstance(eku, x509.ExtendedKeyUsage)
        assert ExtendedKeyUsageOID.EMAIL_PROTECTION in eku

    critical = verification.Criticality.CRITICAL
    ee_policy = (
        verification.ExtensionPolicy.permit_all()
        .require_present(x509.KeyUsage, critical, signer_usage)
        .require_present(x509.ExtendedKeyUsage, verification.Criticality.AGNOSTIC, email_protection)
        .require_present(x509.BasicConstraints, critical, None)
    )
    verifier = (
        verification.PolicyBuilder()
        .store(verification.Store([ca.root]))
        .time(dt.datetime.now(dt.UTC))
        .extension_policies(
            ca_policy=verification.ExtensionPolicy.webpki_defaults_ca(), ee_policy=ee_policy
        )
        .build_client_verifier()
    )
    for p12 in (ca.people["chutich"], ca.seals[SEAL]):
        _, cert, extra = _load(p12)
        assert extra == [ca.intermediate, ca.root]
        verified = verifier.verify(cert, [ca.intermediate])
        assert verified.chain == [cert, ca.intermediate, ca.root]
    # The same, signature by signature.
    ca.people_certs["chutich"].verify_directly_issued_by(ca.intermediate)
    ca.intermediate.verify_directly_issued_by(ca.root)
    ca.root.verify_directly_issued_by(ca.root)
    # Without the issuing CA there is no path to the root.
    with pytest.raises(verification.VerificationError):
        verifier.verify(ca.people_certs["chutich"], [])


def test_ca_certificates_have_ca_extensions(ca: DemoCA) -> None:
    assert _name(ca.root, NameOID.COMMON_NAME) == ROOT_NAME
    assert _name(ca.intermediate, NameOID.COMMON_NAME) == "eCabinet Demo Issuing CA"
    assert isinstance(ca.root.public_key(), rsa.RSAPublicKey)
    assert ca.root.public_key().key_size >= 2048  # type: ignore[union-attr]
    for cert in (ca.root, ca.intermediate):
        basic = cert.extensions.get_extension_for_class(x509.BasicConstraints)
        assert basic.critical and basic.value.ca
        usage = cert.extensions.get_extension_for_class(x509.KeyUsage)
        assert usage.critical and usage.value.key_cert_sign and usage.value.crl_sign
        assert not usage.value.digital_signature
    ski = ca.root.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value
    aki = ca.intermediate.extensions.get_extension_for_class(x509.AuthorityKeyIdentifier).value
    assert aki.key_identifier == ski.digest
    assert (
        ca.intermediate.extensions.get_extension_for_class(x509.BasicConstraints).value.path_length
        == 0
    )


def test_signer_certificate_names_the_official(ca: DemoCA) -> None:
    cert = ca.people_certs["chutich"]
    assert _name(cert, NameOID.COMMON_NAME) == "Nguyễn Thanh Bình"
    assert _name(cert, NameOID.ORGANIZATION_NAME) == "Ủy ban nhân dân tỉnh An Giang"
    assert _name(cert, NameOID.TITLE) == "Chủ tịch Ủy ban nhân dân tỉnh"
    assert _name(cert, NameOID.COUNTRY_NAME) == "VN"
    assert _name(cert, NameOID.EMAIL_ADDRESS) == "chutich@example.vn"
    # Round trip through DER: the Vietnamese names are UTF8String, not mangled.
    parsed = x509.load_der_x509_certificate(cert.public_bytes(Encoding.DER))
    assert "CN=Nguyễn Thanh Bình" in parsed.subject.rfc4514_string()
    san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert san.get_values_for_type(x509.RFC822Name) == ["chutich@example.vn"]
    usage = cert.extensions.get_extension_for_class(x509.KeyUsage)
    assert usage.critical and usage.value.digital_signature and usage.value.content_commitment
    assert not usage.value.key_cert_sign
    eku = cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    assert list(eku) == [ExtendedKeyUsageOID.EMAIL_PROTECTION]
    ski = ca.intermediate.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value
    aki = cert.extensions.get_extension_for_class(x509.AuthorityKeyIdentifier).value
    assert aki.key_identifier == ski.digest
    assert cert.extensions.get_extension_for_class(x509.SubjectKeyIdentifier)
    lifetime = cert.not_valid_after_utc - cert.not_valid_before_utc
    assert dt.timedelta(days=3 * 365) <= lifetime <= dt.timedelta(days=3 * 366 + 1)
    assert cert.not_valid_before_utc < dt.datetime.now(dt.UTC) - dt.timedelta(hours=23)


def test_seal_certificate_names_the_agency(ca: DemoCA) -> None:
    cert = ca.seal_certs[SEAL]
    assert _name(cert, NameOID.COMMON_NAME) == "Ủy ban nhân dân tỉnh An Giang"
    assert _name(cert, NameOID.ORGANIZATION_NAME) == "Ủy ban nhân dân tỉnh An Giang"
    assert _name(cert, NameOID.ORGANIZATIONAL_UNIT_NAME) == SEAL
    usage = cert.extensions.get_extension_for_class(x509.KeyUsage).value
    assert usage.digital_signature and usage.content_commitment


def test_pkcs12_needs_the_password(ca: DemoCA) -> None:
    key, cert, _ = _load(ca.people["chutich"])
    assert isinstance(key, rsa.RSAPrivateKey) and key.public_key() == cert.public_key()
    with pytest.raises(ValueError):
        _load(ca.people["chutich"], "wrong")
    with pytest.raises((ValueError, TypeError)):
        _load(ca.people["chutich"], None)


def test_private_keys_are_private(ca: DemoCA) -> None:
    private = [*ca.folder.glob("ca-keys/*.key"), *ca.folder.glob("*/*.p12")]
    assert len(private) == 5
    for path in private:
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
    assert stat.S_IMODE(ca.keys_dir.stat().st_mode) & 0o077 == 0
    assert b"PRIVATE KEY" not in ca.root_path.read_bytes()


def test_readme_warns_in_both_languages(ca: DemoCA) -> None:
    text = ca.readme_path.read_text(encoding="utf-8")
    assert "KHÔNG BAO GIỜ tin cậy" in text and "NEVER trust" in text


def test_a_password_is_required(tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        create_demo_ca(tmp_path, AGENCIES, PEOPLE, "")
