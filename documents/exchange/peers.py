"""The peers of this deployment and its own exchange key, from the settings."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from cryptography import x509

from ecabinet.core import errors
from ecabinet.core.settings import Peer, Settings
from signing.errors import BadKey
from signing.keys import KeySource, load_pkcs12


def peer_for(settings: Settings, code: str) -> Peer | None:
    """The configured peer that holds agency ``code``, if any."""
    return next((p for p in settings.exchange_peers if p.code == code), None)


def not_configured() -> errors.Unavailable:
    return errors.Unavailable(
        "exchange.not_configured",
        "Hệ thống chưa được cấu hình khóa ký liên thông.",
        "This system has no exchange signing key configured.",
    )


def unknown_peer(code: str) -> errors.InvalidInput:
    return errors.InvalidInput(
        "exchange.unknown_peer",
        f"Cơ quan {code} không nằm trong danh sách hệ thống liên thông đã cấu hình.",
        f"Agency {code} is not among the configured exchange peers.",
        {"code": code},
    )


@lru_cache(maxsize=64)
def _certificate(path: Path, mtime: float) -> x509.Certificate:
    return x509.load_pem_x509_certificate(path.read_bytes())


def certificate(peer: Peer) -> x509.Certificate:
    """The certificate that signs ``peer``'s messages (read again when the file changes)."""
    try:
        return _certificate(peer.cert_path, peer.cert_path.stat().st_mtime)
    except (OSError, ValueError):
        raise errors.Unavailable(
            "exchange.peer_certificate",
            f"Không đọc được chứng thư số của hệ thống {peer.code}.",
            f"Cannot read the certificate of peer {peer.code}.",
        ) from None


@lru_cache(maxsize=4)
def _key(path: Path, mtime: float, password: str | None) -> KeySource:
    return load_pkcs12(path.read_bytes(), password)


def own_key(settings: Settings) -> KeySource:
    """This deployment's exchange key; 503 when none is configured or it cannot be read."""
    path = settings.exchange_key_file
    if path is None:
        raise not_configured()
    try:
        return _key(path, path.stat().st_mtime, settings.exchange_key_password)
    except (OSError, BadKey):
        raise not_configured() from None
