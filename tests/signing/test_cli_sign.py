from pathlib import Path

import pytest

from ecabinet.cli import main
from ecabinet.demo.ca import DemoCA
from tests.signing.checks import pdfsig, pyhanko_verdicts
from tests.signing.conftest import PASSWORD, write


def test_sign_from_the_command_line(
    tmp_path: Path, sample_pdf: bytes, demo_ca: DemoCA, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ECABINET_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("P12_PASS", PASSWORD)
    source = write(tmp_path, "in.pdf", sample_pdf)
    out = tmp_path / "out.pdf"
    code = main(
        [
            "sign",
            str(source),
            str(out),
            "--p12",
            str(demo_ca.people["leader"]),
            "--password-env",
            "P12_PASS",
            "--field",
            "Lãnh đạo",
            "--box",
            "300,80,550,160",
        ]
    )
    assert code == 0
    assert "Signature is Valid" in pdfsig(out)
    (verdict,) = pyhanko_verdicts(out.read_bytes(), demo_ca.root)
    assert verdict.field == "Lãnh đạo" and verdict.intact and verdict.trusted


def test_cli_refusals(
    tmp_path: Path,
    demo_ca: DemoCA,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("ECABINET_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("P12_PASS", "wrong-password")
    source = write(tmp_path, "in.pdf", b"not a pdf")
    out = tmp_path / "out.pdf"
    p12 = str(demo_ca.people["leader"])
    assert main(["sign", str(source), str(out), "--p12", p12, "--password-env", "P12_PASS"]) == 1
    assert "key.pkcs12_unreadable" in capsys.readouterr().err
    monkeypatch.setenv("P12_PASS", PASSWORD)
    assert main(["sign", str(source), str(out), "--p12", p12, "--password-env", "P12_PASS"]) == 1
    assert "pdf.invalid" in capsys.readouterr().err
    assert (
        main(
            [
                "sign",
                str(source),
                str(out),
                "--p12",
                p12,
                "--password-env",
                "P12_PASS",
                "--box",
                "1,2",
            ]
        )
        == 2
    )
    assert not out.exists()
