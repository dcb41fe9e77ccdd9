"""The secrets a deployment cannot be rebuilt without, kept in every backup.

Each is a file in the backup's ``secrets/`` folder. Without the key-encryption key the
officials' private keys cannot be opened; without the publication log's signing key no
new tree head extends the ones citizens kept; without the secret key every login ends
(the only loss that is not permanent). The demo CA is kept in demo mode (its
certificates signed the demo's documents), and the trust anchors (configuration the
signature checks after a restore need).
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from pathlib import Path

from documents import publication_log
from ecabinet.core.settings import Settings, keep_secret
from ecabinet.core.trust import DEMO_ROOT

SECRETS_DIR = "secrets"


@dataclass(frozen=True)
class Secret:
    name: str
    """Its name in the manifest and the messages."""
    path: str
    """Where it lies in the backup (a file, or a folder for the demo CA and anchors)."""
    what: str
    """What it protects, for the manifest's reader."""
    required: bool


REQUIRED = (
    Secret(
        "key_encryption_key",
        "secrets/key_encryption_key",
        "ECABINET_KEY_ENCRYPTION_KEY: with each PIN, opens the officials' private keys",
        True,
    ),
    Secret(
        "publication_log_key",
        "secrets/publication_log_key.pem",
        "ECABINET_PUBLICATION_LOG_KEY_FILE: signs the publication log's tree heads",
        True,
    ),
    Secret(
        "secret_key",
        "secrets/secret_key",
        "ECABINET_SECRET_KEY: signs login cookies and CSRF tokens",
        True,
    ),
)
DEMO_CA = Secret("demo_ca", "secrets/demo-ca", "the demo CA (demo mode only)", False)
TRUST = Secret("trust_anchors", "secrets/trust", "ECABINET_TRUST_ANCHORS_DIR", False)


def save(settings: Settings, dest: Path) -> list[Secret]:
    """Write the secrets of ``settings`` under ``dest`` (0600 files in a 0700 folder)."""
    settings = settings.with_secret()
    folder = dest / SECRETS_DIR
    folder.mkdir(mode=0o700, parents=True)
    publication_log.signing_key(settings.data_dir, settings.publication_log_key_file)
    values = {
        "key_encryption_key": settings.key_encryption_key,
        "secret_key": settings.secret_key,
        "publication_log_key": settings.publication_log_key_path.read_text().strip(),
    }
    for secret in REQUIRED:
        _write(dest / secret.path, values[secret.name])
    kept = list(REQUIRED)
    demo_ca = settings.data_dir / DEMO_ROOT.parent
    if settings.demo_mode and demo_ca.is_dir():
        shutil.copytree(demo_ca, dest / DEMO_CA.path)
        kept.append(DEMO_CA)
    if settings.trust_anchors_dir.is_dir() and any(settings.trust_anchors_dir.iterdir()):
        shutil.copytree(settings.trust_anchors_dir, dest / TRUST.path)
        kept.append(TRUST)
    return kept


def _write(path: Path, value: str) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(value + "\n")


def conflicts(settings: Settings, source: Path) -> list[str]:
    """Secrets the target already has with another value than the backup's."""
    found = []
    for name, kept in _targets(settings).items():
        value = (source / _by_name(name).path).read_text().strip()
        if kept.exists() and kept.read_text().strip() != value:
            found.append(name)
    env_values = {
        "key_encryption_key": settings.key_encryption_key,
        "secret_key": settings.secret_key,
    }
    for name, value in env_values.items():
        backup = (source / _by_name(name).path).read_text().strip()
        if value and value != backup and name not in found:
            found.append(name)
    return found


def restore(settings: Settings, source: Path, names: list[str]) -> str | None:
    """Put the backup's secrets where the settings look for them (overwriting); what could
    not be put back, or ``None``."""
    for name, target in _targets(settings).items():
        target.parent.mkdir(parents=True, exist_ok=True)
        target.unlink(missing_ok=True)
        keep_secret(target, (source / _by_name(name).path).read_text().strip())
        os.chmod(target, 0o600)
    if DEMO_CA.name in names:
        shutil.copytree(
            source / DEMO_CA.path, settings.data_dir / DEMO_ROOT.parent, dirs_exist_ok=True
        )
    if TRUST.name in names:
        return _restore_anchors(source / TRUST.path, settings.trust_anchors_dir)
    return None


def _restore_anchors(source: Path, target: Path) -> str | None:
    """Copy the trust anchors back unless the target (often a read-only mount of the
    configuration) already holds the same files."""
    same = all(
        (target / p.relative_to(source)).is_file()
        and (target / p.relative_to(source)).read_bytes() == p.read_bytes()
        for p in source.rglob("*")
        if p.is_file()
    )
    if same:
        return None
    try:
        shutil.copytree(source, target, dirs_exist_ok=True)
    except OSError as exc:
        return f"cannot write the trust anchors to {target} ({exc}); copy {source} by hand"
    return None


def _targets(settings: Settings) -> dict[str, Path]:
    return {
        "key_encryption_key": settings.data_dir / "key_encryption_key",
        "secret_key": settings.data_dir / "secret_key",
        "publication_log_key": settings.publication_log_key_path,
    }


def _by_name(name: str) -> Secret:
    return next(s for s in REQUIRED if s.name == name)
