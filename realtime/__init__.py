"""The Socket.IO server: connection auth, rooms, fan-out. Holds no business rules."""
