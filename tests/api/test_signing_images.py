"""Signature and seal images on credentials, and the Decree 30 appearances they give:
the leader's blue signature between title and name when signing over HTTP, the agency's
red seal over its left third as the issue step applies it (the seal is not applied over
HTTP to a file: tests/security/test_signing_seal.py)."""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from sqlalchemy import Engine
from sqlmodel import select

from ecabinet.core import errors, files
from ecabinet.core.audit import Actor, AuditEntry
from ecabinet.core.db import session_scope
from ecabinet.demo.images import seal_png, signature_png
from ecabinet.signatures import activation, appearances, service
from ecabinet.signatures.activation import Activation, Purpose
from ecabinet.signatures.models import SigningCredential
from signing.appearance import seal_box, seal_size, signer_appearance
from signing.errors import SigningError
from tests.factories import login
from tests.signing.checks import pdfsig
from tests.support.credentials import PIN, Issuer
from tests.support.render import count, render
from tests.support.signing_app import SigningApp, signing_app

BOX = (330.0, 60.0, 530.0, 160.0)
"""The leader's signature box, bottom right of page 1 of the sample decision."""
AGENCY = "Ủy ban nhân dân tỉnh Thử Nghiệm"


@dataclass
class Setup(SigningApp):
    leader_key: str = ""
    seal_key: str = ""

    def image(self, who: str, credential_id: str, png: bytes) -> Any:
        url = f"/api/v1/signing-credentials/{credential_id}/image"
        return self.post(who, url, content=png, headers={"Content-Type": "image/png"})

    def seal(self, file_id: str, **request: Any) -> bytes:
        """The clerk's seal over a stored file as the issue step applies it (opened with
        the seal's PIN, drawn by the credential's look); the sealed bytes."""
        ctx = self.client.app.state.ctx  # type: ignore[attr-defined]
        clerk = self.world.people["clerk"]
        key = activation.open_key(
            ctx.engine,
            ctx.settings,
            clerk,
            Actor(clerk.id, clerk.username),
            self.seal_key,
            Activation(pin=PIN),
            Purpose("test"),
        )
        with session_scope(ctx.engine, write=False) as s:
            row = s.get(SigningCredential, self.seal_key)
            assert row is not None
            look = appearances.look_for(s, row).with_image(self.store)
        with session_scope(ctx.engine, write=False) as s:
            data = self.store.read_bytes(files.get_file(s, file_id).sha256)
        request = service.SignRequest(credential_id=self.seal_key, **request)
        return service.sign_one(data, key, request, ctx.signing, look)


@pytest.fixture
def setup(tmp_path: Path, database_url: str, engine: Engine, ca: Issuer) -> Iterator[Setup]:
    with signing_app(Setup, tmp_path, database_url, engine, [ca.ca.root]) as app:
        leader = app.world.people["leader"].id
        app.leader_key = app.add_pkcs12(ca, "Nguyễn Văn Lãnh", user_id=leader)
        app.seal_key = app.add_pkcs12(ca, agency_id=app.world.province.id)
        yield app


def _png(mode: str, colour: Any, **save: Any) -> bytes:
    """A 60 × 30 PNG, ink in the middle; the rest transparent when ``mode`` has alpha."""
    image = Image.new(mode, (60, 30), (0, 0, 0, 0) if mode == "RGBA" else (255, 255, 255))
    image.paste(colour, (20, 10, 40, 20))
    out = io.BytesIO()
    image.save(out, "PNG", **save)
    return out.getvalue()


def test_who_sets_images_and_what_is_refused(setup: Setup, engine: Engine) -> None:
    signature, seal = signature_png("Nguyễn Văn Lãnh"), seal_png(AGENCY)
    r = setup.image("admin", setup.leader_key, signature)
    assert r.status_code == 200, r.text
    first = r.json()["image_sha256"]
    assert first and setup.store.read_bytes(first) == signature
    r = setup.image("leader", setup.leader_key, signature_png("Chữ ký khác"))  # their own
    second = r.json()["image_sha256"]
    assert r.status_code == 200 and second not in (None, first)
    with session_scope(engine, write=False) as s:  # a blob sweep would keep it
        assert second in files.referenced_hashes(s)
    assert setup.image("clerk", setup.leader_key, signature).status_code == 404
    assert setup.image("dept.admin", setup.leader_key, signature).status_code == 404
    assert setup.image("clerk", setup.seal_key, seal).status_code == 403  # applies it only
    assert setup.image("admin", setup.seal_key, seal).status_code == 200
    for credential, png, status, code in (
        (setup.leader_key, b"GIF89a", 422, "image.not_png"),
        (setup.leader_key, b"", 422, "image.not_png"),
        (setup.leader_key, _png("RGB", (20, 40, 200)), 422, "image.opaque"),
        (setup.seal_key, _png("RGBA", (200, 0, 0, 255)), 422, "appearance.seal_size_unknown"),
        (
            setup.seal_key,
            _png("RGBA", (200, 0, 0, 255), dpi=(300, 300)),  # 5 mm
            422,
            "appearance.seal_size",
        ),
        (
            setup.leader_key,
            b"\x89PNG" + b"\0" * (2 * 1024 * 1024),
            413,
            "credential.image_too_large",
        ),
    ):
        r = setup.image("admin", credential, png)
        assert (r.status_code, r.json()["code"]) == (status, code), r.text
        assert r.json()["message"]["vi"] and r.json()["message"]["en"]
    with session_scope(engine, write=False) as s:
        changes = s.exec(
            select(AuditEntry).where(AuditEntry.action == "signing_credential.image")
        ).all()
    assert [e.object_id for e in changes] == [setup.leader_key] * 2 + [setup.seal_key]
    login(setup.client, "leader")  # the refusals changed nothing
    (mine,) = setup.client.get("/api/v1/signing-credentials").json()["items"]
    assert mine["image_sha256"] == second


def test_leader_signs_visibly_then_the_clerk_seals_over_it(setup: Setup, pdf: bytes) -> None:
    signature, seal = signature_png("Nguyễn Văn Lãnh"), seal_png(AGENCY)
    assert setup.image("admin", setup.leader_key, signature).status_code == 200
    assert setup.image("admin", setup.seal_key, seal).status_code == 200
    r = setup.sign("leader", setup.upload(pdf), credential_id=setup.leader_key, box=list(BOX))
    assert r.status_code == 201, r.text
    # The clerk gives no box: the seal finds the leader's signature image on the page.
    sealed = setup.seal(r.json()["id"], appearance=True)
    (setup.tmp / "sealed.pdf").write_bytes(sealed)
    assert pdfsig(setup.tmp / "sealed.pdf").count("Signature is Valid") == 2
    r = setup.client.post(
        "/api/v1/signatures/validate", content=sealed, headers={"Content-Type": "application/pdf"}
    )
    assert r.json()["indication"] == "TOTAL-PASSED", r.text
    # Where things should be, from the title and name the leader's account holds.
    leader = setup.world.people["leader"]
    image = signer_appearance(signature, title=leader.title, name=leader.full_name, rect=BOX)
    assert image.image_box is not None
    x1, y1, x2, y2 = image.image_box
    third = x1 + (x2 - x1) / 3
    stamp = seal_box(image.image_box, seal_size(seal))
    page = render(setup.tmp, sealed)
    assert count(page, (third + 2, y1, x2, y2), "blue") > 150  # the signature, uncovered
    assert count(page, stamp, "red") > 1500  # the seal at its real size…
    assert count(page, (x1, y1, third - 2, y2), "red") > 100  # …over the left third
    assert count(page, (third + 4, y1, x2, y2), "red") == 0
    assert count(page, (30.0, 300.0, 560.0, 700.0), "blue") == 0
    assert count(page, (30.0, 300.0, 560.0, 700.0), "red") == 0
    assert count(render(setup.tmp, pdf, "before"), BOX, "blue") == 0


def test_a_seal_with_a_box_and_no_signature_before_it(setup: Setup, pdf: bytes) -> None:
    assert setup.image("admin", setup.seal_key, seal_png(AGENCY)).status_code == 200
    content = setup.seal(setup.upload(pdf), box=BOX)
    stamp = seal_box(BOX, seal_size(seal_png(AGENCY)))  # over the left third of the box
    assert count(render(setup.tmp, content), stamp, "red") > 1500


def test_appearances_that_cannot_be_drawn(setup: Setup, pdf: bytes) -> None:
    file_id = setup.upload(pdf)
    for who, body, code in (
        (
            "leader",
            {"credential_id": setup.leader_key, "appearance": True},
            "signature.box_required",
        ),
        (
            "leader",
            {"credential_id": setup.leader_key, "box": list(BOX), "appearance": True},
            "credential.no_image",
        ),
    ):
        r = setup.sign(who, file_id, **body)
        assert r.status_code == 422 and r.json()["code"] == code, r.text
    with pytest.raises(errors.InvalidInput) as refused:
        setup.seal(file_id, appearance=True)
    assert refused.value.code == "credential.no_image"
    assert setup.image("admin", setup.seal_key, seal_png(AGENCY)).status_code == 200
    with pytest.raises((errors.InvalidInput, SigningError)) as refused:
        setup.seal(file_id, appearance=True)
    assert getattr(refused.value, "code", "") == "signature.seal_without_signature"
    # Without an image, a box is an empty widget: the signature itself is made.
    r = setup.sign("leader", file_id, credential_id=setup.leader_key, box=list(BOX))
    assert r.status_code == 201, r.text
    content = setup.client.get(f"/api/v1/files/{r.json()['id']}/content").content
    assert count(render(setup.tmp, content), BOX, "blue") == 0
