"""A real PKI on loopback for signing tests: certomancer's CA, time-stamp authority, OCSP
responder and CRL repositories, served over HTTP by a werkzeug server in a thread.

Dates are relative to now, so the certificates are valid today (and the "expired" one
expired a year ago); the URLs baked into the certificates point at the live server.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from signing.keys import PrivateKeySource
from tests.support.live import free_port

ARCH = "ecab"
SIGNERS = ("leader", "seal", "revoked", "expired")
_KEYS = ("root", "interm", "interm-ocsp", "tsa", *SIGNERS)


@dataclass
class Pki:
    url: str
    """Base URL of the live services."""
    root: x509.Certificate
    interm: x509.Certificate
    tsa_cert: x509.Certificate
    keys: dict[str, PrivateKeySource]
    """Signer label → key source (certificate + chain [intermediate])."""
    arch: Any

    @property
    def tsa_url(self) -> str:
        return f"{self.url}/{ARCH}/tsa/tsa"

    def root_pem(self) -> bytes:
        return self.root.public_bytes(serialization.Encoding.PEM)


def _when(moment: dt.datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S+0000")


def _key_usage(*uses: str) -> dict[str, Any]:
    return {
        "id": "key_usage",
        "critical": True,
        "smart-value": {"schema": "key-usage", "params": list(uses)},
    }


def _crl_from(repo: str) -> dict[str, Any]:
    return {
        "id": "crl_distribution_points",
        "smart-value": {"schema": "crl-dist-url", "params": {"crl-repo-names": [repo]}},
    }


def _config(now: dt.datetime) -> dict[str, Any]:
    def validity(start: dt.timedelta, end: dt.timedelta) -> dict[str, str]:
        return {"valid-from": _when(now + start), "valid-to": _when(now + end)}

    day = dt.timedelta(days=1)
    ca_usage = _key_usage("digital_signature", "key_cert_sign", "crl_sign")
    signer: dict[str, Any] = {
        "issuer": "interm",
        "validity": validity(-30 * day, 700 * day),
        "extensions": [
            _key_usage("digital_signature", "non_repudiation"),
            _crl_from("interm"),
            {
                "id": "authority_information_access",
                "smart-value": {
                    "schema": "aia-urls",
                    "params": {"ocsp-responder-names": ["interm"]},
                },
            },
        ],
    }
    return {
        "external-url-prefix": "",  # set by the caller
        "keysets": {
            "keys": {"keys": {label: {"path": f"{label}.key.pem"} for label in _KEYS}},
        },
        "pki-architectures": {
            ARCH: {
                "keyset": "keys",
                "entity-defaults": {
                    "country-name": "VN",
                    "organization-name": "Ủy ban nhân dân tỉnh Thử Nghiệm",
                },
                "entities": {
                    "root": {"common-name": "Root CA Thử Nghiệm"},
                    "interm": {"common-name": "CA cấp dưới Thử Nghiệm"},
                    "interm-ocsp": {"common-name": "OCSP Thử Nghiệm"},
                    "tsa": {"common-name": "Máy chủ cấp dấu thời gian Thử Nghiệm"},
                    "leader": {"common-name": "Nguyễn Văn Lãnh", "title": "Chủ tịch"},
                    "seal": {"common-name": "Ủy ban nhân dân tỉnh Thử Nghiệm"},
                    "revoked": {"common-name": "Trần Thị Thu Hồi"},
                    "expired": {"common-name": "Lê Văn Hết Hạn"},
                },
                "certs": {
                    "root": {
                        "subject": "root",
                        "issuer": "root",
                        "validity": validity(-730 * day, 7300 * day),
                        "extensions": [
                            {"id": "basic_constraints", "critical": True, "value": {"ca": True}},
                            ca_usage,
                        ],
                    },
                    "interm": {
                        "issuer": "root",
                        "validity": validity(-730 * day, 3650 * day),
                        "extensions": [
                            {
                                "id": "basic_constraints",
                                "critical": True,
                                "value": {"ca": True, "path-len-constraint": 0},
                            },
                            ca_usage,
                            _crl_from("root"),
                        ],
                    },
                    "interm-ocsp": {
                        "issuer": "interm",
                        "validity": validity(-730 * day, 3650 * day),
                        "extensions": [
                            _key_usage("digital_signature"),
                            {
                                "id": "extended_key_usage",
                                "critical": True,
                                "value": ["ocsp_signing"],
                            },
                            {"id": "ocsp_no_check"},
                        ],
                    },
                    "tsa": {
                        "issuer": "root",
                        "validity": validity(-730 * day, 3650 * day),
                        "extensions": [
                            _key_usage("digital_signature"),
                            {
                                "id": "extended_key_usage",
                                "critical": True,
                                "value": ["time_stamping"],
                            },
                            _crl_from("root"),
                        ],
                    },
                    "leader": signer,
                    "seal": {"template": "leader", "subject": "seal"},
                    "revoked": {
                        "template": "leader",
                        "subject": "revoked",
                        "revocation": {
                            "revoked-since": _when(now - day),
                            "reason": "key_compromise",
                        },
                    },
                    "expired": {
                        "template": "leader",
                        "subject": "expired",
                        "validity": validity(-1100 * day, -365 * day),
                    },
                },
                "services": {
                    "ocsp": {
                        "interm": {
                            "for-issuer": "interm",
                            "responder-cert": "interm-ocsp",
                            "signing-key": "interm-ocsp",
                        }
                    },
                    "crl-repo": {
                        "root": {
                            "for-issuer": "root",
                            "signing-key": "root",
                            "simulated-update-schedule": "P7D",
                        },
                        "interm": {
                            "for-issuer": "interm",
                            "signing-key": "interm",
                            "simulated-update-schedule": "P7D",
                        },
                    },
                    "time-stamping": {"tsa": {"signing-key": "tsa", "signing-cert": "tsa"}},
                },
            }
        },
    }


@contextmanager
def running_pki(folder: Path) -> Iterator[Pki]:
    """Create the keys and the configuration in ``folder``; serve the PKI; yield it."""
    from certomancer.integrations.animator import Animator, AnimatorArchStore
    from certomancer.registry import CertomancerConfig
    from werkzeug.serving import make_server

    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    keys: dict[str, rsa.RSAPrivateKey] = {}
    for label in _KEYS:
        keys[label] = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        (folder / f"{label}.key.pem").write_bytes(
            keys[label].private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        )
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    config = CertomancerConfig(_config(now), key_search_dir=str(folder), external_url_prefix=url)
    arch = config.get_pki_arch(ARCH)
    animator = Animator(AnimatorArchStore(config.pki_archs), with_web_ui=False)
    server = make_server("127.0.0.1", port, animator, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()

    def cert(label: str) -> x509.Certificate:
        return x509.load_der_x509_certificate(arch.get_cert(label).dump())

    interm = cert("interm")
    try:
        yield Pki(
            url=url,
            root=cert("root"),
            interm=interm,
            tsa_cert=cert("tsa"),
            keys={label: PrivateKeySource(keys[label], cert(label), [interm]) for label in SIGNERS},
            arch=arch,
        )
    finally:
        server.shutdown()
        thread.join(10)
