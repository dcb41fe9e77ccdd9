"""Finding 6: a credential is registered only for the person or agency its certificate
names (common name, and the Vietnamese identifier when both sides have one), for
signing, valid, and chained to a configured trust anchor; each refusal says what did
not match, in Vietnamese and English, and is audited."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding
from cryptography.x509.oid import NameOID
from sqlalchemy import Engine
from sqlmodel import select

from ecabinet.core import agencies, users
from ecabinet.core.agencies import Agency, Role
from ecabinet.core.audit import AuditEntry
from ecabinet.core.db import session_scope
from ecabinet.core.users import User
from ecabinet.signatures.models import SigningCredential
from tests.factories import ACTOR, PASSWORD
from tests.support.credentials import PASSPHRASE, PIN, Issued, Issuer, issuer
from tests.support.signing_app import SigningApp, signing_app

CHAIRMAN = "Nguyễn Văn Lãnh"  # the test world's leader ("chủ tịch")
VICE = "Trần Thị Đào"


@pytest.fixture
def setup(tmp_path: Path, database_url: str, engine: Engine, ca: Issuer) -> Iterator[SigningApp]:
    with signing_app(SigningApp, tmp_path, database_url, engine, [ca.ca.root]) as app:
        with session_scope(engine) as s:
            vice = users.create_user(
                s, ACTOR, username="phochutich", password=PASSWORD, full_name=VICE
            )
            assert vice.id is not None and app.world.province.id is not None
            agencies.grant_role(
                s, ACTOR, user_id=vice.id, agency_id=app.world.province.id, role=Role.leader
            )
            app.world.people["phochutich"] = vice
        yield app


def _register(app: SigningApp, issued: Issued, **owner: Any) -> Any:
    body = {
        "pkcs12": base64.b64encode(issued.data).decode(),
        "passphrase": PASSPHRASE,
        "pin": PIN,
    }
    return app.post("admin", "/api/v1/signing-credentials", json=body | owner)


def _rows(engine: Engine) -> list[SigningCredential]:
    with session_scope(engine, write=False) as s:
        return list(s.exec(select(SigningCredential)))


def _refusals(engine: Engine) -> list[str]:
    with session_scope(engine, write=False) as s:
        query = select(AuditEntry).where(AuditEntry.action == "signing_credential.refused")
        return [e.summary for e in s.exec(query)]


def _id(app: SigningApp, who: str) -> int:
    found = app.world.people[who].id
    assert found is not None
    return found


def test_f06_the_chairmans_pkcs12_is_refused_for_the_vice_chairwoman(
    setup: SigningApp, ca: Issuer, engine: Engine
) -> None:
    chairman = ca.pkcs12(CHAIRMAN)
    r = _register(setup, chairman, user_id=_id(setup, "phochutich"))
    assert r.status_code == 422, r.text
    body = r.json()
    assert body["code"] == "credential.name_mismatch"
    assert CHAIRMAN in body["message"]["vi"] and VICE in body["message"]["vi"]
    assert CHAIRMAN in body["message"]["en"] and VICE in body["message"]["en"]
    assert _rows(engine) == []
    (refusal,) = _refusals(engine)
    assert "credential.name_mismatch" in refusal and CHAIRMAN in refusal
    # The same file registers for the chairman himself.
    assert _register(setup, chairman, user_id=_id(setup, "leader")).status_code == 201


@pytest.mark.parametrize(
    ("on_certificate", "full_name"),
    [
        ("NGUYEN VAN LANH", CHAIRMAN),
        ("nguyễn  văn lãnh", CHAIRMAN),
        ("Do Thi Dao", "Đỗ Thị Đào"),
        ("ĐỖ THỊ ĐÀO", "Đỗ Thị Đào"),
    ],
)
def test_f06_names_compare_without_case_spacing_or_diacritics(
    setup: SigningApp, ca: Issuer, engine: Engine, on_certificate: str, full_name: str
) -> None:
    with session_scope(engine) as s:
        user = s.get(User, _id(setup, "phochutich"))
        assert user is not None
        user.full_name = full_name
        s.add(user)
    r = _register(setup, ca.pkcs12(on_certificate), user_id=_id(setup, "phochutich"))
    assert r.status_code == 201, r.text


def test_f06_a_seal_names_its_agency(setup: SigningApp, ca: Issuer, engine: Engine) -> None:
    province, department = setup.world.province, setup.world.department
    r = _register(setup, ca.pkcs12(department.name), agency_id=province.id)
    assert r.status_code == 422 and r.json()["code"] == "credential.name_mismatch"
    assert department.name in r.json()["message"]["vi"]
    assert _register(setup, ca.pkcs12(province.name), agency_id=province.id).status_code == 201


def test_f06_vietnamese_identifiers_compare_when_the_system_knows_them(
    setup: SigningApp, ca: Issuer, engine: Engine
) -> None:
    with session_scope(engine) as s:
        user = s.get(User, _id(setup, "phochutich"))
        agency = s.get(Agency, setup.world.province.id)
        assert user is not None and agency is not None
        user.personal_id = "001099012345"
        agency.budget_code = "1234567"
        s.add(user)
        s.add(agency)
    vice = _id(setup, "phochutich")

    def serial(value: str) -> tuple[x509.NameAttribute, ...]:
        return (x509.NameAttribute(NameOID.SERIAL_NUMBER, value),)

    def uid(value: str) -> tuple[x509.NameAttribute, ...]:
        return (x509.NameAttribute(NameOID.USER_ID, value),)

    r = _register(setup, ca.pkcs12(VICE, subject_extra=serial("CCCD:001099099999")), user_id=vice)
    assert r.status_code == 422 and r.json()["code"] == "credential.identifier_mismatch", r.text
    assert "001099099999" in r.json()["message"]["vi"] and "CCCD" in r.json()["message"]["en"]
    r = _register(setup, ca.pkcs12(VICE, subject_extra=uid("CMND:001099012345")), user_id=vice)
    assert r.status_code == 201, r.text
    province = setup.world.province
    seal = ca.pkcs12(province.name, subject_extra=uid("MNS:7654321"))
    r = _register(setup, seal, agency_id=province.id)
    assert r.status_code == 422 and r.json()["code"] == "credential.identifier_mismatch"
    # The agency code (mã định danh) is known for every agency.
    other = setup.world.department.code
    r = _register(setup, ca.pkcs12(province.name, subject_extra=uid(other)), agency_id=province.id)
    assert r.status_code == 422 and other in r.json()["message"]["en"]
    r = _register(
        setup,
        ca.pkcs12(province.name, subject_extra=uid("MNS:1234567") + serial(province.code)),
        agency_id=province.id,
    )
    assert r.status_code == 201, r.text
    assert len(_refusals(engine)) == 3


def test_f06_the_certificate_must_chain_to_a_trust_anchor(
    setup: SigningApp, tmp_path_factory: pytest.TempPathFactory, engine: Engine
) -> None:
    stranger = issuer(tmp_path_factory, "untrusted-ca")
    r = _register(setup, stranger.pkcs12(CHAIRMAN), user_id=_id(setup, "leader"))
    assert r.status_code == 422 and r.json()["code"] == "credential.untrusted", r.text
    assert _rows(engine) == []
    # A USB token's certificate too.
    token = stranger.pkcs12(CHAIRMAN).certificate
    r = setup.post(
        "admin",
        "/api/v1/signing-credentials/token",
        json={
            "certificate_pem": token.public_bytes(Encoding.PEM).decode(),
            "user_id": _id(setup, "leader"),
        },
    )
    assert r.status_code == 422 and r.json()["code"] == "credential.untrusted"


def test_f06_a_token_certificate_must_name_its_official(
    setup: SigningApp, ca: Issuer, engine: Engine
) -> None:
    cert = ca.pkcs12(CHAIRMAN).certificate
    r = setup.post(
        "admin",
        "/api/v1/signing-credentials/token",
        json={
            "certificate_pem": cert.public_bytes(Encoding.PEM).decode(),
            "chain_pem": ca.ca.intermediate.public_bytes(Encoding.PEM).decode(),
            "user_id": _id(setup, "phochutich"),
        },
    )
    assert r.status_code == 422 and r.json()["code"] == "credential.name_mismatch"
    assert _rows(engine) == []
