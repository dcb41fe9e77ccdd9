"""The live meeting over Socket.IO: join and catch up, intents decided by the services,
events numbered and broadcast after commit (over the socket or over REST), and bad
input refused with an error event while the meeting stays as it was."""

from __future__ import annotations

import asyncio
import copy
import os
import uuid
from pathlib import Path

import pytest
import socketio
from sqlalchemy import Engine

from ecabinet.meetings import ballots
from tests.meetings import tablets as helpers
from tests.realtime.room import NS, Place, live_place, tablet, until


@pytest.fixture
def place(tmp_path: Path, database_url: str, engine: Engine):  # type: ignore[no-untyped-def]
    with live_place(tmp_path, database_url, engine) as p:
        yield p


def _seq(place: Place, mid: int) -> int:
    r = place.rest("p.clerk", "GET", f"/meetings/{mid}/events?after=0")
    return int(r.json()["seq"])


def test_connect_needs_a_credential(place: Place) -> None:
    async def scenario() -> None:
        for auth in (None, {"token": "ecab_wrong"}, {"token": ["x"]}):
            client = socketio.AsyncClient(reconnection=False)
            with pytest.raises(socketio.exceptions.ConnectionError):
                await client.connect(
                    place.base, namespaces=[NS], transports=["websocket"], auth=auth, wait_timeout=5
                )

    asyncio.run(scenario())


def test_agenda_moves_reach_every_tablet_in_order(place: Place) -> None:
    detail = place.meeting()
    mid = detail["meeting"]["id"]
    first, second = (i["id"] for i in detail["agenda"])

    async def scenario() -> None:
        chair = await tablet(place, "p.leader")
        members = [await tablet(place, w) for w in ("p.spec", "p.spec2")]
        joined = [await t.ask("join", {"meeting_id": mid}) for t in (chair, *members)]
        for j in joined:
            assert j["ok"] and j["snapshot"]["state"] == "in_progress"
            assert j["snapshot"]["current_item_id"] == first
            assert j["snapshot"]["quorum"]["met"] is True
        start_seq = joined[0]["seq"]

        for item in (second, first, second):
            answer = await chair.ask("agenda", {"meeting_id": mid, "item_id": item})
            assert answer == {"ok": True}, answer
        for t in members:
            await until(lambda t=t: len(t.events) >= 3)
            assert [e["seq"] for e in t.events] == [start_seq + 1, start_seq + 2, start_seq + 3]
            assert [e["data"]["item_id"] for e in t.events] == [second, first, second]
            assert t.events[0]["kind"] == "agenda" and t.events[0]["meeting_id"] == mid

        # a change made over REST is broadcast too
        r = place.rest(
            "p.clerk",
            "POST",
            f"/meetings/{mid}/check-in",
            json={"user_id": place.ids["p.head"], "status": "online"},
        )
        assert r.status_code == 200
        event = await members[0].wait_for("attendance")
        assert event["seq"] == start_seq + 4 and event["data"]["quorum"]["present"] == 4
        for t in (chair, *members):
            await t.close()

    asyncio.run(scenario())


def test_a_tablet_that_reconnects_gets_what_it_missed(place: Place) -> None:
    detail = place.meeting()
    mid = detail["meeting"]["id"]
    first, second = (i["id"] for i in detail["agenda"])
    doc_free_seq = _seq(place, mid)

    async def scenario() -> None:
        chair = await tablet(place, "p.leader")
        await chair.ask("join", {"meeting_id": mid})
        member = await tablet(place, "p.spec")
        await member.ask("join", {"meeting_id": mid, "after": doc_free_seq})
        await chair.ask("agenda", {"meeting_id": mid, "item_id": second})
        await member.wait_for("agenda")
        last = member.events[-1]["seq"]
        await member.close()  # the Wi-Fi drops
        await chair.ask("speak", {"meeting_id": mid})
        await chair.ask("agenda", {"meeting_id": mid, "item_id": first})
        back = await tablet(place, "p.spec")
        answer = await back.ask("join", {"meeting_id": mid, "after": last})
        assert answer["ok"] and "snapshot" not in answer
        assert [e["seq"] for e in answer["events"]] == [last + 1, last + 2]
        assert [e["kind"] for e in answer["events"]] == ["speaker", "agenda"]
        assert answer["seq"] == last + 2
        # too far behind (or a new tablet): a snapshot
        fresh = await back.ask("join", {"meeting_id": mid})
        snap = fresh["snapshot"]
        assert snap["seq"] == last + 2 and snap["current_item_id"] == first
        assert [s["state"] for s in snap["speakers"]] == ["waiting"]
        for t in (chair, back):
            await t.close()

    asyncio.run(scenario())


def test_follow_the_presenter(place: Place, pdf: bytes) -> None:
    detail = place.meeting()
    mid = detail["meeting"]["id"]
    doc = place.attach(detail, pdf)

    async def scenario() -> None:
        chair, member = await tablet(place, "p.leader"), await tablet(place, "p.spec")
        for t in (chair, member):
            await t.ask("join", {"meeting_id": mid})
        shown = await chair.ask("present", {"meeting_id": mid, "document_id": doc, "page": 3})
        assert shown["presenting"] == {
            "user_id": place.ids["p.leader"],
            "document_id": doc,
            "page": 3,
        }
        event = await member.wait_for("present")
        assert event["data"]["page"] == 3
        refused = await member.ask("present", {"meeting_id": mid, "document_id": doc, "page": 1})
        assert refused["error"]["code"] == "meeting.forbidden"
        wrong = await chair.ask("present", {"meeting_id": mid, "document_id": doc + 99, "page": 1})
        assert wrong["error"]["code"] == "meeting.document_not_found"
        again = await member.ask("join", {"meeting_id": mid})
        assert again["snapshot"]["presenting"]["page"] == 3
        # The agenda moves on: a tablet joining now follows the new item, not the old page.
        second = detail["agenda"][1]["id"]
        await chair.ask("agenda", {"meeting_id": mid, "item_id": second})
        later = await member.ask("join", {"meeting_id": mid})
        assert later["snapshot"]["presenting"] is None
        for t in (chair, member):
            await t.close()

    asyncio.run(scenario())


def test_secret_vote_over_the_socket(place: Place) -> None:
    detail = place.meeting(present=("p.leader", "p.spec", "p.spec2", "p.head"))
    mid = detail["meeting"]["id"]
    item = detail["agenda"][0]["id"]
    rest = helpers.OverRest(place)
    keys = helpers.ceremony(rest, f"/api/v1/meetings/{mid}")

    async def scenario() -> None:
        who = ("p.leader", "p.spec", "p.spec2", "p.head", "p.clerk")
        tablets = {w: await tablet(place, w) for w in who}
        for t in tablets.values():
            await t.ask("join", {"meeting_id": mid})
        opened = await tablets["p.leader"].ask(
            "vote_open",
            {"meeting_id": mid, "item_id": item, "question": "Thông qua tờ trình?", "secret": True},
        )
        assert opened["ok"], opened
        vote_id = opened["vote"]["id"]
        ctx = helpers.context(rest, f"/api/v1/meetings/{mid}", vote_id)
        # before the first ballot: the proof-checking workers are started (when the
        # server may use several cores) and the vote's context is read, so a burst of
        # ballots waits for neither
        box = place.sio.namespace_handlers[NS].ballots
        assert (box.pool is not None) == (len(os.sched_getaffinity(0)) > 1)
        assert box.contexts[(mid, vote_id)].digest() == ctx.digest()
        voters = ("p.leader", "p.spec", "p.spec2", "p.head")
        encrypted = [ballots.encrypt_ballot(ctx, i % 2) for i in range(len(voters))]
        # a forged ballot (its ciphertexts swapped) arriving with the others is refused alone
        forged = copy.deepcopy(encrypted[0])
        sel = forged["selections"]
        sel[0]["B"], sel[1]["B"] = sel[1]["B"], sel[0]["B"]
        answers = await asyncio.gather(
            tablets["p.spec"].ask(
                "ballot", {"meeting_id": mid, "vote_id": vote_id, "ballot": forged}
            ),
            *(
                tablets[w].ask("ballot", {"meeting_id": mid, "vote_id": vote_id, "ballot": b})
                for w, b in zip(voters, encrypted, strict=True)
            ),
        )
        refused, answers = answers[0], answers[1:]
        assert refused["error"]["code"] == "ballot.bad_proof", refused
        assert all(a["ok"] for a in answers), answers
        assert sorted(a["cast"] for a in answers) == [1, 2, 3, 4]
        assert {a["receipt"] for a in answers} == {
            ballots.check_ballot(ctx, b).tracking_code for b in encrypted
        }
        second = await tablets["p.spec"].ask(
            "ballot",
            {"meeting_id": mid, "vote_id": vote_id, "ballot": ballots.encrypt_ballot(ctx, 1)},
        )
        assert second["error"]["code"] == "vote.already_cast"
        assert tablets["p.spec"].errors[-1]["code"] == "vote.already_cast"
        assert tablets["p.spec"].errors[-1]["intent"] == "ballot"
        plain = await tablets["p.head"].ask(
            "ballot", {"meeting_id": mid, "vote_id": vote_id, "choice": 1}
        )
        assert plain["error"]["code"] == "vote.encrypted_only"
        closed = await tablets["p.spec"].ask("vote_close", {"meeting_id": mid, "vote_id": vote_id})
        assert closed["error"]["code"] == "meeting.forbidden"
        closed = await tablets["p.leader"].ask(
            "vote_close", {"meeting_id": mid, "vote_id": vote_id}
        )
        assert closed["vote"]["state"] == "tallying" and closed["vote"]["counts"] is None
        # the guardians' tablets are asked for their part, and answer over the socket
        for guardian in ("p.leader", "p.clerk"):
            asked = await tablets[guardian].wait_for("tally_requested")
            request = asked["data"]
            ctx_now = ballots.VoteContext.from_json(request["context"])
            partial = ballots.partial_decrypt(ctx_now, keys[guardian], request["aggregate"])
            done = await tablets[guardian].ask(
                "tally_partial", {"meeting_id": mid, "vote_id": vote_id, "partial": partial}
            )
            assert done["ok"], done
        assert done["vote"]["counts"][:2] == [2, 2] and done["vote"]["state"] == "closed"
        for t in tablets.values():
            result = await t.wait_for("vote_closed")
            assert result["data"]["counts"][:2] == [2, 2]
            assert result["data"]["record_hash"] == done["vote"]["record_hash"]
            # ballots that arrive together are counted together: one count per batch
            counts = [e["data"]["cast"] for e in t.events if e["kind"] == "vote_count"]
            assert counts == sorted(set(counts)) and counts[-1] == 4
        late = await tablets["p.head"].ask(
            "ballot", {"meeting_id": mid, "vote_id": vote_id, "ballot": encrypted[3]}
        )
        assert late["error"]["code"] == "vote.closed"
        for t in tablets.values():
            await t.close()

    asyncio.run(scenario())


def test_a_secret_vote_whose_key_is_lost_is_voided_over_the_socket(place: Place) -> None:
    detail = place.meeting(present=("p.leader", "p.spec", "p.spec2", "p.head"))
    mid = detail["meeting"]["id"]
    item = detail["agenda"][0]["id"]
    rest = helpers.OverRest(place)
    helpers.ceremony(rest, f"/api/v1/meetings/{mid}")
    reason = "Mất hai máy giữ khóa"

    async def scenario() -> None:
        tablets = {w: await tablet(place, w) for w in ("p.leader", "p.spec")}
        for t in tablets.values():
            await t.ask("join", {"meeting_id": mid})
        chair = tablets["p.leader"]
        opened = await chair.ask(
            "vote_open", {"meeting_id": mid, "item_id": item, "question": "Kín?", "secret": True}
        )
        vote_id = opened["vote"]["id"]
        ctx = helpers.context(rest, f"/api/v1/meetings/{mid}", vote_id)
        cast = await tablets["p.spec"].ask(
            "ballot",
            {"meeting_id": mid, "vote_id": vote_id, "ballot": ballots.encrypt_ballot(ctx, 0)},
        )
        assert cast["ok"], cast
        ref = {"meeting_id": mid, "vote_id": vote_id}
        early = await chair.ask("vote_void", ref | {"reason": reason})
        assert early["error"]["code"] == "vote.not_tallying"
        closed = await chair.ask("vote_close", ref)
        assert closed["vote"]["state"] == "tallying"
        member = await tablets["p.spec"].ask("vote_void", ref | {"reason": reason})
        assert member["error"]["code"] == "meeting.forbidden"
        empty = await chair.ask("vote_void", ref | {"reason": ""})
        assert "error" in empty and empty["error"]["message"]["vi"]
        voided = await chair.ask("vote_void", ref | {"reason": reason})
        assert voided["ok"], voided
        assert voided["vote"]["state"] == "voided" and voided["vote"]["void_reason"] == reason
        for t in tablets.values():
            seen = await t.wait_for("vote_voided")
            assert seen["data"]["reason"] == reason and seen["data"]["vote_id"] == vote_id
            events = t.events
            await until(
                lambda events=events: any(
                    e["kind"] == "ceremony" and e["data"]["state"] == "lost" for e in events
                )
            )
        for t in tablets.values():
            await t.close()

    asyncio.run(scenario())


def test_bad_input_is_refused_and_the_meeting_is_unharmed(place: Place) -> None:
    detail = place.meeting()
    mid = detail["meeting"]["id"]
    second = detail["agenda"][1]["id"]
    seq_before = _seq(place, mid)

    async def scenario() -> None:
        stranger = await tablet(place, "d.spec")  # another agency, not invited
        joined = await stranger.ask("join", {"meeting_id": mid})
        assert joined["error"]["code"] == "meeting.not_found"
        moved = await stranger.ask("agenda", {"meeting_id": mid, "item_id": second})
        assert moved["error"]["code"] == "meeting.not_found"
        assert stranger.errors[-1]["message"]["vi"] and stranger.errors[-1]["message"]["en"]

        member = await tablet(place, "p.spec")
        await member.ask("join", {"meeting_id": mid})
        moved = await member.ask("agenda", {"meeting_id": mid, "item_id": second})
        assert moved["error"]["code"] == "meeting.forbidden"
        for bad in (
            "text",
            42,
            [1, 2],
            {"meeting_id": "one"},
            {"meeting_id": mid},
            {"meeting_id": mid, "item_id": second, "extra": 1},
            {"meeting_id": -1, "item_id": 1},
        ):
            answer = await member.ask("agenda", bad)
            assert answer["ok"] is False and answer["error"]["code"] == "socket.bad_payload", (
                bad,
                answer,
            )
        unknown = await member.ask("drop_tables", {"meeting_id": mid})
        assert unknown["error"]["code"] == "socket.unknown_event"
        huge = await member.ask(
            "present", {"meeting_id": mid, "document_id": 1, "page": 1, "pad": "x" * 400_000}
        )
        assert huge["error"]["code"] == "socket.too_large"

        # a flood: the bucket refuses beyond its burst, the socket stays usable
        answers = await asyncio.gather(
            *(member.ask("speak", {"meeting_id": "x"}) for _ in range(80))
        )
        codes = [a["error"]["code"] for a in answers]
        assert "socket.flood" in codes and codes.count("socket.bad_payload") <= 45
        await asyncio.sleep(1.0)
        assert (await member.ask("speak", {"meeting_id": mid}))["ok"]

        # the chair's view: nothing but the one request for the floor happened
        chair = await tablet(place, "p.leader")
        seen = await chair.ask("join", {"meeting_id": mid, "after": seq_before})
        assert [e["kind"] for e in seen["events"]] == ["speaker"]
        assert stranger.events == []
        for t in (stranger, member, chair):
            await t.close()

    asyncio.run(scenario())


def test_a_revoked_token_stops_the_socket(place: Place) -> None:
    detail = place.meeting()
    mid = detail["meeting"]["id"]

    async def scenario() -> None:
        member = await tablet(place, "p.spec")
        assert (await member.ask("join", {"meeting_id": mid}))["ok"]
        tokens = place.rest("p.spec", "GET", "/tokens").json()
        items = tokens["items"] if isinstance(tokens, dict) else tokens
        for tok in items:
            place.rest("p.spec", "DELETE", f"/tokens/{tok['id']}")
        # the socket is told why, then disconnected
        await until(lambda: not member.client.connected)
        ((kind, why),) = member.direct
        assert kind == "ended" and why["code"] == "auth.ended"
        assert why["message"]["vi"] and why["message"]["en"]

    asyncio.run(scenario())


def test_annotations_over_the_socket(place: Place, pdf: bytes) -> None:
    """A shared stroke reaches the other tablets as a numbered event; a note for a named
    colleague reaches only them; oversized ink is refused and nothing is stored."""
    c1, c2, c3 = (str(uuid.uuid4()) for _ in range(3))
    detail = place.meeting()
    mid = detail["meeting"]["id"]
    doc = place.attach(detail, pdf)
    ink = {
        "kind": "ink",
        "page": 0,
        "body": {
            "points": [{"x": 0.1, "y": 0.2}, {"x": 0.4, "y": 0.25}],
            "color": "#D32F2F",
            "width": 0.004,
        },
    }

    async def scenario() -> None:
        author, other, third = [await tablet(place, w) for w in ("p.spec", "p.spec2", "p.head")]
        for t in (author, other, third):
            await t.ask("join", {"meeting_id": mid})
        shared = await author.ask(
            "annotate",
            {"meeting_id": mid, "document_id": doc, "client_id": c1, "visibility": "everyone"}
            | ink,
        )
        assert shared["ok"], shared
        event = await other.wait_for("annotation")
        assert event["data"]["client_id"] == c1 and "body" not in event["data"]
        fetched = place.rest("p.spec2", "GET", f"/meetings/{mid}/annotations/{event['data']['id']}")
        assert fetched.json()["body"]["points"][1]["x"] == 0.4
        assert fetched.json()["revision"] == event["data"]["revision"] == 1
        named = await author.ask(
            "annotate",
            {
                "meeting_id": mid,
                "document_id": doc,
                "client_id": c2,
                "visibility": "named",
                "shared_with": [place.ids["p.spec2"]],
            }
            | ink,
        )
        assert named["ok"], named
        await until(lambda: any(d["client_id"] == c2 for _, d in other.direct))
        assert not any(d["client_id"] == c2 for _, d in third.direct)
        assert all(e["data"].get("client_id") != c2 for e in third.events)

        long_stroke = ink | {"body": ink["body"] | {"points": [{"x": 0.5, "y": 0.5}] * 6000}}
        refused = await author.ask(
            "annotate",
            {"meeting_id": mid, "document_id": doc, "client_id": c3, "visibility": "me"}
            | long_stroke,
        )
        assert refused["ok"] is False and refused["error"]["code"].startswith(
            ("annotation.", "socket.")
        )
        malformed = await author.ask(
            "annotate", {"meeting_id": mid, "document_id": doc, "kind": "laser"}
        )
        assert malformed["ok"] is False
        listed = place.rest("p.spec", "GET", f"/meetings/{mid}/documents/{doc}/annotations").json()
        assert sorted(a["client_id"] for a in listed["items"]) == sorted([c1, c2])
        gone = await author.ask("unannotate", {"meeting_id": mid, "client_id": c1})
        assert gone["ok"], gone
        await other.wait_for("annotation_deleted")
        for t in (author, other, third):
            await t.close()

    asyncio.run(scenario())
