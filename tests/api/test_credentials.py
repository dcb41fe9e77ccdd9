"""The signing-credential routes: uploads by admins, bilingual refusals, never a 500."""

from __future__ import annotations

import base64
import datetime as dt

import pytest
from cryptography.hazmat.primitives.serialization import Encoding
from sqlalchemy import Engine
from starlette.testclient import TestClient

from ecabinet.core.settings import Settings
from tests.factories import login, make_world
from tests.support.credentials import PASSPHRASE, PIN, Issuer

URL = "/api/v1/signing-credentials"


@pytest.fixture(autouse=True)
def trusted(settings: Settings, ca: Issuer) -> None:
    """The test CA's root in the app's trust folder: registered certificates chain to it."""
    settings.trust_anchors_dir.mkdir(parents=True, exist_ok=True)
    (settings.trust_anchors_dir / "test-ca.pem").write_bytes(ca.ca.root.public_bytes(Encoding.PEM))


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def test_an_admin_uploads_and_the_official_lists_it(
    app_client: TestClient, engine: Engine, ca: Issuer
) -> None:
    world = make_world(engine)
    issued = ca.pkcs12("Nguyễn Văn Lãnh")
    csrf = login(app_client, "admin")
    body = {
        "pkcs12": _b64(issued.data),
        "passphrase": PASSPHRASE,
        "pin": PIN,
        "user_id": world.people["leader"].id,
        "label": "Khóa của Chủ tịch",
    }
    r = app_client.post(URL, json=body, headers={"X-CSRF-Token": csrf})
    assert r.status_code == 201, r.text
    out = r.json()
    assert out["kind"] == "personal" and out["user_id"] == world.people["leader"].id
    assert out["agency_id"] == world.province.id and out["label"] == "Khóa của Chủ tịch"
    assert out["subject"] == "CN=Nguyễn Văn Lãnh,C=VN" and out["disabled_at"] is None
    assert not {"encrypted_key", "passphrase", "pin", "kek_id", "certificate_pem"} & set(out)
    assert out["pin_set"] and not out["locked"] and not out["needs_otp"]
    assert PASSPHRASE not in r.text and PIN not in r.text
    login(app_client, "leader")
    items = app_client.get(URL).json()["items"]
    assert [i["id"] for i in items] == [out["id"]]
    login(app_client, "dept.specialist")
    assert app_client.get(URL).json()["items"] == []
    # The upload is in the audit log, without the passphrase.
    login(app_client, "admin")
    r = app_client.get("/api/v1/audit")
    assert r.status_code == 200
    assert "signing_credential.upload" in r.text and PASSPHRASE not in r.text
    assert PIN not in r.text


def test_non_admins_cannot_upload(app_client: TestClient, engine: Engine, ca: Issuer) -> None:
    world = make_world(engine)
    data = _b64(ca.pkcs12("Nguyễn Văn Lãnh").data)
    assert (
        app_client.post(
            URL, json={"pkcs12": data, "passphrase": PASSPHRASE, "pin": PIN, "user_id": 1}
        ).status_code
        == 401
    )
    csrf = login(app_client, "leader")
    own = {
        "pkcs12": data,
        "passphrase": PASSPHRASE,
        "pin": PIN,
        "user_id": world.people["leader"].id,
    }
    r = app_client.post(URL, json=own, headers={"X-CSRF-Token": csrf})
    assert r.status_code == 403 and r.json()["code"] == "permission.denied"
    csrf = login(app_client, "clerk")
    seal = {"pkcs12": data, "passphrase": PASSPHRASE, "pin": PIN, "agency_id": world.province.id}
    r = app_client.post(URL, json=seal, headers={"X-CSRF-Token": csrf})
    assert r.status_code == 403
    csrf = login(app_client, "dept.admin")
    r = app_client.post(URL, json=seal, headers={"X-CSRF-Token": csrf})
    assert r.status_code == 403
    r = app_client.post(URL, json={**seal, "agency_id": 9999}, headers={"X-CSRF-Token": csrf})
    assert r.status_code == 404 and r.json()["code"] == "agency.not_found"


def test_bad_uploads_get_bilingual_4xx(app_client: TestClient, engine: Engine, ca: Issuer) -> None:
    world = make_world(engine)
    leader = world.people["leader"].id
    good = ca.pkcs12("Nguyễn Văn Lãnh")
    expired = ca.pkcs12(
        "Hết Hạn", valid_from=dt.timedelta(days=-400), valid_for=dt.timedelta(days=300)
    )
    csrf = login(app_client, "admin")
    cases = [
        ({"pkcs12": "không phải base64!"}, 422, "credential.bad_base64"),
        ({"pkcs12": _b64(b"%PDF-1.7\n")}, 422, "credential.not_pkcs12"),
        ({"passphrase": "sai-mat-khau"}, 422, "credential.wrong_passphrase"),
        ({"pkcs12": _b64(expired.data)}, 422, "credential.certificate_expired"),
        ({"user_id": 424242}, 404, "user.not_found"),
        ({"user_id": None}, 422, "credential.owner_required"),
        ({"agency_id": world.province.id}, 422, "credential.owner_required"),
        ({"passphrase": None}, 422, "request.invalid"),
        ({"pin": None}, 422, "request.invalid"),
        ({"pin": "12345"}, 422, "credential.pin_too_short"),
        ({"pin": "000000"}, 422, "credential.pin_too_weak"),
        ({"pin": "123456"}, 422, "credential.pin_too_weak"),
        ({"pkcs12": "A" * 500_000}, 422, "request.invalid"),
        ({"extra": "x"}, 422, "request.invalid"),
    ]
    for change, status, code in cases:
        body = {
            "pkcs12": _b64(good.data),
            "passphrase": PASSPHRASE,
            "pin": PIN,
            "user_id": leader,
            **change,
        }
        body = {k: v for k, v in body.items() if not (k in ("passphrase", "pin") and v is None)}
        r = app_client.post(URL, json=body, headers={"X-CSRF-Token": csrf})
        assert (r.status_code, r.json()["code"]) == (status, code), (change, r.text)
        message = r.json()["message"]
        assert message["vi"] and message["en"] and message["vi"] != message["en"]
        assert PASSPHRASE not in r.text and "sai-mat-khau" not in r.text and PIN not in r.text
    r = app_client.post(URL, content=b"{not json", headers={"X-CSRF-Token": csrf})
    assert r.status_code == 422
    r = app_client.post(
        URL,
        json={"pkcs12": _b64(good.data), "passphrase": PASSPHRASE, "pin": PIN, "user_id": leader},
        headers={"X-CSRF-Token": csrf},
    )
    assert r.status_code == 201
    r = app_client.post(
        URL,
        json={"pkcs12": _b64(good.data), "passphrase": PASSPHRASE, "pin": PIN, "user_id": leader},
        headers={"X-CSRF-Token": csrf},
    )
    assert r.status_code == 409 and r.json()["code"] == "credential.duplicate"


def test_disable_and_delete(app_client: TestClient, engine: Engine, ca: Issuer) -> None:
    world = make_world(engine)
    csrf = login(app_client, "admin")
    body = {
        "pkcs12": _b64(ca.pkcs12(world.province.name).data),
        "passphrase": PASSPHRASE,
        "pin": PIN,
        "agency_id": world.province.id,
    }
    credential_id = app_client.post(URL, json=body, headers={"X-CSRF-Token": csrf}).json()["id"]
    csrf = login(app_client, "dept.specialist")
    r = app_client.delete(f"{URL}/{credential_id}", headers={"X-CSRF-Token": csrf})
    assert r.status_code == 404 and r.json()["code"] == "credential.not_found"
    csrf = login(app_client, "clerk")
    assert [i["id"] for i in app_client.get(URL).json()["items"]] == [credential_id]
    r = app_client.delete(f"{URL}/{credential_id}", headers={"X-CSRF-Token": csrf})
    assert r.status_code == 403
    csrf = login(app_client, "admin")
    r = app_client.post(f"{URL}/{credential_id}/disable", headers={"X-CSRF-Token": csrf})
    assert r.status_code == 200 and r.json()["disabled_at"] is not None
    r = app_client.delete(f"{URL}/{credential_id}", headers={"X-CSRF-Token": csrf})
    assert r.status_code == 204
    assert app_client.get(URL).json()["items"] == []
    r = app_client.delete(f"{URL}/{credential_id}", headers={"X-CSRF-Token": csrf})
    assert r.status_code == 404 and r.json()["code"] == "credential.not_found"
    r = app_client.delete(f"{URL}/no-such-id", headers={"X-CSRF-Token": csrf})
    assert r.status_code == 404
