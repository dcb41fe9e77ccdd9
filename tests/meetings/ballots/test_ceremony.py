"""Key ceremony: commitments, proofs of knowledge, encrypted shares, a cheating guardian."""

from __future__ import annotations

import copy

import pytest

from ecabinet.meetings import ballots as b
from ecabinet.meetings.ballots import ceremony, group
from tests.meetings.ballots.helpers import run_ceremony


def test_every_guardian_ends_with_a_share_of_the_joint_key() -> None:
    c = run_ceremony(3, 2)
    joint = b.joint_key(c.announcements)
    for share in c.shares:
        assert share.joint_key == joint
        assert share.verification_key == b.verification_key(c.announcements, share.index)
        assert group.point_hex(group.base_mul(share.secret)) == share.verification_key
    # the shares lie on one polynomial whose value at 0 is the joint secret
    xs = {s.index: s.secret for s in c.shares}
    for pair in ([1, 2], [1, 3], [2, 3]):
        secret = sum(b_lambda(pair, i) * xs[i] for i in pair) % group.N
        assert group.point_hex(group.base_mul(secret)) == joint


def b_lambda(indices: list[int], i: int) -> int:
    from ecabinet.meetings.ballots.decryption import lagrange_at_zero

    return lagrange_at_zero(indices, i)


def test_secret_and_share_survive_json() -> None:
    c = run_ceremony(3, 2)
    g = c.secrets[1]
    again = b.GuardianSecret.from_json(g.to_json())
    assert again == g
    assert b.announcement(again) == b.announcement(g)
    assert b.GuardianShare.from_json(c.shares[0].to_json()) == c.shares[0]
    bad = c.shares[0].to_json()
    bad["secret"] = group.scalar_hex(c.shares[0].secret + 1)
    with pytest.raises(b.BadInput):
        b.GuardianShare.from_json(bad)
    with pytest.raises(b.BadInput):
        b.GuardianSecret.from_json("{not json")


@pytest.mark.parametrize(
    "mutate",
    [
        lambda a: a["commitments"].__setitem__(1, group.point_hex(group.base_mul(5))),
        lambda a: a["proofs"][0].__setitem__("v", group.scalar_hex(1)),
        lambda a: a["proofs"][1].__setitem__("c", group.scalar_hex(1)),
        lambda a: a.__setitem__("guardian", 9),
        lambda a: a.__setitem__("quorum", 3),
        lambda a: a.__setitem__("aux_key", "02" + "ff" * 32),
        lambda a: a["commitments"].pop(),
        lambda a: a.__setitem__("extra", 1),
        lambda a: a.__setitem__("commitments", "nope"),
    ],
)
def test_a_bad_announcement_is_refused(mutate: object) -> None:
    a = b.announcement(b.new_guardian(1, 3, 2))
    b.check_announcement(a, 3, 2)
    bad = copy.deepcopy(a)
    mutate(bad)  # type: ignore[operator]
    with pytest.raises(b.CeremonyError):
        b.check_announcement(bad, 3, 2)


def test_a_copied_commitment_without_its_secret_fails_the_proof() -> None:
    """A rogue guardian may not announce K_0 = (its key) - (the others'): it cannot prove
    knowledge of the discrete log."""
    honest = b.announcement(b.new_guardian(1, 3, 2))
    rogue = b.announcement(b.new_guardian(2, 3, 2))
    target = group.sub(group.base_mul(1234), group.parse_point(honest["commitments"][0]))
    rogue["commitments"][0] = group.point_hex(target)
    with pytest.raises(b.CeremonyError, match="coefficient 0"):
        b.check_announcement(rogue, 3, 2)


def test_a_cheating_guardians_share_is_detected_and_named() -> None:
    secrets = [b.new_guardian(i, 3, 2) for i in (1, 2, 3)]
    announcements = [b.announcement(g) for g in secrets]
    sent = {g.index: b.shares_for(g, announcements) for g in secrets}
    # guardian 2 sends guardian 1 a value off its polynomial, properly encrypted
    liar = secrets[1]
    wrong = ceremony.GuardianSecret(
        liar.index,
        liar.count,
        liar.quorum,
        (liar.coefficients[0] + 1, *liar.coefficients[1:]),
        liar.aux_secret,
        liar.proofs,
    )
    sent[2] = b.shares_for(wrong, announcements)
    received = {i: sent[i][1] for i in (2, 3)}
    with pytest.raises(b.CeremonyError) as caught:
        b.accept_shares(secrets[0], announcements, received)
    assert caught.value.code == "ceremony.bad_share"
    assert caught.value.details["guardian"] == 2
    # guardian 3 is honest toward guardian 1: guardian 1 would accept with a correct one
    received[2] = b.shares_for(secrets[1], announcements)[1]
    b.accept_shares(secrets[0], announcements, received)


def test_a_share_altered_in_transit_or_missing_is_refused() -> None:
    secrets = [b.new_guardian(i, 3, 2) for i in (1, 2, 3)]
    announcements = [b.announcement(g) for g in secrets]
    sent = {g.index: b.shares_for(g, announcements) for g in secrets}
    received = {i: sent[i][1] for i in (2, 3)}
    flipped = dict(received)
    blob = bytearray(bytes.fromhex(flipped[3]))
    blob[-1] ^= 1
    flipped[3] = blob.hex()
    with pytest.raises(b.CeremonyError) as caught:
        b.accept_shares(secrets[0], announcements, flipped)
    assert caught.value.details["guardian"] == 3
    # a share meant for guardian 3 given to guardian 1 does not decrypt
    swapped = {2: sent[2][3], 3: received[3]}
    with pytest.raises(b.CeremonyError) as caught:
        b.accept_shares(secrets[0], announcements, swapped)
    assert caught.value.details["guardian"] == 2
    with pytest.raises(b.CeremonyError):
        b.accept_shares(secrets[0], announcements, {2: received[2]})


def test_missing_or_duplicate_announcements_are_refused() -> None:
    c = run_ceremony(3, 2)
    with pytest.raises(b.CeremonyError):
        b.joint_key(c.announcements[:2])
    with pytest.raises(b.CeremonyError):
        b.joint_key([c.announcements[0], c.announcements[0], c.announcements[2]])
    with pytest.raises(b.BadInput):
        b.new_guardian(4, 3, 2)
    with pytest.raises(b.BadInput):
        b.new_guardian(1, 3, 4)
