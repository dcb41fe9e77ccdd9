"""Request and response bodies of notification preferences and phone numbers."""

from __future__ import annotations

from pydantic import BaseModel, Field

from documents.notification_prefs import Choice
from ecabinet.api.schemas import In


class ChoiceOut(BaseModel):
    """How one kind of notification reaches me (in the app always)."""

    kind: str
    email: bool
    sms: bool
    sms_possible: bool
    """Whether this kind may go by SMS at all (only when urgent)."""

    @classmethod
    def of(cls, c: Choice) -> ChoiceOut:
        return cls(kind=c.kind.value, email=c.email, sms=c.sms, sms_possible=c.sms_possible)


class PreferencesOut(BaseModel):
    items: list[ChoiceOut]
    phone: str | None
    email: str | None
    sms_available: bool
    """Whether the server has an SMSC: without one no SMS leaves, whatever the choice."""
    email_available: bool


class ChoiceIn(In):
    kind: str = Field(min_length=1, max_length=40)
    email: bool
    sms: bool = False


class PreferencesIn(In):
    items: list[ChoiceIn] = Field(max_length=40)


class PhoneIn(In):
    phone: str = Field(max_length=32, description='A Vietnamese mobile number; "" clears it')
