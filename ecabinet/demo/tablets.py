"""What the guardians' and voters' tablets do in an encrypted secret vote, played on the
server for the demo and the benches only (a real deployment never holds these secrets:
they live on the tablets). Nothing in production imports this module."""

from __future__ import annotations

from collections.abc import Callable

from sqlmodel import Session

from ecabinet.core.audit import Actor
from ecabinet.core.policy import Subject
from ecabinet.meetings import access, ballots, guardians, secret_votes
from ecabinet.meetings.voting_models import Vote

Person = Callable[[int], tuple[Actor, Subject]]
"""A user id -> how that person acts."""


def ceremony(
    session: Session,
    chair: tuple[Actor, Subject],
    meeting_id: int,
    deployment: str,
    person: Person,
) -> dict[int, tuple[int, ballots.GuardianShare]]:
    """The meeting's default guardians run the whole ceremony; guardian index -> (user id,
    the key share their tablet keeps)."""
    ceremony = guardians.designate(
        session,
        *chair,
        access.load(session, meeting_id),
        deployment=deployment,
        user_ids=None,
        quorum=None,
    )
    chosen = guardians.guardians_of(session, meeting_id)
    secrets = {
        g.index: ballots.new_guardian(g.index, ceremony.count, ceremony.quorum) for g in chosen
    }
    who = {g.index: person(g.user_id) for g in chosen}
    for i, secret in secrets.items():
        view = access.load(session, meeting_id)
        guardians.announce(session, *who[i], view, ballots.announcement(secret))
    announced = guardians.announcements_of(session, meeting_id)
    for i, secret in secrets.items():
        view = access.load(session, meeting_id)
        guardians.send_shares(session, *who[i], view, ballots.shares_for(secret, announced))
    shares: dict[int, tuple[int, ballots.GuardianShare]] = {}
    for g in chosen:
        view = access.load(session, meeting_id)
        got = guardians.received(session, who[g.index][1], view)
        received = {int(k): v for k, v in got["shares"].items()}
        share = ballots.accept_shares(secrets[g.index], got["announcements"], received)
        guardians.confirm(session, *who[g.index], view, share.joint_key)
        shares[g.index] = (g.user_id, share)
    return shares


def encrypt(session: Session, vote: Vote, choice: int) -> ballots.CheckedBallot:
    """A voter's tablet's ballot, as the server checks it."""
    ctx = secret_votes.context_of(session, vote)
    checked = secret_votes.check(ctx, ballots.encrypt_ballot(ctx, choice))
    assert isinstance(checked, ballots.CheckedBallot)
    return checked


def decrypt(
    session: Session,
    meeting_id: int,
    vote: Vote,
    shares: dict[int, tuple[int, ballots.GuardianShare]],
    person: Person,
) -> None:
    """A quorum of guardians decrypt the vote's total (the first ones, in index order)."""
    ctx = secret_votes.context_of(session, vote)
    for user_id, share in list(shares.values())[: ctx.quorum]:
        view = access.load(session, meeting_id)
        request = secret_votes.tally_request(session, view, vote)
        assert request is not None
        partial = ballots.partial_decrypt(ctx, share, request["aggregate"])
        secret_votes.submit_partial(session, *person(user_id), view, vote, partial)
