"""Who the client is: the one rule for the address that the audit log, login throttling,
rate limits and sockets record.

Behind reverse proxies the connection's peer is the nearest proxy; the client is found in
``X-Forwarded-For``, which every proxy appends to and anyone can forge. The header is read
only when the peer is a trusted proxy (``ECABINET_TRUSTED_PROXIES``), and from the right:
the first address that is not a trusted proxy is the one the nearest untrusted hop
connected from (what a client wrote at the left is never believed). uvicorn's own
``proxy_headers`` trusts only 127.0.0.1 and is turned off in favour of this.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Mapping, MutableMapping, Sequence
from typing import Any

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
RESOLVED = "ecabinet.client_resolved"
"""Scope key set once the scope's client has been resolved (the resolver runs once)."""


def is_trusted(address: str, trusted: Sequence[Network]) -> bool:
    try:
        ip = ipaddress.ip_address(address.strip())
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return any(ip.version == net.version and ip in net for net in trusted)


def resolve(peer: str, forwarded_for: Iterable[str], trusted: Sequence[Network]) -> str:
    """The client's address: ``peer`` unless it is a trusted proxy; then the rightmost
    address of the ``X-Forwarded-For`` values (in the order received) that is not a
    trusted proxy, or the leftmost when every hop is one. A malformed entry stops the
    walk there: it is what an untrusted hop wrote, so it is that hop's claim, kept only
    as far as the last well-formed address to its right."""
    if not trusted or not is_trusted(peer, trusted):
        return peer
    hops = [h.strip() for value in forwarded_for for h in value.split(",")]
    hops = [h for h in hops if h]
    found = peer
    for hop in reversed(hops):
        try:
            ipaddress.ip_address(hop)
        except ValueError:
            return found
        found = hop
        if not is_trusted(hop, trusted):
            return hop
    return found


def resolve_scope(scope: MutableMapping[str, Any], trusted: Sequence[Network]) -> None:
    """Rewrite an ASGI scope's ``client`` (and ``scheme`` from ``X-Forwarded-Proto``) for
    a connection through trusted proxies; a scope is resolved once."""
    if scope.get(RESOLVED) or scope.get("type") not in ("http", "websocket"):
        return
    scope[RESOLVED] = True
    client = scope.get("client")
    peer = str(client[0]) if client else ""
    if not is_trusted(peer, trusted):
        return
    headers: list[tuple[bytes, bytes]] = scope.get("headers") or []
    forwarded = [v.decode("latin-1") for k, v in headers if k == b"x-forwarded-for"]
    address = resolve(peer, forwarded, trusted)
    if address != peer:
        scope["client"] = (address, 0)
    protos = [v.decode("latin-1") for k, v in headers if k == b"x-forwarded-proto"]
    proto = protos[-1].split(",")[-1].strip().lower() if protos else ""
    if proto in ("http", "https", "ws", "wss"):
        secure = proto in ("https", "wss")
        if scope["type"] == "websocket":
            scope["scheme"] = "wss" if secure else "ws"
        else:
            scope["scheme"] = "https" if secure else "http"


def of_scope(scope: Mapping[str, Any] | None) -> str:
    """The (resolved) client address an ASGI scope carries; ``""`` when none."""
    client = (scope or {}).get("client")
    return str(client[0]) if client else ""
