"""Which certificates the app trusts as anchors for signature validation.

Anchors are configuration: every ``*.pem``/``*.crt`` file in the trust-anchor folder.
The demo CA's root is added only in demo mode, so a production deployment never trusts
it, even if its files are left in the data folder.
"""

from __future__ import annotations

from pathlib import Path

from ecabinet.core.settings import Settings

DEMO_ROOT = Path("demo-ca") / "root.pem"


def trust_anchor_files(settings: Settings) -> list[Path]:
    """The PEM files of every trust anchor in force, in a stable order."""
    folder = settings.trust_anchors_dir
    files = (
        sorted(p for p in folder.iterdir() if p.suffix in (".pem", ".crt") and p.is_file())
        if folder.is_dir()
        else []
    )
    demo_root = settings.data_dir / DEMO_ROOT
    if settings.demo_mode and demo_root.exists():
        files.append(demo_root)
    return files
