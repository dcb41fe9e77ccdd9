"""A minimal DER encoder: just what the CMS signed data of a PAdES signature needs.

Hand-encoding keeps signing fast (a generic ASN.1 library re-encodes whole certificate
trees and cost more than the RSA signature itself); tests parse the output with
asn1crypto and pyHanko, so any slip shows up there.
"""

from __future__ import annotations


def _length(n: int) -> bytes:
    if n < 0x80:
        return bytes([n])
    body = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes([0x80 | len(body)]) + body


def tlv(tag: int, content: bytes) -> bytes:
    return bytes([tag]) + _length(len(content)) + content


def sequence(*items: bytes) -> bytes:
    return tlv(0x30, b"".join(items))


def set_of(*items: bytes) -> bytes:
    """SET OF in DER order (sorted by encoding)."""
    return tlv(0x31, b"".join(sorted(items)))


def integer(value: int) -> bytes:
    length = max(1, (value.bit_length() + 8) // 8)  # room for the sign bit
    return tlv(0x02, value.to_bytes(length, "big", signed=True))


def octet_string(value: bytes) -> bytes:
    return tlv(0x04, value)


def null() -> bytes:
    return b"\x05\x00"


def oid(dotted: str) -> bytes:
    parts = [int(p) for p in dotted.split(".")]
    body = bytearray([40 * parts[0] + parts[1]])
    for part in parts[2:]:
        chunk = [part & 0x7F]
        part >>= 7
        while part:
            chunk.append(0x80 | (part & 0x7F))
            part >>= 7
        body += bytes(reversed(chunk))
    return tlv(0x06, bytes(body))


def explicit(number: int, content: bytes) -> bytes:
    """[number] EXPLICIT (constructed, context-specific)."""
    return tlv(0xA0 | number, content)


def implicit_constructed(number: int, encoded: bytes) -> bytes:
    """Retag an already-encoded constructed value as [number] IMPLICIT."""
    header_end = 2 if encoded[1] < 0x80 else 2 + (encoded[1] & 0x7F)
    return bytes([0xA0 | number]) + encoded[1:header_end] + encoded[header_end:]
