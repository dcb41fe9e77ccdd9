"""A real province from an empty database: init, the agency list, a clerk, a document."""

from __future__ import annotations

import getpass
from pathlib import Path

import pytest
from sqlmodel import select
from starlette.testclient import TestClient

from documents.models import DocumentType
from ecabinet.app import create_app
from ecabinet.cli import main
from ecabinet.core.db import make_engine, session_scope
from ecabinet.core.storage import open_store
from tests.conftest import SECRET, make_settings
from tests.support.databases import own_database

PROVINCE = [
    "--code",
    "000.00.00.H01",
    "--name",
    "Ủy ban nhân dân tỉnh An Giang",
    "--abbreviation",
    "UBND",
    "--admin",
    "quantri",
    "--admin-name",
    "Nguyễn Quản Trị",
]
# The departments before the province they belong to, as a published list may have them.
CODE_LIST = """STT,Tên cơ quan,Mã định danh,Viết tắt,Mã cấp trên
1,Sở Tư pháp,000.00.15.H01,STP,000.00.00.H01
2,Văn phòng Ủy ban nhân dân tỉnh,000.00.01.H01,VPUBND,000.00.00.H01
"""


def test_init_import_and_a_clerk_registers_a_document(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    pdf: bytes,
) -> None:
    with own_database(tmp_path, "ecabinet_init") as url:
        data = tmp_path / "data"
        for key, value in {
            "ECABINET_DATA_DIR": str(data),
            "ECABINET_DATABASE_URL": url,
            "ECABINET_SECRET_KEY": SECRET,
            "ADMIN_PW": "Quan-tri-2026",
            "CLERK_PW": "Van-thu-2026",
        }.items():
            monkeypatch.setenv(key, value)
        assert main(["migrate"]) == 0
        # No agency yet: a user cannot be placed anywhere (the gap this closes).
        clerk = ["user", "create", "le.van.thu", "--full-name", "Lê Văn Thư", "--password-env"]
        clerk += ["CLERK_PW", "--agency", "000.00.15.H01", "--role", "clerk"]
        assert main(clerk) == 1
        capsys.readouterr()

        assert not (data / "publication_log_key.pem").exists()
        assert main(["init", *PROVINCE, "--password-env", "ADMIN_PW"]) == 0
        out = capsys.readouterr().out
        assert "created user quantri" in out
        # the publication log's signing key is made at init, a secret, and in the key set
        assert "created publication log key " in out
        assert (data / "publication_log_key.pem").stat().st_mode & 0o777 == 0o600
        assert main(["init", *PROVINCE, "--password-env", "ADMIN_PW"]) == 0
        assert capsys.readouterr().out == "already initialised: nothing changed\n"
        # Typed at the terminal, a wrong password is a difference, never a change.
        monkeypatch.setattr(getpass, "getpass", lambda _prompt="": "Mat-khau-khac-9")
        assert main(["init", *PROVINCE]) == 1
        assert "the password of quantri differs" in capsys.readouterr().err

        (tmp_path / "co-quan.csv").write_text(CODE_LIST, encoding="utf-8")
        assert main(["agency", "import", str(tmp_path / "co-quan.csv")]) == 0
        assert "2 agency(ies) created" in capsys.readouterr().out
        assert main(["agency", "import", str(tmp_path / "co-quan.csv")]) == 0
        assert "0 agency(ies) created, 2 already present" in capsys.readouterr().out
        assert main(clerk) == 0
        assert main(["audit", "verify"]) == 0

        settings = make_settings(data, url)
        engine = make_engine(settings)
        with session_scope(engine, write=False) as session:
            type_id = session.exec(select(DocumentType.id).where(DocumentType.code == "CV")).one()
        app = create_app(settings, engine=engine, store=open_store(settings))
        with TestClient(app, base_url="http://testserver") as client:
            r = client.post(
                "/api/v1/auth/login", json={"username": "le.van.thu", "password": "Van-thu-2026"}
            )
            assert r.status_code == 200, r.text
            csrf = {"X-CSRF-Token": r.json()["csrf_token"]}
            membership = r.json()["memberships"][0]
            assert membership["agency"]["code"] == "000.00.15.H01"
            agency_id = membership["agency"]["id"]
            r = client.post(
                f"/api/v1/files?agency_id={agency_id}&filename=cong-van.pdf",
                content=pdf,
                headers=csrf | {"Content-Type": "application/pdf"},
            )
            assert r.status_code == 201, r.text
            body = {
                "agency_id": agency_id,
                "type_id": type_id,
                "abstract": "V/v rà soát thủ tục hành chính",
                "number_symbol": "12/UBND-VP",
                "issuing_agency_name": "Ủy ban nhân dân tỉnh An Giang",
                "issued_on": "2026-11-02",
                "file_id": r.json()["id"],
                "register_now": True,
            }
            r = client.post("/api/v1/documents/incoming", json=body, headers=csrf)
            assert r.status_code == 201, r.text
            assert (r.json()["state"], r.json()["arrival_number"]) == ("registered", 1)
        engine.dispose()
