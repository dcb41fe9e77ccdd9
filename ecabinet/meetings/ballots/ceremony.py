"""Key ceremony: a joint-Feldman (Pedersen) distributed key generation between guardians.

Guardian i (1..n) picks a polynomial P_i of degree k-1, announces K_ij = a_ij·G with a
Schnorr proof of knowledge of each a_ij and an auxiliary key E_i = e_i·G, and sends each
other guardian l the value P_i(l) encrypted to E_l (ECDH + HKDF-SHA256 + AES-256-GCM),
through the server, which learns nothing. Guardian l checks P_i(l)·G = Σ_j l^j·K_ij and
keeps x_l = Σ_i P_i(l). Anyone computes K = Σ_i K_i0 and X_l = Σ_i Σ_j l^j·K_ij.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from ecabinet.meetings.ballots import errors, group

TAG_POK = "ecabinet/ballots/v1/guardian-pok"
TAG_SHARE = "ecabinet/ballots/v1/share"
MAX_GUARDIANS = 15


@dataclass(frozen=True)
class GuardianSecret:
    """What a guardian's tablet keeps during the ceremony (never leaves the tablet)."""

    index: int
    count: int
    quorum: int
    coefficients: tuple[int, ...]
    """a_i0..a_i(k-1): the polynomial's coefficients."""
    aux_secret: int
    """e_i: the auxiliary ECDH key the other guardians encrypt shares to."""
    proofs: tuple[tuple[int, int], ...]
    """(challenge, response) of each coefficient's Schnorr proof, made once."""

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": "guardian-secret",
            "index": self.index,
            "count": self.count,
            "quorum": self.quorum,
            "coefficients": [group.scalar_hex(a) for a in self.coefficients],
            "aux_secret": group.scalar_hex(self.aux_secret),
            "proofs": [
                {"c": group.scalar_hex(c), "v": group.scalar_hex(v)} for c, v in self.proofs
            ],
        }

    @classmethod
    def from_json(cls, data: dict[str, Any] | str | bytes) -> GuardianSecret:
        d = _load(data, "guardian-secret")
        try:
            index, count, quorum = _ints(d, "index", "count", "quorum")
            _check_sizes(index, count, quorum)
            coefficients = tuple(group.parse_scalar(a) for a in d["coefficients"])
            proofs = tuple(
                (group.parse_scalar(p["c"]), group.parse_scalar(p["v"])) for p in d["proofs"]
            )
            aux = group.parse_scalar(d["aux_secret"])
        except (KeyError, TypeError, ValueError):
            raise errors.bad_input("guardian secret") from None
        if len(coefficients) != quorum or len(proofs) != quorum or aux == 0:
            raise errors.bad_input("guardian secret")
        return cls(index, count, quorum, coefficients, aux, proofs)


@dataclass(frozen=True)
class GuardianShare:
    """A guardian's share of the joint key after the ceremony (kept on the tablet)."""

    index: int
    count: int
    quorum: int
    secret: int
    """x_l = Σ_i P_i(l)."""
    joint_key: str
    verification_key: str
    """X_l = x_l·G, hex."""

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": "guardian-share",
            "index": self.index,
            "count": self.count,
            "quorum": self.quorum,
            "secret": group.scalar_hex(self.secret),
            "joint_key": self.joint_key,
            "verification_key": self.verification_key,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any] | str | bytes) -> GuardianShare:
        d = _load(data, "guardian-share")
        try:
            index, count, quorum = _ints(d, "index", "count", "quorum")
            _check_sizes(index, count, quorum)
            secret = group.parse_scalar(d["secret"])
            group.parse_point(d["joint_key"])
            x = group.parse_point(d["verification_key"])
        except (KeyError, TypeError, ValueError):
            raise errors.bad_input("guardian share") from None
        if not group.equal(group.base_mul(secret), x):
            raise errors.bad_input("guardian share: key mismatch")
        return cls(index, count, quorum, secret, d["joint_key"], d["verification_key"])


def _load(data: dict[str, Any] | str | bytes, kind: str) -> dict[str, Any]:
    if isinstance(data, str | bytes):
        try:
            data = json.loads(data)
        except ValueError:
            raise errors.bad_input(kind) from None
    if not isinstance(data, dict) or data.get("kind") != kind:
        raise errors.bad_input(kind)
    return data


def _ints(d: dict[str, Any], *names: str) -> tuple[int, ...]:
    values = tuple(d[n] for n in names)
    if not all(type(v) is int for v in values):
        raise TypeError("not an integer")
    return values


def _check_sizes(index: int, count: int, quorum: int) -> None:
    if not (1 <= quorum <= count <= MAX_GUARDIANS and 1 <= index <= count):
        raise ValueError("index, count or quorum out of range")


def _pok_challenge(
    index: int, count: int, quorum: int, j: int, k: group.Point, u: group.Point
) -> int:
    return group.challenge(TAG_POK, index, count, quorum, j, k, u)


def new_guardian(
    index: int, count: int, quorum: int, rng: group.Rng | None = None
) -> GuardianSecret:
    """A fresh guardian for position ``index`` (1-based) of ``count``, quorum ``quorum``."""
    try:
        _check_sizes(index, count, quorum)
    except ValueError:
        raise errors.bad_input("guardian index, count or quorum") from None
    coefficients = tuple(group.random_scalar(rng) for _ in range(quorum))
    proofs = []
    for j, a in enumerate(coefficients):
        u = group.random_scalar(rng)
        c = _pok_challenge(index, count, quorum, j, group.base_mul(a), group.base_mul(u))
        proofs.append((c, (u - c * a) % group.N))
    return GuardianSecret(
        index, count, quorum, coefficients, group.random_scalar(rng), tuple(proofs)
    )


def announcement(g: GuardianSecret) -> dict[str, Any]:
    """The public part a guardian publishes: commitments, their proofs, auxiliary key."""
    return {
        "guardian": g.index,
        "count": g.count,
        "quorum": g.quorum,
        "commitments": [group.point_hex(group.base_mul(a)) for a in g.coefficients],
        "proofs": [{"c": group.scalar_hex(c), "v": group.scalar_hex(v)} for c, v in g.proofs],
        "aux_key": group.point_hex(group.base_mul(g.aux_secret)),
    }


def _bad(a: object, reason_vi: str, reason_en: str) -> errors.CeremonyError:
    who = a.get("guardian") if isinstance(a, dict) else None
    return errors.ceremony(
        "bad_announcement",
        f"Công bố khóa của người giữ khóa {who} không hợp lệ: {reason_vi}.",
        f"Guardian {who}'s key announcement is invalid: {reason_en}.",
        guardian=who,
        reason=reason_en,
    )


def check_announcement(a: dict[str, Any], count: int, quorum: int) -> None:
    """Raise :class:`errors.CeremonyError` unless ``a`` is a well-formed announcement for a
    ceremony of ``count`` guardians and quorum ``quorum`` with every proof valid."""
    if not isinstance(a, dict) or set(a) != {
        "guardian",
        "count",
        "quorum",
        "commitments",
        "proofs",
        "aux_key",
    }:
        raise _bad(a, "sai các trường", "wrong fields")
    if (
        type(a["count"]) is not int
        or type(a["quorum"]) is not int
        or a["count"] != count
        or a["quorum"] != quorum
    ):
        raise _bad(a, "sai số người giữ khóa hoặc ngưỡng", "wrong guardian count or quorum")
    if type(a["guardian"]) is not int or not 1 <= a["guardian"] <= count:
        raise _bad(a, "sai số thứ tự", "wrong index")
    commitments, proofs = a["commitments"], a["proofs"]
    if not isinstance(commitments, list) or not isinstance(proofs, list):
        raise _bad(a, "sai kiểu", "wrong types")
    if len(commitments) != quorum or len(proofs) != quorum:
        raise _bad(a, "sai số cam kết", "wrong number of commitments")
    try:
        group.parse_point(a["aux_key"])
        points = [group.parse_point(k) for k in commitments]
        pairs = [_proof_pair(p) for p in proofs]
    except ValueError:
        raise _bad(a, "điểm hoặc số không hợp lệ", "invalid point or scalar") from None
    for j, (k, (c, v)) in enumerate(zip(points, pairs, strict=True)):
        u = group.add([group.base_mul(v), group.mul(c, k)])
        if u is None or _pok_challenge(a["guardian"], count, quorum, j, k, u) != c:
            raise _bad(a, f"chứng minh hệ số {j} sai", f"proof of coefficient {j} fails")


def _proof_pair(p: object) -> tuple[int, int]:
    if not isinstance(p, dict) or set(p) != {"c", "v"}:
        raise ValueError("proof shape")
    return group.parse_scalar(p["c"]), group.parse_scalar(p["v"])


def _check_all(
    announcements: list[dict[str, Any]], count: int, quorum: int
) -> dict[int, dict[str, Any]]:
    if not isinstance(announcements, list):
        raise errors.bad_input("announcements")
    by_index: dict[int, dict[str, Any]] = {}
    for a in announcements:
        check_announcement(a, count, quorum)
        if a["guardian"] in by_index:
            raise _bad(a, "trùng số thứ tự", "duplicate index")
        by_index[a["guardian"]] = a
    if sorted(by_index) != list(range(1, count + 1)):
        raise errors.ceremony(
            "missing_announcement",
            "Thiếu công bố khóa của một người giữ khóa.",
            "A guardian's key announcement is missing.",
        )
    return by_index


def _sizes_of(announcements: list[dict[str, Any]]) -> tuple[int, int]:
    if not isinstance(announcements, list) or not announcements:
        raise errors.bad_input("announcements")
    first = announcements[0]
    if (
        not isinstance(first, dict)
        or type(first.get("count")) is not int
        or type(first.get("quorum")) is not int
    ):
        raise errors.bad_input("announcements")
    return first["count"], first["quorum"]


def _evaluate(coefficients: tuple[int, ...], x: int) -> int:
    return sum(a * pow(x, j, group.N) for j, a in enumerate(coefficients)) % group.N


def shares_for(
    g: GuardianSecret, announcements: list[dict[str, Any]], rng: group.Rng | None = None
) -> dict[int, str]:
    """P_i(l) for every other guardian l, each encrypted to l's auxiliary key: recipient
    index → hex(ephemeral point 33 B ‖ nonce 12 B ‖ AES-GCM ciphertext+tag 48 B)."""
    by_index = _check_all(announcements, g.count, g.quorum)
    out: dict[int, str] = {}
    for recipient_index, a in sorted(by_index.items()):
        if recipient_index == g.index:
            continue
        recipient = group.parse_point(a["aux_key"])
        z = group.random_scalar(rng)
        ephemeral = group.base_mul(z)
        key = _hkdf(z, recipient, g.index, recipient_index, ephemeral, recipient)
        nonce = (rng or os.urandom)(12)
        aad = group.hash_parts(TAG_SHARE, g.index, recipient_index)
        sealed = AESGCM(key).encrypt(
            nonce, group.scalar_bytes(_evaluate(g.coefficients, recipient_index)), aad
        )
        out[recipient_index] = (group.encode_point(ephemeral) + nonce + sealed).hex()
    return out


def _hkdf(
    secret: int,
    public: group.Point,
    sender: int,
    recipient: int,
    ephemeral: group.Point,
    recipient_key: group.Point,
) -> bytes:
    shared = group.mul(secret, public)
    assert shared is not None
    return HKDF(
        algorithm=hashes.SHA256(),
        length=32,
        salt=None,
        info=group.hash_parts(TAG_SHARE, sender, recipient, ephemeral, recipient_key),
    ).derive(group.encode_point(shared)[1:])


def _bad_share(sender: int, reason_vi: str, reason_en: str) -> errors.CeremonyError:
    return errors.ceremony(
        "bad_share",
        f"Phần khóa nhận từ người giữ khóa {sender} không hợp lệ: {reason_vi}.",
        f"The key share from guardian {sender} is invalid: {reason_en}.",
        guardian=sender,
        reason=reason_en,
    )


def accept_shares(
    g: GuardianSecret, announcements: list[dict[str, Any]], received: dict[int, str]
) -> GuardianShare:
    """Decrypt and check every other guardian's share against its commitments and return
    this guardian's key share; raises :class:`errors.CeremonyError` naming a bad sender.
    ``received`` maps sender index (int, or its decimal string as JSON has it) to the share."""
    by_index = _check_all(announcements, g.count, g.quorum)
    shares = group.index_keys(received) or {}
    mine = by_index[g.index]
    if mine["commitments"] != announcement(g)["commitments"]:
        raise errors.ceremony(
            "not_mine",
            "Công bố khóa mang số thứ tự của tôi không phải của tôi.",
            "The announcement under my index is not mine.",
        )
    own_aux = group.base_mul(g.aux_secret)
    total = _evaluate(g.coefficients, g.index)
    for i in sorted(by_index):
        if i == g.index:
            continue
        blob = shares.get(i)
        if not isinstance(blob, str) or len(blob) != 2 * (33 + 12 + 48):
            raise _bad_share(i, "thiếu hoặc sai độ dài", "missing or wrong length")
        try:
            raw = bytes.fromhex(blob)
            ephemeral = group.parse_point(raw[:33].hex())
        except ValueError:
            raise _bad_share(i, "không đọc được", "unreadable") from None
        key = _hkdf(g.aux_secret, ephemeral, i, g.index, ephemeral, own_aux)
        try:
            plain = AESGCM(key).decrypt(
                raw[33:45], raw[45:], group.hash_parts(TAG_SHARE, i, g.index)
            )
        except InvalidTag:
            raise _bad_share(i, "không giải mã được", "does not decrypt") from None
        value = int.from_bytes(plain, "big")
        commitments = [group.parse_point(k) for k in by_index[i]["commitments"]]
        expected = group.lincomb((pow(g.index, j, group.N), k) for j, k in enumerate(commitments))
        if value >= group.N or not group.equal(group.base_mul(value), expected):
            raise _bad_share(i, "không khớp với cam kết", "does not match the commitments")
        total = (total + value) % group.N
    key_hex = verification_key(announcements, g.index)
    if not group.equal(group.base_mul(total), group.parse_point(key_hex)):
        raise errors.ceremony("mismatch", "Khóa không khớp.", "The key share does not match.")
    return GuardianShare(g.index, g.count, g.quorum, total, joint_key(announcements), key_hex)


def joint_key(announcements: list[dict[str, Any]]) -> str:
    """K = Σ_i K_i0 (checks every announcement first)."""
    count, quorum = _sizes_of(announcements)
    by_index = _check_all(announcements, count, quorum)
    k = group.add(group.parse_point(a["commitments"][0]) for a in by_index.values())
    if k is None:
        raise errors.ceremony("degenerate", "Khóa chung suy biến.", "The joint key is degenerate.")
    return group.point_hex(k)


def verification_key(announcements: list[dict[str, Any]], index: int) -> str:
    """X_l = Σ_i Σ_j l^j·K_ij (checks every announcement first)."""
    count, quorum = _sizes_of(announcements)
    by_index = _check_all(announcements, count, quorum)
    if type(index) is not int or not 1 <= index <= count:
        raise errors.bad_input("guardian index")
    x = group.lincomb(
        (pow(index, j, group.N), group.parse_point(k))
        for a in by_index.values()
        for j, k in enumerate(a["commitments"])
    )
    if x is None:
        raise errors.ceremony("degenerate", "Khóa suy biến.", "A verification key is degenerate.")
    return group.point_hex(x)
