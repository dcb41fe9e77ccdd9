"""RFC 3161 time-stamps: asking a time-stamp authority (TSA) for a token over a digest.

The token (a CMS SignedData over a TSTInfo) is what goes into a signature's
signature-time-stamp attribute (PAdES B-T) or a document time-stamp (B-LTA). Checking a
token that is already in a file is the validator's job (:mod:`signing.validation`).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Protocol

from asn1crypto import tsp

from signing.errors import TimestampError
from signing.http import fetch


class TimestampAuthority(Protocol):
    def timestamp(self, digest: bytes) -> bytes:
        """A time-stamp token (DER ContentInfo) over ``digest`` (SHA-256)."""
        ...


def _bad(url: str, why_vi: str, why_en: str) -> TimestampError:
    return TimestampError(
        "tsa.bad_response",
        f"Máy chủ cấp dấu thời gian {url} trả lời không dùng được: {why_vi}.",
        f"The time-stamp authority {url} gave an unusable answer: {why_en}.",
    )


@dataclass(frozen=True)
class HttpTsa:
    """A TSA reached over HTTP (RFC 3161 section 3.4)."""

    url: str
    timeout: float = 10.0

    def timestamp(self, digest: bytes) -> bytes:
        nonce = secrets.randbits(63)
        request = tsp.TimeStampReq(
            {
                "version": "v1",
                "message_imprint": {
                    "hash_algorithm": {"algorithm": "sha256"},
                    "hashed_message": digest,
                },
                "nonce": nonce,
                "cert_req": True,
            }
        )
        body = fetch(
            self.url,
            timeout=self.timeout,
            body=request.dump(),
            content_type="application/timestamp-query",
        )
        try:
            answer = tsp.TimeStampResp.load(body)
            status = answer["status"]["status"].native
            if status not in ("granted", "granted_with_mods"):
                text = answer["status"]["status_string"].native or []
                raise TimestampError(
                    "tsa.refused",
                    f"Máy chủ cấp dấu thời gian {self.url} từ chối: {status} {' '.join(text)}.",
                    f"The time-stamp authority {self.url} refused: {status} {' '.join(text)}.",
                )
            token = answer["time_stamp_token"]
            info = token["content"]["encap_content_info"]["content"].parsed
            imprint = info["message_imprint"]
            sent_back = imprint["hashed_message"].native
            algorithm = imprint["hash_algorithm"]["algorithm"].native
            returned_nonce = info["nonce"].native
        except TimestampError:
            raise
        except (ValueError, TypeError, KeyError, AttributeError) as exc:
            raise _bad(
                self.url, "không phải TimeStampResp", f"not a TimeStampResp ({exc})"
            ) from None
        if algorithm != "sha256" or sent_back != digest:
            raise _bad(self.url, "dấu thời gian cho dữ liệu khác", "the token is for other data")
        if returned_nonce != nonce:
            raise _bad(self.url, "sai số nonce", "the nonce differs")
        return bytes(token.dump())
