"""What the public pages use of the application: the composition root's context (the JSON
API's ``AppContext``) satisfies this protocol, so this adapter names what it needs without
importing the other adapter."""

from __future__ import annotations

from typing import Protocol

from sqlalchemy import Engine

from ecabinet.core.ratelimit import RateLimiter
from ecabinet.core.settings import Settings
from ecabinet.core.storage import ObjectStore
from ecabinet.signatures.setup import SigningSetup


class PublicContext(Protocol):
    @property
    def settings(self) -> Settings: ...

    @property
    def engine(self) -> Engine: ...

    @property
    def store(self) -> ObjectStore: ...

    @property
    def signing(self) -> SigningSetup: ...

    @property
    def validate_limit(self) -> RateLimiter: ...
