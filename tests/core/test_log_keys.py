"""The key chain outside readers follow (the publication-log monitor, the audit witness):
a key is trusted when a trusted key endorsed it, never because the server lists it."""

from __future__ import annotations

import base64

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from ecabinet.core import log_keys
from ecabinet.core.log_keys import ServedKey


def _row(key: Ed25519PrivateKey, by: Ed25519PrivateKey | None) -> ServedKey:
    kid, pem = log_keys.key_id_of(key), log_keys.public_pem(key)
    sig = base64.b64encode(by.sign(log_keys.endorsed_text(kid, pem))).decode() if by else None
    return ServedKey(kid, pem, log_keys.key_id_of(by) if by else None, sig)


def _served(*rows: ServedKey) -> dict[str, object]:
    return {"keys": [row.__dict__ for row in rows]}


def test_a_follower_accepts_what_its_keys_endorsed_and_nothing_else() -> None:
    k0, k1, k2, rogue = (Ed25519PrivateKey.generate() for _ in range(4))
    ids = [log_keys.key_id_of(k) for k in (k0, k1, k2, rogue)]
    served = _served(_row(k0, None), _row(k1, k0), _row(k2, k1), _row(rogue, None))

    first_run, problems = log_keys.follow(served, {})
    assert set(first_run.keys) == set(ids[:3]) and first_run.first == ids[0]
    assert problems == [f"key {ids[3][:16]} is not endorsed by an earlier key"]

    # a follower that trusted only k1 (it started after the first rotation)
    later, problems = log_keys.follow(served, {ids[1]: k1.public_key()})
    assert set(later.keys) == {ids[1], ids[2]} and later.first is None
    assert problems == [f"key {ids[3][:16]} is not endorsed by an earlier key"]

    # an endorsement by a key the follower does not trust proves nothing
    forged = _served(_row(rogue, None), _row(k2, rogue))
    keys, problems = log_keys.follow(forged, {ids[1]: k1.public_key()})
    assert keys.keys == {} and problems == [f"the trusted key {ids[1][:16]} is gone"]


def test_a_served_set_that_is_no_key_set_is_refused() -> None:
    for junk in ([], {"keys": [{"key_id": "x"}]}, {"keys": 3}):
        try:
            log_keys.follow(junk, {})
        except ValueError as exc:
            assert "not a key set" in str(exc)
        else:
            raise AssertionError(junk)
