"""HTTP layer: thin handlers that turn requests into service calls."""
