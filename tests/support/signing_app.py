"""The app as the signing API tests use it: a trust folder holding the test roots, the
test world (tests.factories), and helpers to act as one of its people."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding
from sqlalchemy import Engine
from starlette.testclient import TestClient

from ecabinet.app import create_app
from ecabinet.core.storage import ObjectStore, open_store
from tests.conftest import make_settings
from tests.factories import World, login, make_world
from tests.support.credentials import PASSPHRASE, PIN, Issuer


@dataclass
class SigningApp:
    client: TestClient
    world: World
    store: ObjectStore
    tmp: Path

    def post(self, who: str, url: str, headers: dict[str, str] | None = None, **kw: Any) -> Any:
        """POST as ``who`` (logged in here, with the CSRF header)."""
        csrf = login(self.client, who)
        return self.client.post(url, headers={"X-CSRF-Token": csrf} | (headers or {}), **kw)

    def upload(self, data: bytes, name: str = "qd.pdf", who: str = "clerk") -> str:
        """A file of the province, uploaded by its clerk; its id."""
        r = self.post(
            who,
            f"/api/v1/files?agency_id={self.world.province.id}&filename={name}",
            content=data,
            headers={"Content-Type": "application/pdf"},
        )
        assert r.status_code == 201, r.text
        return str(r.json()["id"])

    def sign(self, who: str, file_id: str, **body: Any) -> Any:
        """Sign ``file_id`` as ``who``, with the test PIN unless ``pin`` is given (None:
        no activation data at all)."""
        body = {"pin": PIN} | body
        if body["pin"] is None:
            del body["pin"]
        return self.post(who, f"/api/v1/files/{file_id}/sign", json=body)

    def add_pkcs12(self, ca: Issuer, name: str | None = None, **owner: Any) -> str:
        """Register a fresh RSA PKCS#12 for ``name`` (``user_id=`` or ``agency_id=``; by
        default the official's full name or the agency's name), as the admin, with the
        test PIN; the credential's id."""
        issued = ca.pkcs12(name or self.owner_name(**owner), use_rsa=True)
        body = {
            "pkcs12": base64.b64encode(issued.data).decode(),
            "passphrase": PASSPHRASE,
            "pin": PIN,
        }
        r = self.post("admin", "/api/v1/signing-credentials", json=body | owner)
        assert r.status_code == 201, r.text
        return str(r.json()["id"])

    def owner_name(self, user_id: int | None = None, agency_id: int | None = None) -> str:
        """The name a certificate for this owner carries (the binding checks it)."""
        people = {u.id: u.full_name for u in self.world.people.values()}
        agencies = {a.id: a.name for a in (self.world.province, self.world.department)}
        return people[user_id] if user_id is not None else agencies[agency_id]

    def token(self, who: str, scopes: list[str] | None = None) -> dict[str, str]:
        """A new API token of ``who`` (default scopes when None): its bearer header."""
        body: dict[str, Any] = {"name": "script"}
        if scopes is not None:
            body["scopes"] = scopes
        r = self.post(who, "/api/v1/tokens", json=body)
        assert r.status_code == 201, r.text
        return {"Authorization": f"Bearer {r.json()['token']}"}


A = TypeVar("A", bound=SigningApp)


@contextmanager
def signing_app(
    cls: type[A],
    tmp_path: Path,
    database_url: str,
    engine: Engine,
    roots: list[x509.Certificate],
    **settings: str,
) -> Iterator[A]:
    """``cls`` (a :class:`SigningApp`) over a running app that trusts ``roots``."""
    trust = tmp_path / "trust"
    trust.mkdir()
    (trust / "roots.pem").write_bytes(b"".join(c.public_bytes(Encoding.PEM) for c in roots))
    config = make_settings(
        tmp_path / "data", database_url, trust_anchors_dir=str(trust), **settings
    )
    world = make_world(engine)
    store = open_store(config)
    with TestClient(create_app(config, engine=engine, store=store)) as client:
        yield cls(client, world, store, tmp_path)
