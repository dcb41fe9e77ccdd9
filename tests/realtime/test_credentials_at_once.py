"""A batch of ballots resolves its voters' credentials in a few queries: the answer for
each credential is the one a lone ballot would get (live, revoked, unknown, forged)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, text
from sqlmodel import select

from ecabinet.core import auth as core_auth
from ecabinet.core.db import session_scope
from ecabinet.core.users import User
from realtime import auth
from tests.conftest import make_settings
from tests.documents.office import Office, office_app


@pytest.fixture
def office(tmp_path: Path, database_url: str, engine: Engine) -> Iterator[Office]:
    with office_app(tmp_path, database_url, engine) as app:
        yield app


def _token(engine: Engine, username: str) -> str:
    with session_scope(engine) as s:
        user = s.exec(select(User).where(User.username == username)).one()
        secret, _ = core_auth.create_token(
            s,
            core_auth.Principal(user, "token"),
            name="tablet",
            expires_in_days=None,
            client_addr="",
        )
    return secret


def _cookie(office: Office, who: str) -> str:
    office.as_(who)
    value = office.client.cookies.get(auth.SESSION_COOKIE)
    assert value
    return str(value)


def _who(found: Any) -> Any:
    return None if found is None else (found.user.username, found.via, found.token_id)


def test_many_credentials_answer_as_each_alone(
    office: Office, engine: Engine, tmp_path: Path, database_url: str
) -> None:
    live = [_token(engine, w) for w in ("p.spec", "p.spec2", "p.head")]
    revoked = _token(engine, "p.leader")
    with session_scope(engine) as s:
        s.execute(
            text("UPDATE api_token SET revoked_at = created_at WHERE token_hash = :h"),
            {"h": core_auth._sha(revoked)},
        )
    cookies = [_cookie(office, "p.clerk"), _cookie(office, "p.spec")]
    credentials: list[auth.Credential] = [
        (None, live[0]),
        (cookies[0], None),
        (None, revoked),
        (None, "ecab_unknown"),
        (None, "not-a-token"),
        (None, live[1]),
        ("forged." + cookies[1], None),
        (cookies[1], None),
        (None, live[0]),  # the same tablet twice in one batch
        (None, None),
        (None, live[2]),
    ]
    settings = make_settings(tmp_path / "data", database_url)  # the app's secret key
    with session_scope(engine, write=False) as s:
        alone = [_who(auth.principal(s, settings, c)) for c in credentials]
    with session_scope(engine, write=False) as s:
        together = [_who(p) for p in auth.principals(s, settings, credentials)]
    assert together == alone
    assert [w is not None for w in together] == [
        True,
        True,
        False,
        False,
        False,
        True,
        False,
        True,
        True,
        False,
        True,
    ]
