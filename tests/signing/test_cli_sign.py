"""The command line: ``ecabinet sign`` then ``ecabinet verify`` round-trips; levels up to
B-LTA against the live test PKI; ``ecabinet extend``; a PKCS#11 token; refusals."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.serialization import Encoding

from ecabinet.cli import main
from ecabinet.demo.ca import DemoCA
from ecabinet.demo.images import signature_png
from tests.signing.checks import pdfsig, pyhanko_verdicts
from tests.signing.conftest import PASSWORD, write
from tests.support.pki import Pki
from tests.support.softhsm import LEADER, make_softhsm


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A data folder, an empty trust folder, and the passphrase in P12_PASS."""
    monkeypatch.setenv("ECABINET_DATA_DIR", str(tmp_path / "data"))
    trust = tmp_path / "trust"
    trust.mkdir()
    monkeypatch.setenv("ECABINET_TRUST_ANCHORS_DIR", str(trust))
    monkeypatch.setenv("P12_PASS", PASSWORD)
    return trust


def _root_folder(tmp_path: Path, pem: bytes) -> Path:
    folder = tmp_path / "roots"
    folder.mkdir(exist_ok=True)
    (folder / "root.pem").write_bytes(pem)
    return folder


def test_sign_then_verify_round_trip(
    env: Path,
    tmp_path: Path,
    sample_pdf: bytes,
    demo_ca: DemoCA,
    capsys: pytest.CaptureFixture[str],
) -> None:
    source = write(tmp_path, "in.pdf", sample_pdf)
    out = tmp_path / "out.pdf"
    p12 = str(demo_ca.people["leader"])
    argv = ["sign", str(source), str(out), "--p12", p12, "--password-env", "P12_PASS"]
    assert main([*argv, "--box", "300,80,550,200", "--image", str(_png(tmp_path))]) == 0
    assert "Signature is Valid" in pdfsig(out)
    (verdict,) = pyhanko_verdicts(out.read_bytes(), demo_ca.root)
    assert verdict.field == "Nguyễn Văn Lãnh" and verdict.intact and verdict.trusted
    capsys.readouterr()
    # Not trusted until the demo root is given: exit 1, and the report says why.
    assert main(["verify", str(out), "--offline"]) == 1
    assert "INDETERMINATE" in capsys.readouterr().out
    roots = _root_folder(tmp_path, demo_ca.root.public_bytes(Encoding.PEM))
    assert main(["verify", str(out), "--offline", "--trust", str(roots)]) == 0
    text = capsys.readouterr().out
    assert "Kết luận: HỢP LỆ (TOTAL-PASSED)" in text and "Người ký: Nguyễn Văn Lãnh" in text
    assert main(["verify", str(out), "--offline", "--trust", str(roots), "--json"]) == 0
    body = json.loads(capsys.readouterr().out)
    assert body["all_passed"] and body["signatures"][0]["pades_level"] == "B-B"
    # One flipped byte in the signed content: exit 1.
    broken = bytearray(out.read_bytes())
    broken[broken.index(b"stream", 100) + 200] ^= 1
    tampered = write(tmp_path, "tampered.pdf", bytes(broken))
    assert main(["verify", str(tampered), "--offline", "--trust", str(roots)]) == 1
    assert "HASH_FAILURE" in capsys.readouterr().out
    # An unsigned file has nothing to pass: exit 1.
    assert main(["verify", str(source), "--offline", "--trust", str(roots)]) == 1


def _png(tmp_path: Path) -> Path:
    path = tmp_path / "chu-ky.png"
    path.write_bytes(signature_png("Nguyễn Văn Lãnh"))
    return path


def test_b_lta_from_the_command_line_and_extend(
    env: Path,
    tmp_path: Path,
    sample_pdf: bytes,
    pki: Pki,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    (env / "pki-root.pem").write_bytes(pki.root_pem())
    p12 = tmp_path / "leader.p12"
    from cryptography.hazmat.primitives.serialization import BestAvailableEncryption, pkcs12

    key = pki.keys["leader"]
    p12.write_bytes(
        pkcs12.serialize_key_and_certificates(
            b"leader",
            key.key,
            key.certificate,
            key.chain,
            BestAvailableEncryption(PASSWORD.encode()),
        )
    )
    source = write(tmp_path, "in.pdf", sample_pdf)
    lta = tmp_path / "lta.pdf"
    argv = ["sign", str(source), str(lta), "--p12", str(p12), "--password-env", "P12_PASS"]
    assert main([*argv, "--level", "B-LTA", "--tsa", pki.tsa_url]) == 0
    capsys.readouterr()
    assert main(["verify", str(lta), "--offline", "--json"]) == 0
    levels = [s["pades_level"] for s in json.loads(capsys.readouterr().out)["signatures"]]
    assert levels == ["B-LTA", None]  # the signature, then the document time-stamp
    # A B-B file raised to B-LTA later.
    plain, extended = tmp_path / "plain.pdf", tmp_path / "extended.pdf"
    assert (
        main(["sign", str(source), str(plain), "--p12", str(p12), "--password-env", "P12_PASS"])
        == 0
    )
    monkeypatch.setenv("ECABINET_TSA_URL", pki.tsa_url)
    assert main(["extend", str(plain), str(extended)]) == 0
    assert extended.read_bytes().startswith(plain.read_bytes())
    capsys.readouterr()
    assert main(["verify", str(extended), "--offline", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert [s["pades_level"] for s in report["signatures"]] == ["B-LTA", None]
    assert "Signature is Valid" in pdfsig(extended)


def test_sign_with_a_pkcs11_token(
    env: Path,
    tmp_path: Path,
    sample_pdf: bytes,
    demo_ca: DemoCA,
    tmp_path_factory: pytest.TempPathFactory,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    hsm = make_softhsm(tmp_path_factory, demo_ca, PASSWORD)
    monkeypatch.setenv("TOKEN_PIN", hsm.pin)
    monkeypatch.setenv("ECABINET_PKCS11_LIB", str(hsm.module))
    source = write(tmp_path, "in.pdf", sample_pdf)
    out = tmp_path / "token.pdf"
    argv = ["sign", str(source), str(out), "--pkcs11-token", hsm.token, "--key-label", LEADER]
    assert main([*argv, "--pin-env", "TOKEN_PIN", "--field", "Token"]) == 0
    assert "Signature is Valid" in pdfsig(out)
    monkeypatch.setenv("TOKEN_PIN", "wrong-pin")
    assert main([*argv, "--pin-env", "TOKEN_PIN", "--field", "Token"]) == 1


def test_cli_refusals(
    env: Path,
    tmp_path: Path,
    sample_pdf: bytes,
    demo_ca: DemoCA,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    source = write(tmp_path, "in.pdf", sample_pdf)
    junk = write(tmp_path, "junk.pdf", b"not a pdf")
    out = tmp_path / "out.pdf"
    p12 = str(demo_ca.people["leader"])
    base = ["--p12", p12, "--password-env", "P12_PASS"]
    monkeypatch.setenv("WRONG_PASS", "wrong-password")
    assert main(["sign", str(source), str(out), "--p12", p12, "--password-env", "WRONG_PASS"]) == 1
    assert "key.pkcs12_unreadable" in capsys.readouterr().err
    assert main(["sign", str(junk), str(out), *base]) == 1
    assert "pdf.invalid" in capsys.readouterr().err
    assert main(["sign", str(source), str(out), *base, "--box", "1,2"]) == 2
    assert main(["sign", str(source), str(out), *base, "--box", "9,9,1,1"]) == 2
    assert main(["sign", str(source), str(out), *base, "--image", str(_png(tmp_path))]) == 2
    assert "--image needs --box" in capsys.readouterr().err
    assert main(["sign", str(source), str(out), *base, "--level", "B-T"]) == 1
    assert "tsa.missing" in capsys.readouterr().err
    assert main(["sign", str(tmp_path / "missing.pdf"), str(out), *base]) == 2
    assert main(["sign", str(source), str(out), *base, "--password-env", "UNSET_VAR"]) == 2
    assert main(["verify", str(junk)]) == 1
    assert "pdf.invalid" in capsys.readouterr().err
    assert main(["extend", str(source), str(out)]) == 2  # no TSA configured
    assert not out.exists()
