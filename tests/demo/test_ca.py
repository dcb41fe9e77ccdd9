from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.serialization import pkcs12

from ecabinet.demo.ca import DemoAgency, DemoCA, DemoPerson, create_demo_ca

PASSWORD = "demo-password-1"
PEOPLE = [
    DemoPerson(
        "chutich",
        "Nguyễn Thanh Bình",
        "Chủ tịch Ủy ban nhân dân tỉnh",
        "Ủy ban nhân dân tỉnh An Giang",
        "chutich@example.vn",
    )
]
AGENCIES = [DemoAgency("000.00.00.H01", "Ủy ban nhân dân tỉnh An Giang", "UBND")]


@pytest.fixture(scope="module")
def ca(tmp_path_factory: pytest.TempPathFactory) -> DemoCA:
    return create_demo_ca(tmp_path_factory.mktemp("ca"), AGENCIES, PEOPLE, PASSWORD)


def _load(path: Path, password: str | None = PASSWORD):  # type: ignore[no-untyped-def]
    return pkcs12.load_key_and_certificates(
        path.read_bytes(), password.encode() if password else None
    )


def test_second_run_reuses_everything(ca: DemoCA) -> None:
    again = create_demo_ca(ca.folder, AGENCIES, PEOPLE, PASSWORD)
    assert again.root.serial_number == ca.root.serial_number
    assert (
        _load(again.people["chutich"])[1].serial_number
        == _load(ca.people["chutich"])[1].serial_number
    )


def test_signer_chain_verifies_to_the_root(ca: DemoCA) -> None:
    key, cert, extra = _load(ca.people["chutich"])
    assert key is not None and cert is not None
    assert extra == [ca.intermediate, ca.root]
    cert.verify_directly_issued_by(ca.intermediate)
    ca.intermediate.verify_directly_issued_by(ca.root)
    ca.root.verify_directly_issued_by(ca.root)
    names = cert.subject.get_attributes_for_oid(x509.NameOID.COMMON_NAME)
    assert names[0].value == "Nguyễn Thanh Bình"
    usage = cert.extensions.get_extension_for_class(x509.KeyUsage).value
    assert usage.digital_signature and usage.content_commitment


def test_seal_certificate_names_the_agency(ca: DemoCA) -> None:
    _, cert, _ = _load(ca.seals["000.00.00.H01"])
    assert cert is not None
    ou = cert.subject.get_attributes_for_oid(x509.NameOID.ORGANIZATIONAL_UNIT_NAME)
    assert ou[0].value == "000.00.00.H01"


def test_pkcs12_needs_the_password(ca: DemoCA) -> None:
    with pytest.raises(ValueError):
        _load(ca.people["chutich"], "wrong")
    with pytest.raises((ValueError, TypeError)):
        _load(ca.people["chutich"], None)


def test_private_keys_are_private(ca: DemoCA) -> None:
    for path in [*ca.folder.glob("ca-keys/*.key"), *ca.folder.glob("*/*.p12")]:
        assert path.stat().st_mode & 0o077 == 0, path
    assert "KHÔNG" in (ca.folder / "README.txt").read_text(encoding="utf-8")
