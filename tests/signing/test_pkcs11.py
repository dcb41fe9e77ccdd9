"""PKCS#11 key source on a SoftHSM2 token, judged by pdfsig and pyHanko."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from pkcs11 import exceptions as p11

from ecabinet.demo.ca import DemoCA
from signing.errors import BadKey
from signing.keys import PrivateKeySource, check_signature
from signing.pades import begin, finish, sign_pdf
from signing.pkcs11 import Pkcs11KeySource, failure, open_pkcs11
from signing.specs import FieldSpec
from tests.signing.checks import pdfsig, pyhanko_verdicts
from tests.signing.conftest import PASSWORD, write
from tests.support.softhsm import DEVICE, DEVICE_ID, LEADER, LEADER_ID, SoftHsm, make_softhsm


@pytest.fixture(scope="session")
def softhsm(tmp_path_factory: pytest.TempPathFactory, demo_ca: DemoCA) -> SoftHsm:
    return make_softhsm(tmp_path_factory, demo_ca, PASSWORD)


def _leader(hsm: SoftHsm, **extra: object) -> Pkcs11KeySource:
    return open_pkcs11(
        hsm.module,
        token_label=hsm.token,
        pin=hsm.pin,
        key_label=LEADER,
        **extra,  # type: ignore[arg-type]
    )


def _device(hsm: SoftHsm) -> Pkcs11KeySource:
    return open_pkcs11(
        hsm.module,
        token_label=hsm.token,
        pin=hsm.pin,
        key_id=DEVICE_ID,
        certificate=hsm.device_certificate,
        chain=hsm.chain,
    )


def _valid_everywhere(tmp_path: Path, signed: bytes, root_ca: DemoCA, name: str) -> None:
    report = pdfsig(write(tmp_path, name, signed))
    assert "Signature Validation: Signature is Valid." in report, report
    assert "Signature Type: ETSI.CAdES.detached" in report, report
    (verdict,) = pyhanko_verdicts(signed, root_ca.root)
    assert (verdict.intact, verdict.valid, verdict.trusted) == (True, True, True)


def test_sign_pdf_with_the_token_key_and_its_certificate(
    tmp_path: Path,
    sample_pdf: bytes,
    softhsm: SoftHsm,
    demo_ca: DemoCA,
    leader_key: PrivateKeySource,
) -> None:
    with _leader(softhsm, chain=softhsm.chain) as key:
        # The certificate came from the token (same id as the key).
        assert key.certificate == leader_key.certificate
        signed = sign_pdf(sample_pdf, key, FieldSpec(name="Chữ ký lãnh đạo"))
    _valid_everywhere(tmp_path, signed, demo_ca, "p11.pdf")


def test_sign_pdf_with_a_key_generated_on_the_token(
    tmp_path: Path, sample_pdf: bytes, softhsm: SoftHsm, demo_ca: DemoCA
) -> None:
    with _device(softhsm) as key:
        data = b"signed attributes stand-in"
        signature = key.sign(data)
        # ECDSA comes back DER-encoded, as CMS wants it, and verifies with the certificate.
        assert signature[0] == 0x30
        public = softhsm.device_certificate.public_key()
        assert isinstance(public, ec.EllipticCurvePublicKey)
        public.verify(signature, data, ec.ECDSA(hashes.SHA256()))
        signed = sign_pdf(sample_pdf, key, FieldSpec(name="Thiết bị"))
    _valid_everywhere(tmp_path, signed, demo_ca, "device.pdf")


def _token_signer(hsm: SoftHsm) -> Callable[[bytes], bytes]:
    """The official's side: it gets a digest, its token signs it, the signature goes back."""

    def sign(digest: bytes) -> bytes:
        assert len(digest) == 32
        with _device(hsm) as key:
            return key.sign_digest(digest)

    return sign


def test_two_step_signing_with_only_the_digest_leaving_the_server(
    tmp_path: Path, sample_pdf: bytes, softhsm: SoftHsm, demo_ca: DemoCA
) -> None:
    external = _token_signer(softhsm)
    # Server side: no key, only the certificate and chain the official registered.
    pending = begin(
        sample_pdf, softhsm.device_certificate, softhsm.chain, FieldSpec(name="Ký từ xa")
    )
    assert pending.digest == hashlib.sha256(pending.to_be_signed).digest()
    signature = external(pending.digest)
    signed = finish(pending, signature)
    _valid_everywhere(tmp_path, signed, demo_ca, "two-step.pdf")


def test_two_step_with_an_rsa_token_digest(
    tmp_path: Path, sample_pdf: bytes, softhsm: SoftHsm, demo_ca: DemoCA
) -> None:
    with _leader(softhsm, chain=softhsm.chain) as key:
        pending = begin(sample_pdf, key.certificate, key.chain, FieldSpec(name="RSA"))
        signature = key.sign_digest(pending.digest)
        # CKM_RSA_PKCS over the DigestInfo equals CKM_SHA256_RSA_PKCS over the data.
        assert signature == key.sign(pending.to_be_signed)
    _valid_everywhere(tmp_path, finish(pending, signature), demo_ca, "rsa-digest.pdf")


def test_finish_refuses_signatures_that_would_not_validate(
    sample_pdf: bytes, softhsm: SoftHsm, leader_key: PrivateKeySource
) -> None:
    pending = begin(
        sample_pdf, softhsm.device_certificate, softhsm.chain, FieldSpec(name="Ký từ xa")
    )
    good = _token_signer(softhsm)(pending.digest)
    check_signature(softhsm.device_certificate, pending.to_be_signed, good)
    cases = {
        "truncated": good[:-1],
        "empty": b"",
        "another key": leader_key.sign(pending.to_be_signed),
        "other data": _token_signer(softhsm)(hashlib.sha256(b"something else").digest()),
        "raw r||s": bytes(64),
    }
    for what, signature in cases.items():
        with pytest.raises(BadKey) as info:
            finish(pending, signature)
        assert info.value.code == "key.signature_mismatch", what
    # The refusals changed nothing: the right signature still finishes the file.
    assert finish(pending, good).startswith(sample_pdf)


def test_rsa_signature_of_the_wrong_length_is_refused(
    sample_pdf: bytes, leader_key: PrivateKeySource
) -> None:
    pending = begin(sample_pdf, leader_key.certificate, [], FieldSpec(name="S"))
    signature = leader_key.sign(pending.to_be_signed)
    for bad in (signature + b"\x00", b"\x00" + signature, signature[:128]):
        with pytest.raises(BadKey) as info:
            finish(pending, bad)
        assert info.value.code == "key.signature_mismatch"


def test_clear_errors(softhsm: SoftHsm, tmp_path: Path) -> None:
    def code_of(**kwargs: object) -> str:
        args: dict[str, object] = {
            "module": softhsm.module,
            "token_label": softhsm.token,
            "pin": softhsm.pin,
            "key_label": LEADER,
        }
        args.update(kwargs)
        with pytest.raises(BadKey) as info:
            open_pkcs11(**args)  # type: ignore[arg-type]
        assert info.value.vi and info.value.en and info.value.vi != info.value.en
        return info.value.code

    assert code_of(pin="0000-wrong") == "key.pkcs11_wrong_pin"
    assert code_of(key_label="nobody") == "key.pkcs11_no_key"
    assert code_of(key_label=None, key_id=b"\x77") == "key.pkcs11_no_key"
    assert code_of(key_label=None) == "key.pkcs11_key_ambiguous"  # two keys on the token
    assert code_of(token_label="Không có") == "key.pkcs11_no_token"
    assert code_of(module=tmp_path / "missing.so") == "key.pkcs11_module_missing"
    not_a_module = tmp_path / "not-a-module.so"
    not_a_module.write_text("not ELF")
    assert code_of(module=not_a_module) == "key.pkcs11_module_unusable"
    # The generated key's certificate is not on the token: the caller must give it.
    assert code_of(key_label=DEVICE) == "key.pkcs11_no_certificate"
    # A certificate that belongs to another key is refused before anything is signed.
    assert (
        code_of(key_label=DEVICE, certificate=_leader_cert(softhsm))
        == "key.pkcs11_certificate_mismatch"
    )
    assert (
        code_of(key_id=LEADER_ID, key_label=None, certificate=softhsm.device_certificate)
        == "key.pkcs11_certificate_mismatch"
    )


def _leader_cert(hsm: SoftHsm) -> object:
    with _leader(hsm) as key:
        return key.certificate


def test_pkcs11_errors_map_to_codes() -> None:
    # SoftHSM never locks a PIN by itself, so the mapping is checked on the exceptions.
    assert failure(p11.PinLocked()).code == "key.pkcs11_pin_locked"
    assert failure(p11.PinIncorrect()).code == "key.pkcs11_wrong_pin"
    assert failure(p11.PinExpired()).code == "key.pkcs11_pin_expired"
    assert failure(p11.DeviceRemoved()).code == "key.pkcs11_removed"
    assert failure(p11.GeneralError()).code == "key.pkcs11_failed"


def test_key_sources_share_one_login_and_close_cleanly(softhsm: SoftHsm) -> None:
    leader = _leader(softhsm)
    device = _device(softhsm)
    # A second opener on a logged-in token must still know the PIN.
    with pytest.raises(BadKey) as info:
        open_pkcs11(softhsm.module, token_label=softhsm.token, pin="9999-wrong", key_label=LEADER)
    assert info.value.code == "key.pkcs11_wrong_pin"
    with ThreadPoolExecutor(max_workers=4) as pool:
        messages = [f"văn bản {i}".encode() for i in range(12)]
        pairs = list(pool.map(lambda m: (m, (leader if len(m) % 2 else device).sign(m)), messages))
    for message, signature in pairs:
        cert = (leader if len(message) % 2 else device).certificate
        check_signature(cert, message, signature)
    leader.close()
    leader.close()  # idempotent
    with pytest.raises(BadKey) as info:
        leader.sign(b"x")
    assert info.value.code == "key.pkcs11_closed"
    assert device.sign(b"still logged in")  # closing one source keeps the other's login
    device.close()
    # Everything closed (logged out): a fresh open logs in again.
    with _device(softhsm) as again:
        assert again.sign_digest(bytes(32))
        with pytest.raises(BadKey) as info:
            again.sign_digest(b"short")
        assert info.value.code == "key.bad_digest"
