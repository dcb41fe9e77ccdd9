"""What signing and validation need from the settings: trust anchors, the time-stamp
authority and the revocation fetcher, built once and shared by the app and the CLI."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from cryptography import x509

from ecabinet.core.settings import Settings
from ecabinet.core.trust import trust_anchor_files
from signing.revocation import Fetcher
from signing.trust import load_anchors
from signing.tsp import HttpTsa
from signing.validation import Policy


@dataclass
class SigningSetup:
    settings: Settings
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _anchors: tuple[tuple[tuple[str, float], ...], list[x509.Certificate]] | None = field(
        default=None, repr=False
    )

    def anchors(self, extra: Sequence[Path] = ()) -> list[x509.Certificate]:
        """The configured anchors (re-read when the folder's files change), plus ``extra``
        files or folders."""
        files = trust_anchor_files(self.settings)
        stamp = tuple((str(p), p.stat().st_mtime) for p in files)
        with self._lock:
            if self._anchors is None or self._anchors[0] != stamp:
                self._anchors = (stamp, load_anchors(files))
            anchors = list(self._anchors[1])
        return anchors + [c for c in load_anchors(extra) if c not in anchors]

    def tsa(self, url: str | None = None) -> HttpTsa | None:
        """The time-stamp authority: ``url``, else the configured one, else None."""
        chosen = url or self.settings.tsa_url
        return HttpTsa(chosen, timeout=self.settings.network_timeout) if chosen else None

    def fetcher(self, anchors: Sequence[x509.Certificate] = ()) -> Fetcher | None:
        """Online revocation checking, unless the settings turn it off."""
        if not self.settings.revocation_online:
            return None
        return Fetcher(timeout=self.settings.network_timeout, known=list(anchors))

    def policy(self, extra: Sequence[Path] = (), *, online: bool = True) -> Policy:
        anchors = self.anchors(extra)
        return Policy(anchors=anchors, fetcher=self.fetcher(anchors) if online else None)
