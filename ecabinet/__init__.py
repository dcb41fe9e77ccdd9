"""eCabinet: paperless meetings and e-office for Vietnamese provincial governments."""

__version__ = "0.1.0"
