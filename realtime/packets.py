"""Socket.IO packets whose JSON is measured before it is parsed.

python-socketio parses an event's JSON with ``json.loads``, which recurses without a
limit of its own: a frame of 100,000 nested brackets (well within the frame size limit)
raises ``RecursionError`` inside the library, logged as an unhandled error each time a
client sends one. Here a text packet nesting deeper than
:data:`ecabinet.core.jsondepth.MAX_DEPTH` is decoded as the event :data:`TOO_DEEP` instead
(with the client's acknowledgement id kept), which the namespace refuses like any other
bad payload.
"""

from __future__ import annotations

from typing import Any

from socketio import packet

from ecabinet.core.jsondepth import MAX_DEPTH, depth

TOO_DEEP = "socket.too_deep"
"""The event a too deeply nested packet becomes."""


class BoundedPacket(packet.Packet):  # type: ignore[misc]
    def decode(self, encoded_packet: Any) -> Any:
        if isinstance(encoded_packet, str) and depth(encoded_packet.encode()) > MAX_DEPTH:
            # The header (type, namespace, id) has no bracket: the JSON starts at the first.
            start = min(
                (i for i in (encoded_packet.find("["), encoded_packet.find("{")) if i >= 0),
                default=len(encoded_packet),
            )
            encoded_packet = encoded_packet[:start] + f'["{TOO_DEEP}"]'
        return super().decode(encoded_packet)
