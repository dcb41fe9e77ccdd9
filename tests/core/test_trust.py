from pathlib import Path

from ecabinet.core.settings import Settings
from ecabinet.core.trust import trust_anchor_files


def _settings(tmp_path: Path, demo: bool) -> Settings:
    return Settings.from_env(
        {
            "ECABINET_DATA_DIR": str(tmp_path / "data"),
            "ECABINET_TRUST_ANCHORS_DIR": str(tmp_path / "trust"),
            "ECABINET_DEMO_MODE": "true" if demo else "false",
        }
    )


def test_demo_root_is_trusted_only_in_demo_mode(tmp_path: Path) -> None:
    (tmp_path / "data" / "demo-ca").mkdir(parents=True)
    (tmp_path / "data" / "demo-ca" / "root.pem").write_text("demo")
    (tmp_path / "trust").mkdir()
    (tmp_path / "trust" / "bcy-root.pem").write_text("real")
    (tmp_path / "trust" / "notes.txt").write_text("not a certificate")
    assert [p.name for p in trust_anchor_files(_settings(tmp_path, demo=False))] == ["bcy-root.pem"]
    assert [p.name for p in trust_anchor_files(_settings(tmp_path, demo=True))] == [
        "bcy-root.pem",
        "root.pem",
    ]


def test_missing_folder_means_no_anchors(tmp_path: Path) -> None:
    assert trust_anchor_files(_settings(tmp_path, demo=True)) == []
