"""The tablet's TypeScript (frontend/src/meetings/ballots) and the server's Python agree
byte for byte: TS ballots, guardians and partial decryptions are checked by Python, and
Python guardians' shares are accepted by TS guardians.

The TS is bundled with the rolldown that Vite ships (frontend/node_modules, installed by
`make frontend`) and run with node."""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from ecabinet.meetings import ballots as b
from ecabinet.meetings.ballots.ballot import encrypt_plaintexts
from tests.meetings.ballots.helpers import OPTIONS

ROOT = Path(__file__).resolve().parents[3]
FRONTEND = ROOT / "frontend"
DRIVER = Path(__file__).with_name("ts_driver.mjs")


@pytest.fixture(scope="module")
def ts(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Node]:
    rolldown = FRONTEND / "node_modules" / ".bin" / "rolldown"
    node = shutil.which("node")
    if node is None or not rolldown.exists():
        pytest.fail("node and frontend/node_modules are needed: run `make frontend`")
    out = tmp_path_factory.mktemp("ts") / "ballots.mjs"
    subprocess.run(
        [
            str(rolldown),
            "src/meetings/ballots/index.ts",
            "--file",
            str(out),
            "--format",
            "esm",
            "--platform",
            "node",
        ],
        cwd=FRONTEND,
        check=True,
        capture_output=True,
        timeout=120,
    )
    node_process = Node(out)
    yield node_process
    node_process.close()


class Node:
    """One node process running the driver; a request and its answer per line."""

    def __init__(self, bundle: Path) -> None:
        self.process = subprocess.Popen(
            ["node", str(DRIVER), str(bundle)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )

    def __call__(self, op: str, **args: Any) -> Any:
        assert self.process.stdin is not None and self.process.stdout is not None
        self.process.stdin.write(json.dumps({"op": op, **args}) + "\n")
        self.process.stdin.flush()
        line = self.process.stdout.readline()
        assert line, "the node driver stopped"
        return json.loads(line)

    def close(self) -> None:
        assert self.process.stdin is not None
        self.process.stdin.close()
        self.process.wait(timeout=30)


def test_ts_and_python_guardians_hold_a_ceremony_then_python_checks_ts_ballots_and_partials(
    ts: Node,
) -> None:
    # guardian 1 (the chair) runs the TS; guardians 2 and 3 are Python
    made = ts("new_guardian", index=1, count=3, quorum=2)
    ts_secret = made["secret"]
    py_secrets = [b.new_guardian(i, 3, 2) for i in (2, 3)]
    announcements = [made["announcement"], *(b.announcement(g) for g in py_secrets)]
    b.check_announcement(made["announcement"], 3, 2)
    for a in announcements:
        assert ts("check_announcement", announcement=a, count=3, quorum=2)["ok"]

    keys = ts("keys", announcements=announcements)
    assert keys["joint_key"] == b.joint_key(announcements)
    assert keys["verification_keys"] == [b.verification_key(announcements, i) for i in (1, 2, 3)]

    ts_sent = {
        int(k): v
        for k, v in ts("shares_for", secret=ts_secret, announcements=announcements).items()
    }
    py_sent = {g.index: b.shares_for(g, announcements) for g in py_secrets}
    py_shares = [
        b.accept_shares(
            g,
            announcements,
            {1: ts_sent[g.index]} | {i: py_sent[i][g.index] for i in py_sent if i != g.index},
        )
        for g in py_secrets
    ]
    got = ts(
        "accept_shares",
        secret=ts_secret,
        announcements=announcements,
        received={str(i): py_sent[i][1] for i in py_sent},
    )
    ts_share = got["share"]
    assert ts_share["verification_key"] == b.verification_key(announcements, 1)
    b.GuardianShare.from_json(ts_share)  # Python reads what the tablet stores

    ctx = b.vote_context(
        "tỉnh-thử", 12, 34, "Thông qua “Nghị quyết”\n số 5?", OPTIONS, announcements, 2
    )
    digest = ts("digest", ctx=ctx.to_json())
    assert digest["canonical"].encode() == b.canonical_json(ctx.to_json())
    assert digest["digest"] == ctx.digest()

    choices = [0, 1, 2, 2, 1, 2]
    encrypted = ts("encrypt", ctx=ctx.to_json(), choices=choices)
    ballots = []
    for item in encrypted:
        checked = b.check_ballot(ctx, item["ballot"])
        assert checked.tracking_code == item["tracking_code"]
        assert checked.short_code == item["short_code"]
        ballots.append(item["ballot"])
    python_ballot = b.encrypt_ballot(ctx, 1)
    assert ts("tracking", ballots=[python_ballot]) == [b.tracking_code(python_ballot)]
    ballots.append(python_ballot)

    agg = b.aggregate(ctx, ballots)
    assert ts("aggregate", ctx=ctx.to_json(), ballots=ballots) == agg
    ts_partial = ts("partial", ctx=ctx.to_json(), share=ts_share, aggregate=agg)
    checked = ts(
        "partial_checked",
        ctx=ctx.to_json(),
        share=ts_share,
        ballots=ballots,
        aggregate=agg,
        expected=7,
    )
    b.check_partial(ctx, 1, agg, checked["partial"])
    # the server cannot have the guardian decrypt one ballot alone, nor a short list
    alone = b.aggregate(ctx, ballots[:1])
    refused = ts(
        "partial_checked",
        ctx=ctx.to_json(),
        share=ts_share,
        ballots=ballots,
        aggregate=alone,
        expected=7,
    )
    assert "not the sum" in refused["error"]
    refused = ts(
        "partial_checked",
        ctx=ctx.to_json(),
        share=ts_share,
        ballots=ballots[:1],
        aggregate=alone,
        expected=7,
    )
    assert "turnout" in refused["error"]
    b.check_partial(ctx, 1, agg, ts_partial)
    counts = b.combine(ctx, agg, {1: ts_partial, 3: b.partial_decrypt(ctx, py_shares[1], agg)}, 7)
    assert counts == [1, 3, 3]
    record = b.build_record(
        ctx,
        announcements,
        ballots,
        agg,
        {1: ts_partial, 2: b.partial_decrypt(ctx, py_shares[0], agg)},
        counts,
    )
    assert b.verify_record(record).ok


def test_a_ts_guardian_detects_a_cheating_python_guardian(ts: Node) -> None:
    made = ts("new_guardian", index=1, count=3, quorum=2)
    py_secrets = [b.new_guardian(i, 3, 2) for i in (2, 3)]
    announcements = [made["announcement"], *(b.announcement(g) for g in py_secrets)]
    liar = py_secrets[1]
    wrong = b.GuardianSecret(
        liar.index,
        3,
        2,
        (liar.coefficients[0] + 1, *liar.coefficients[1:]),
        liar.aux_secret,
        liar.proofs,
    )
    received = {
        "2": b.shares_for(py_secrets[0], announcements)[1],
        "3": b.shares_for(wrong, announcements)[1],
    }
    got = ts(
        "accept_shares",
        secret=made["secret"],
        announcements=announcements,
        received=received,
    )
    assert "guardian 3" in got["error"]
    forged = dict(announcements[1], proofs=announcements[2]["proofs"])
    assert not ts("check_announcement", announcement=forged, count=3, quorum=2)["ok"]


def test_an_altered_ts_ballot_is_refused_by_python(ts: Node) -> None:
    secrets = [b.new_guardian(i, 3, 2) for i in (1, 2, 3)]
    announcements = [b.announcement(g) for g in secrets]
    ctx = b.vote_context("t", 1, 2, "Q", ["A", "B"], announcements, 2)
    ballot = ts("encrypt", ctx=ctx.to_json(), choices=[1])[0]["ballot"]
    ballot["selections"][0], ballot["selections"][1] = (
        ballot["selections"][1],
        ballot["selections"][0],
    )
    with pytest.raises(b.BallotRejected):
        b.check_ballot(ctx, ballot)


def test_the_browser_verifier_agrees_with_python_on_records_and_ballots(ts: Node) -> None:
    secrets = [b.new_guardian(i, 3, 2) for i in (1, 2, 3)]
    announcements = [b.announcement(g) for g in secrets]
    sent = {g.index: b.shares_for(g, announcements) for g in secrets}
    shares = [
        b.accept_shares(g, announcements, {i: sent[i][g.index] for i in sent if i != g.index})
        for g in secrets
    ]
    ctx = b.vote_context("t", 1, 2, "Biểu quyết?", OPTIONS, announcements, 2)
    ballots = [b.encrypt_ballot(ctx, c) for c in (0, 2, 2, 1, 2)]
    agg = b.aggregate(ctx, ballots)
    partials = {s.index: b.partial_decrypt(ctx, s, agg) for s in shares[1:]}
    record = b.build_record(ctx, announcements, ballots, agg, partials, [1, 1, 3])
    report = ts("verify_record", text=record.decode())
    assert report == {
        "ok": True,
        "counts": [1, 1, 3],
        "problems": [],
        "trackingCodes": b.verify_record(record).tracking_codes,
    }

    for tamper, path in (
        (lambda d: d["counts"].__setitem__(0, 2), "counts[0]"),
        (
            lambda d: d["ballots"][3]["ballot"]["sum_proof"].__setitem__("v", "01" * 32),
            "ballots[3].ballot",
        ),
        (lambda d: d["ballots"].pop(1), "aggregate.ballot_count"),
        (
            lambda d: d["partials"][0]["shares"][1].__setitem__(
                "D", d["partials"][1]["shares"][1]["D"]
            ),
            "partials[0]",
        ),
        (
            lambda d: d["announcements"][0].__setitem__(
                "aux_key", d["announcements"][1]["aux_key"]
            ),
            "context.ceremony",
        ),
    ):
        d = json.loads(record)
        tamper(d)
        text = (b.canonical_json(d) + b"\n").decode()
        python_paths = [p for p, _ in b.verify_record(text.encode()).problems]
        ts_report = ts("verify_record", text=text)
        assert not ts_report["ok"]
        assert path in python_paths
        assert path in [p for p, _ in ts_report["problems"]], ts_report["problems"]

    assert ts("check_ballot", ctx=ctx.to_json(), ballot=ballots[0]) == {
        "tracking_code": b.tracking_code(ballots[0])
    }
    bad = json.loads(json.dumps(ballots[0]))
    bad["selections"][1]["proof"]["c1"] = bad["selections"][1]["proof"]["c0"]
    assert ts("check_ballot", ctx=ctx.to_json(), ballot=bad) == {
        "code": "ballot.bad_proof",
        "where": "selections[1]",
    }
    two = encrypt_plaintexts(ctx, [1, 1, 0])
    assert ts("check_ballot", ctx=ctx.to_json(), ballot=two)["where"] == "sum_proof"
