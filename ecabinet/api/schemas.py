"""JSON shapes of the API (requests and responses)."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field, SecretStr

from ecabinet.core import scopes
from ecabinet.core.agencies import Agency, AgencyLevel, Role, Unit
from ecabinet.core.auth import ApiToken
from ecabinet.core.files import StoredFile
from ecabinet.core.inputs import Id, Line
from ecabinet.core.scopes import Scope
from ecabinet.core.users import User
from ecabinet.signatures.binding import display_names
from ecabinet.signatures.models import CredentialKind, KeyWrap, SigningCredential


class In(BaseModel):
    model_config = ConfigDict(extra="forbid", str_max_length=10_000)


class LoginIn(In):
    username: Line = Field(min_length=1, max_length=255)
    password: str = Field(min_length=1, max_length=1024)


class UserOut(BaseModel):
    """A user."""

    id: int
    username: str
    full_name: str
    title: str
    email: str | None
    phone: str | None
    """Mobile number for urgent SMS, ``84`` and nine digits."""
    language: str
    is_active: bool

    @classmethod
    def of(cls, u: User) -> UserOut:
        assert u.id is not None
        return cls(
            id=u.id,
            username=u.username,
            full_name=u.full_name,
            title=u.title,
            email=u.email,
            phone=u.phone,
            language=u.language,
            is_active=u.is_active,
        )


class AgencyOut(BaseModel):
    """An agency."""

    id: int
    code: str
    name: str
    abbreviation: str
    parent_id: int | None
    level: AgencyLevel

    @classmethod
    def of(cls, a: Agency) -> AgencyOut:
        assert a.id is not None
        return cls(
            id=a.id,
            code=a.code,
            name=a.name,
            abbreviation=a.abbreviation,
            parent_id=a.parent_id,
            level=AgencyLevel(a.level),
        )


class UnitOut(BaseModel):
    """A unit inside an agency."""

    id: int
    name: str
    abbreviation: str

    @classmethod
    def of(cls, u: Unit) -> UnitOut:
        assert u.id is not None
        return cls(id=u.id, name=u.name, abbreviation=u.abbreviation)


class MembershipOut(BaseModel):
    agency: AgencyOut
    unit: UnitOut | None
    roles: list[Role]


class MeOut(BaseModel):
    """The logged-in user, their memberships and their CSRF token."""

    user: UserOut
    memberships: list[MembershipOut]
    csrf_token: str | None


class AgencyList(BaseModel):
    """Agencies, flat; build the tree from ``parent_id``."""

    items: list[AgencyOut]


class AgencyCreateIn(In):
    code: Line = Field(min_length=1, max_length=32)
    name: Line = Field(min_length=1, max_length=255)
    abbreviation: Line = Field(min_length=1, max_length=20)
    level: AgencyLevel
    parent_id: Id | None = None
    parent_name: Line = Field(default="", max_length=255)
    tax_code: str | None = Field(
        default=None, pattern=r"^\d{10}(-\d{3})?$", description="Mã số thuế (MST)"
    )
    budget_code: str | None = Field(
        default=None, pattern=r"^\d{7}$", description="Mã quan hệ ngân sách (MNS)"
    )


class UnitCreateIn(In):
    name: Line = Field(min_length=1, max_length=255)
    abbreviation: Line = Field(min_length=1, max_length=20)


class UserCreateIn(In):
    username: Line = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=1024)
    full_name: Line = Field(min_length=1, max_length=255)
    title: Line = Field(default="", max_length=255)
    email: str | None = Field(default=None, max_length=255)
    language: str = Field(default="vi", max_length=2)
    personal_id: str | None = Field(
        default=None,
        pattern=r"^(\d{9}|\d{12})$",
        description="Số CCCD (12 digits) or CMND (9): checked against signing certificates",
    )


class RoleGrantIn(In):
    agency_id: Id
    role: Role
    unit_id: Id | None = None


class TokenOut(BaseModel):
    """A personal API token (never its secret)."""

    id: int
    name: str
    prefix: str
    created_at: datetime
    last_used_at: datetime | None
    expires_at: datetime | None
    scopes: list[Scope] = Field(description="read (GET), write (other methods), sign")

    @classmethod
    def of(cls, t: ApiToken) -> TokenOut:
        assert t.id is not None
        return cls(
            id=t.id,
            name=t.name,
            prefix=t.prefix,
            created_at=t.created_at,
            last_used_at=t.last_used_at,
            expires_at=t.expires_at,
            scopes=[s for s in Scope if s in scopes.decode(t.scopes)],
        )


class TokenList(BaseModel):
    """The caller's active tokens."""

    items: list[TokenOut]


class TokenCreateIn(In):
    name: Line = Field(min_length=1, max_length=100)
    expires_in_days: int | None = Field(default=None, ge=1, le=3650)
    scopes: list[str] | None = Field(
        default=None,
        max_length=3,
        description="read, write, sign (default read and write); sign never signs without"
        " the holder's PIN in the request",
    )


class TokenCreatedOut(BaseModel):
    """A new token: ``token`` is shown this once."""

    token: str
    item: TokenOut


class FileOut(BaseModel):
    """A stored file."""

    id: str
    filename: str
    content_type: str
    size: int
    sha256: str
    agency_id: int
    created_at: datetime

    @classmethod
    def of(cls, f: StoredFile) -> FileOut:
        return cls(
            id=f.id,
            filename=f.filename,
            content_type=f.content_type,
            size=f.size,
            sha256=f.sha256,
            agency_id=f.agency_id,
            created_at=f.created_at,
        )


class FileLinkOut(BaseModel):
    """A download address: presigned on S3, the API's own address otherwise."""

    url: str
    expires_at: datetime | None


class Health(BaseModel):
    """Health status."""

    status: str
    checks: dict[str, str] = {}


class CredentialUploadIn(In):
    """A PKCS#12 file (base64) for an official (``user_id``) or an agency seal
    (``agency_id``); the passphrase only opens the file and is never stored."""

    pkcs12: str = Field(min_length=1, max_length=400_000, description="PKCS#12, base64")
    passphrase: SecretStr = Field(max_length=1024)
    pin: SecretStr = Field(
        max_length=64,
        description="The signing PIN its holder types at the admin's desk (the official;"
        " for a seal, the agency's clerks): it wraps the key with the KEK, never stored",
    )
    user_id: Id | None = None
    agency_id: Id | None = None
    label: Line = Field(default="", max_length=255)


class TokenCertificateIn(In):
    """The certificate (PEM) of an official's USB token, and optionally its chain (PEM,
    issuing CA first): the key stays on the token, the official signs in two steps."""

    certificate_pem: str = Field(min_length=1, max_length=20_000)
    chain_pem: str = Field(default="", max_length=60_000)
    user_id: Id
    label: Line = Field(default="", max_length=255)


class CredentialOut(BaseModel):
    """A signing credential: its certificate's details, never its key."""

    id: str
    kind: CredentialKind
    user_id: int | None
    agency_id: int
    label: str
    subject: str
    issuer: str
    holder: str = Field(description="The certificate holder's name (its common name)")
    holder_title: str = Field(description="The holder's title in the certificate, if any")
    issuer_name: str = Field(description="The issuing authority's name")
    serial: str
    fingerprint: str
    not_before: datetime
    not_after: datetime
    created_at: datetime
    disabled_at: datetime | None
    image_sha256: str | None = Field(description="Signature or seal image (PNG), if any")
    pin_set: bool = Field(
        description="Its key is wrapped under a PIN; false: a credential from before the"
        " PINs, whose holder must set one before it signs (or a USB token, which has its own)"
    )
    locked: bool = Field(description="Locked after too many wrong PINs; an admin unlocks it")
    needs_otp: bool = Field(description="Its official enrolled a TOTP: signing needs a code")

    @classmethod
    def of(cls, c: SigningCredential, *, needs_otp: bool = False) -> CredentialOut:
        holder, title, issuer = display_names(c.certificate_pem)
        return cls(
            holder=holder,
            holder_title=title,
            issuer_name=issuer,
            id=c.id,
            kind=CredentialKind(c.kind),
            user_id=c.user_id,
            agency_id=c.agency_id,
            label=c.label,
            subject=c.subject,
            issuer=c.issuer,
            serial=c.serial,
            fingerprint=c.fingerprint,
            not_before=c.not_before,
            not_after=c.not_after,
            created_at=c.created_at,
            disabled_at=c.disabled_at,
            image_sha256=c.image_sha256,
            pin_set=c.key_wrap == KeyWrap.kek_pin,
            locked=c.locked_at is not None,
            needs_otp=needs_otp,
        )


class CredentialList(BaseModel):
    """Signing credentials the caller may see."""

    items: list[CredentialOut]
