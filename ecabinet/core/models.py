"""Imports every table module so that ``SQLModel.metadata`` is complete (for migrations)."""

from sqlmodel import SQLModel

from ecabinet.core import agencies, audit, audit_tree, auth, files, throttle, users

metadata = SQLModel.metadata
__all__ = ["agencies", "audit", "audit_tree", "auth", "files", "metadata", "throttle", "users"]
