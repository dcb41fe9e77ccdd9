"""Settings: one typed object, read once from the environment (prefix ``ECABINET_``).

Nothing else in the code base reads ``os.environ``. A bad value raises
:class:`SettingsError`, whose message is one line naming the variable; the CLI
prints it and stops.
"""

from __future__ import annotations

import ipaddress
import os
import re
import secrets
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

PREFIX = "ECABINET_"
_SIZE_RE = re.compile(r"^\s*(\d+)\s*([kmgt]?)i?b?\s*$", re.IGNORECASE)
_SIZE_UNITS = {"": 1, "k": 1024, "m": 1024**2, "g": 1024**3, "t": 1024**4}
_EMAIL_RE = re.compile(r"^[^@\s<>]+@[^@\s<>]+$")
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


class SettingsError(ValueError):
    """A setting has a bad value; ``str()`` is one line naming the variable."""

    def __init__(self, name: str, problem: str, *, prefix: str = PREFIX) -> None:
        super().__init__(f"{prefix}{name}: {problem}")
        self.variable = prefix + name


@dataclass(frozen=True)
class Peer:
    """Another system the exchange talks to (``ECABINET_EXCHANGE_PEERS``)."""

    code: str
    """The agency code it holds (several codes may share one address)."""
    url: str
    """Its base address (``https://vpdt.example.gov.vn``), without a trailing slash."""
    cert_path: Path
    """The PEM certificate its packages and receipts are signed with."""


@dataclass(frozen=True)
class Settings:
    """Everything the application reads from its environment."""

    data_dir: Path
    """Folder for the SQLite file, the local object store, the generated secret key."""
    database_url: str
    """SQLAlchemy URL: ``sqlite:///…`` (default) or ``postgresql+psycopg://…``."""
    storage_url: str
    """``file:///abs/path`` (default: ``<data_dir>/objects``) or ``s3://host:port/bucket``."""
    s3_access_key: str | None
    """S3 access key (or put it in the storage URL as ``s3://KEY:SECRET@host/bucket``)."""
    s3_secret_key: str | None
    """S3 secret key."""
    redis_url: str | None
    """Redis for Socket.IO across several processes; ``None`` for one process."""
    redis_channel: str
    """The Redis pub/sub channel of this deployment's processes (Redis channels are shared
    by every database number: two deployments on one Redis need two names)."""
    secret_key: str
    """Signs session cookies and CSRF tokens; generated into the data folder when unset."""
    public_base_url: str
    """Address users reach the app at; an ``https`` address makes cookies Secure."""
    max_upload_bytes: int
    """Largest accepted upload body (``100M``, ``2G``…)."""
    max_json_bytes: int
    """Largest accepted JSON body."""
    trust_anchors_dir: Path
    """Folder of PEM certificates trusted for signature validation."""
    demo_mode: bool
    """Demo mode trusts the demo certificate authority; never in production."""
    session_hours: int
    """Lifetime of a login session."""
    login_max_failures: int
    """Failed logins to one account from one client address before that address waits
    (1 minute, doubling with each further failure; decision 0013)."""
    login_lockout_minutes: int
    """The longest such wait."""
    log_level: str
    """Python logging level name."""
    login_account_max_failures: int = 20
    """Failed logins to one account from every address together (forgotten after a quiet
    day) before addresses it has not logged in from lately wait too."""
    key_encryption_key: str = ""
    """Encrypts officials' private keys at rest (PKCS#12 uploads); generated into the data
    folder when unset, like the secret key; at least 32 characters."""
    tsa_url: str | None = None
    """RFC 3161 time-stamp authority for PAdES B-T and above; ``None``: B-B only."""
    tsa_trust_roots: Path | None = None
    """PEM file (or folder of PEM files) of the roots a time-stamp authority's certificate
    must chain to for ``audit verify`` (and the restore check) to accept its tokens on the
    audit checkpoints; ``None``: tokens are checked, the TSA is reported as not checked."""
    revocation_online: bool = True
    """Fetch OCSP responses and CRLs when validating and for B-LT (only for certificates
    that already chain to a trust anchor, so untrusted files cannot make us fetch)."""
    network_timeout: float = 10.0
    """Seconds allowed to one request to a time-stamp authority, OCSP responder or CRL."""
    pkcs11_lib: Path | None = None
    """PKCS#11 module of the server's HSM or token (agency seals); ``None``: none."""
    validate_max_bytes: int = 50 * 1024 * 1024
    """Largest PDF the public validation endpoint accepts."""
    validate_per_minute: int = 10
    """Public validations allowed per client address per minute."""
    pdf_cpu_seconds: int = 5
    """CPU time one piece of work on an untrusted PDF may take (text extraction, signature
    validation, page counting, rendering): :mod:`ecabinet.core.sandbox`."""
    pdf_memory_bytes: int = 512 * 1024 * 1024
    """Memory that work may take beyond the file itself."""
    pdf_seconds: float = 30.0
    """Wall-clock time that work may take (a validation waits on OCSP/CRL servers)."""
    confidential_documents: bool = False
    """Whether confidential documents (Mật, Tối mật, Tuyệt mật) may be kept in the system at
    all; many provinces keep them off networked systems (DOMAIN.md). When allowed, each is
    visible only to its named access list."""
    due_soon_days: int = 2
    """A handler is reminded this many days before a deadline."""
    reminder_minutes: int = 60
    """How often the server looks for documents due soon or overdue (0: never; the
    ``ecabinet remind`` command does the same once)."""
    smtp_host: str | None = None
    """Mail server for notifications; ``None``: notifications stay in the app only."""
    smtp_port: int = 587
    """Mail server port (25, 465 with ``SMTP_SECURITY=ssl``, 587 with ``starttls``)."""
    smtp_security: str = "starttls"
    """``none``, ``starttls`` or ``ssl``."""
    smtp_user: str | None = None
    """Mail server login; ``None``: no login."""
    smtp_password: str | None = None
    """Mail server password."""
    smtp_from: str = "ecabinet@localhost"
    """Sender address of notification e-mails."""
    smsc_host: str | None = None
    """The telco's SMSC (SMPP 3.4) for urgent notifications by SMS; ``None``: no SMS."""
    smsc_port: int = 2775
    """SMSC port."""
    smsc_system_id: str = ""
    """SMPP login (system_id) given by the telco."""
    smsc_password: str = ""
    """SMPP password (at most 8 characters in SMPP 3.4)."""
    smsc_source_addr: str = ""
    """Sender shown on the phone: a brand name (alphanumeric, at most 11 characters) or a
    short code registered with the telco."""
    signing_pin_min_length: int = 6
    """Shortest signing PIN (the activation data of a credential kept on the server)."""
    signing_pin_max_failures: int = 5
    """Wrong PINs (or TOTP codes) in a row that lock a signing credential."""
    signing_pin_kdf_memory_kib: int = 64 * 1024
    """Memory of the argon2id that turns a PIN into a key-wrapping key (KiB); new and
    re-wrapped credentials keep the parameters they were made with."""
    signing_pin_kdf_time_cost: int = 3
    """Passes of that argon2id."""
    publication_log_key_file: Path | None = None
    """The Ed25519 key that signs the publication log's tree heads (PEM); ``None``: the
    default ``<data_dir>/publication_log_key.pem``, generated on first use. A secret to keep
    in every backup: a new key cannot sign heads that extend the ones citizens kept."""
    retention_sessions_days: int = 7
    """Ended login sessions (expired) are deleted this many days after their end."""
    retention_failed_logins_days: int = 30
    """Login failure counters that saw no failure (and no success, within 30 days) for
    this many days are deleted (decision 0013 forgets their count after a day anyway)."""
    retention_blob_grace_hours: int = 24
    """The storage sweep deletes a blob no row refers to, or a temporary upload, only once
    it is this old: an upload between its blob and its row is never swept."""
    db_pool_size: int = 10
    """PostgreSQL connections each process keeps open (``DB_POOL_SIZE``); with
    ``db_max_overflow`` it bounds what one process asks of the server: keep
    processes × (pool + overflow) + the scheduler's one connection below the server's
    ``max_connections``."""
    db_max_overflow: int = 20
    """Further PostgreSQL connections a process may open at a peak, closed again after."""
    db_connect_timeout: int = 5
    """Seconds allowed to open a PostgreSQL connection (a black-holed server fails fast)."""
    db_statement_timeout: float = 30.0
    """Seconds one PostgreSQL statement may run before the server cancels it (0: no limit;
    ``ecabinet migrate`` always runs without one)."""
    scheduler_seconds: int = 60
    """How often the scheduler process looks for work: meetings' one-hour notices,
    notification e-mail and SMS (deadline reminders follow ``reminder_minutes``)."""
    audit_checkpoint_entries: int = 1000
    """The scheduler signs a checkpoint of the audit log (and anchors it in the publication
    log and with the TSA) once this many entries are not covered yet (0: by time only)..."""
    audit_checkpoint_seconds: int = 300
    """…or once the latest checkpoint is this old and new entries wait."""
    scheduler_takeover_seconds: int = 10
    """How often the other processes try to take over the scheduler (and the scheduler
    checks that it still holds its lock): a dead scheduler is replaced within this."""
    log_format: str = "text"
    """``text`` (one readable line per record) or ``json`` (one JSON object per line, for a
    log collector); each line carries the request id."""
    metrics_token: str | None = field(default=None, repr=False)
    """Bearer token that ``/metrics`` asks of Prometheus (at least 24 characters); unset:
    ``/metrics`` answers only to this machine (loopback, not through a proxy)."""
    metrics_multiproc_dir: Path | None = None
    """``PROMETHEUS_MULTIPROC_DIR`` (read by prometheus-client itself, no ``ECABINET_``
    prefix): the folder where several server processes keep their metrics; ``ecabinet
    serve`` empties it before the processes start."""
    trusted_proxies: tuple[str, ...] = ("127.0.0.1",)
    """Proxies whose ``X-Forwarded-For``, ``X-Forwarded-Proto`` and ``X-Request-ID`` are
    believed: addresses, networks or ``*`` (``none``: no proxy), from
    ``ECABINET_TRUSTED_PROXIES``, else uvicorn's own ``FORWARDED_ALLOW_IPS`` (no prefix);
    default ``127.0.0.1``. The client is then the rightmost address of ``X-Forwarded-For``
    that is not one of them (:func:`ecabinet.api.observe.forwarded`)."""
    heartbeat_seconds: int = 5
    """How often each process tells the tablets in a meeting room the room's last event
    number (a tablet that missed events sees its gap; one that hears nothing for three
    beats shows it may be out of date)."""
    exchange_key_file: Path | None = None
    """PKCS#12 file of the key and certificate that sign this deployment's exchange
    packages and receipts (decision 0032); ``None``: no exchange with other systems."""
    exchange_key_password: str | None = field(default=None, repr=False)
    """Its password."""
    exchange_peers: tuple[Peer, ...] = ()
    """Other systems by agency code: ``CODE URL CERT.pem`` entries separated by ``;``
    (``ECABINET_EXCHANGE_PEERS``); a package for a code found here goes through the
    outbox, signed, and one from it is accepted only under that certificate."""
    exchange_send_seconds: int = 5
    """How often each process looks for outbox rows due (0: never; ``ecabinet exchange
    send-once`` does one round)."""
    exchange_retry_seconds: int = 30
    """The first wait after a failed delivery; it doubles with each attempt…"""
    exchange_retry_max_seconds: int = 3600
    """…up to this."""
    exchange_max_attempts: int = 100
    """Attempts before a delivery is marked failed (the clerk may retry it)."""
    exchange_failures_per_minute: int = 20
    """Exchange deliveries from one client address that may fail authentication (a wrong
    signature, a changed byte) in a minute; past it the address is refused before its body
    is read, until the minute is over."""
    axis_role: str = ""
    """``national``: this deployment plays the national document exchange axis for the
    members listed in ``ECABINET_EXCHANGE_PEERS`` (decision 0034): a pull mailbox per
    agency code under ``/api/v1/axis``; "" (default): it does not."""
    national_axis_url: str = ""
    """The national axis this deployment sends and pulls through (decision 0034): a peer
    whose address is this one is reached through the axis, and the sender loop pulls
    the agencies' mailboxes from it; "": no national axis."""
    national_axis_cert: Path | None = None
    """The PEM certificate the national axis signs its receipts with."""
    exchange_relay: str = ""
    """This deployment's agency code as the provincial axis (decision 0036): a package or
    status for a code it does not hold but that is a configured peer is relayed there,
    unchanged with its signature. Empty: no relaying."""
    env: Mapping[str, str] = field(default_factory=dict, repr=False, compare=False)

    @property
    def publication_log_key_path(self) -> Path:
        """Where the publication log's signing key is kept."""
        return self.publication_log_key_file or self.data_dir / "publication_log_key.pem"

    @property
    def cookie_secure(self) -> bool:
        return self.public_base_url.startswith("https://")

    def redis_key(self, *parts: str) -> str:
        """A Redis key of this deployment: under ``ECABINET_REDIS_CHANNEL``, like its
        channels, so deployments sharing a Redis (and database number) stay apart."""
        return ":".join((self.redis_channel, *parts))

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """Read and check every setting; raise :class:`SettingsError` on the first bad one."""
        env = dict(os.environ if environ is None else environ)

        def get(name: str, default: str | None = None) -> str | None:
            value = env.get(PREFIX + name)
            return default if value is None or value == "" else value

        data_dir = Path(get("DATA_DIR", "./var") or "./var").expanduser().resolve()
        database_url = _database_url(get("DATABASE_URL") or f"sqlite:///{data_dir / 'ecabinet.db'}")
        storage_url = _storage_url(get("STORAGE_URL") or (data_dir / "objects").as_uri())
        redis_url = get("REDIS_URL")
        if redis_url is not None and urlsplit(redis_url).scheme not in ("redis", "rediss", "unix"):
            raise SettingsError("REDIS_URL", f"{redis_url!r} is not a redis:// or rediss:// URL")
        redis_channel = get("REDIS_CHANNEL", "socketio") or ""
        if not re.fullmatch(r"[A-Za-z0-9_.:-]{1,100}", redis_channel):
            raise SettingsError(
                "REDIS_CHANNEL", "1 to 100 letters, digits, dots, colons, dashes or underscores"
            )
        secret_key = get("SECRET_KEY")
        if secret_key is not None and len(secret_key) < 32:
            raise SettingsError("SECRET_KEY", "must be at least 32 characters long")
        public = (get("PUBLIC_BASE_URL", "http://127.0.0.1:8000") or "").rstrip("/")
        if urlsplit(public).scheme not in ("http", "https") or not urlsplit(public).netloc:
            raise SettingsError("PUBLIC_BASE_URL", f"{public!r} is not an http(s) URL")
        trust = get("TRUST_ANCHORS_DIR")
        kek = get("KEY_ENCRYPTION_KEY")
        if kek is not None and len(kek) < 32:
            raise SettingsError("KEY_ENCRYPTION_KEY", "must be at least 32 characters long")
        log_key = get("PUBLICATION_LOG_KEY_FILE")
        tsa_url = get("TSA_URL")
        tsa_roots = get("TSA_TRUST_ROOTS")
        if tsa_url is not None and urlsplit(tsa_url).scheme not in ("http", "https"):
            raise SettingsError("TSA_URL", f"{tsa_url!r} is not an http(s) URL")
        pkcs11_lib = get("PKCS11_LIB")
        smtp_security = (get("SMTP_SECURITY", "starttls") or "").lower()
        if smtp_security not in ("none", "starttls", "ssl"):
            raise SettingsError("SMTP_SECURITY", f"{smtp_security!r} is not none, starttls or ssl")
        smtp_from = get("SMTP_FROM", "ecabinet@localhost") or ""
        if not _EMAIL_RE.match(smtp_from):
            raise SettingsError("SMTP_FROM", f"{smtp_from!r} is not an e-mail address")
        smsc_host = get("SMSC_HOST")
        smsc_system_id = get("SMSC_SYSTEM_ID", "") or ""
        smsc_password = get("SMSC_PASSWORD", "") or ""
        smsc_source = get("SMSC_SOURCE_ADDR", "") or ""
        if smsc_host is not None and not (smsc_system_id and smsc_source):
            raise SettingsError("SMSC_HOST", "needs SMSC_SYSTEM_ID and SMSC_SOURCE_ADDR as well")
        if len(smsc_system_id) > 15 or len(smsc_password) > 8:
            raise SettingsError("SMSC_SYSTEM_ID", "SMPP allows 15 characters, 8 for the password")
        if not re.fullmatch(r"[0-9A-Za-z ._-]{0,11}|\+?[0-9]{1,20}", smsc_source):
            raise SettingsError("SMSC_SOURCE_ADDR", "a brand name of 11 characters or a number")
        log_format = (get("LOG_FORMAT", "text") or "").lower()
        if log_format not in ("text", "json"):
            raise SettingsError("LOG_FORMAT", f"{log_format!r} is not text or json")
        metrics_token = get("METRICS_TOKEN")
        if metrics_token is not None and not (
            len(metrics_token) >= 24 and metrics_token.isascii() and metrics_token.isprintable()
        ):
            raise SettingsError("METRICS_TOKEN", "must be at least 24 printable ASCII characters")
        if get("TRUSTED_PROXIES") is not None:
            trusted_proxies = _networks("TRUSTED_PROXIES", get("TRUSTED_PROXIES") or "")
        else:
            trusted_proxies = _networks(
                "FORWARDED_ALLOW_IPS", env.get("FORWARDED_ALLOW_IPS") or "127.0.0.1", prefix=""
            )
        exchange_key = get("EXCHANGE_KEY_FILE")
        axis_cert = get("NATIONAL_AXIS_CERT")
        multiproc = env.get("PROMETHEUS_MULTIPROC_DIR") or env.get("prometheus_multiproc_dir")
        settings = cls(
            data_dir=data_dir,
            database_url=database_url,
            storage_url=storage_url,
            s3_access_key=get("S3_ACCESS_KEY"),
            s3_secret_key=get("S3_SECRET_KEY"),
            redis_url=redis_url,
            redis_channel=redis_channel,
            secret_key=secret_key or "",
            public_base_url=public,
            max_upload_bytes=_size("MAX_UPLOAD_BYTES", get("MAX_UPLOAD_BYTES", "200M")),
            max_json_bytes=_size("MAX_JSON_BYTES", get("MAX_JSON_BYTES", "1M")),
            trust_anchors_dir=Path(trust).expanduser().resolve() if trust else data_dir / "trust",
            demo_mode=_bool("DEMO_MODE", get("DEMO_MODE", "false")),
            session_hours=_int("SESSION_HOURS", get("SESSION_HOURS", "12"), 1, 24 * 30),
            login_max_failures=_int("LOGIN_MAX_FAILURES", get("LOGIN_MAX_FAILURES", "5"), 1, 100),
            login_lockout_minutes=_int(
                "LOGIN_LOCKOUT_MINUTES", get("LOGIN_LOCKOUT_MINUTES", "15"), 1, 24 * 60
            ),
            login_account_max_failures=_int(
                "LOGIN_ACCOUNT_MAX_FAILURES", get("LOGIN_ACCOUNT_MAX_FAILURES", "20"), 1, 10_000
            ),
            log_level=_log_level(get("LOG_LEVEL", "INFO") or "INFO"),
            key_encryption_key=kek or "",
            tsa_url=tsa_url,
            tsa_trust_roots=Path(tsa_roots).expanduser().resolve() if tsa_roots else None,
            revocation_online=_bool("REVOCATION_ONLINE", get("REVOCATION_ONLINE", "true")),
            network_timeout=float(_int("NETWORK_TIMEOUT", get("NETWORK_TIMEOUT", "10"), 1, 300)),
            pkcs11_lib=Path(pkcs11_lib).expanduser() if pkcs11_lib else None,
            validate_max_bytes=_size("VALIDATE_MAX_BYTES", get("VALIDATE_MAX_BYTES", "50M")),
            validate_per_minute=_int(
                "VALIDATE_PER_MINUTE", get("VALIDATE_PER_MINUTE", "10"), 1, 10_000
            ),
            pdf_cpu_seconds=_int("PDF_CPU_SECONDS", get("PDF_CPU_SECONDS", "5"), 1, 600),
            pdf_memory_bytes=_size("PDF_MEMORY_BYTES", get("PDF_MEMORY_BYTES", "512M")),
            pdf_seconds=float(_int("PDF_SECONDS", get("PDF_SECONDS", "30"), 1, 3600)),
            confidential_documents=_bool(
                "CONFIDENTIAL_DOCUMENTS", get("CONFIDENTIAL_DOCUMENTS", "false")
            ),
            due_soon_days=_int("DUE_SOON_DAYS", get("DUE_SOON_DAYS", "2"), 0, 60),
            reminder_minutes=_int("REMINDER_MINUTES", get("REMINDER_MINUTES", "60"), 0, 24 * 60),
            smtp_host=get("SMTP_HOST"),
            smtp_port=_int("SMTP_PORT", get("SMTP_PORT", "587"), 1, 65535),
            smtp_security=smtp_security,
            smtp_user=get("SMTP_USER"),
            smtp_password=get("SMTP_PASSWORD"),
            smtp_from=smtp_from,
            smsc_host=smsc_host,
            smsc_port=_int("SMSC_PORT", get("SMSC_PORT", "2775"), 1, 65535),
            smsc_system_id=smsc_system_id,
            smsc_password=smsc_password,
            smsc_source_addr=smsc_source,
            signing_pin_min_length=_int(
                "SIGNING_PIN_MIN_LENGTH", get("SIGNING_PIN_MIN_LENGTH", "6"), 4, 64
            ),
            signing_pin_max_failures=_int(
                "SIGNING_PIN_MAX_FAILURES", get("SIGNING_PIN_MAX_FAILURES", "5"), 1, 100
            ),
            signing_pin_kdf_memory_kib=_int(
                "SIGNING_PIN_KDF_MEMORY_KIB",
                get("SIGNING_PIN_KDF_MEMORY_KIB", "65536"),
                1024,
                4 * 1024 * 1024,
            ),
            signing_pin_kdf_time_cost=_int(
                "SIGNING_PIN_KDF_TIME_COST", get("SIGNING_PIN_KDF_TIME_COST", "3"), 1, 20
            ),
            publication_log_key_file=Path(log_key).expanduser().resolve() if log_key else None,
            retention_sessions_days=_int(
                "RETENTION_SESSIONS_DAYS", get("RETENTION_SESSIONS_DAYS", "7"), 0, 3650
            ),
            retention_failed_logins_days=_int(
                "RETENTION_FAILED_LOGINS_DAYS", get("RETENTION_FAILED_LOGINS_DAYS", "30"), 1, 3650
            ),
            retention_blob_grace_hours=_int(
                "RETENTION_BLOB_GRACE_HOURS", get("RETENTION_BLOB_GRACE_HOURS", "24"), 1, 24 * 365
            ),
            db_pool_size=_int("DB_POOL_SIZE", get("DB_POOL_SIZE", "10"), 1, 1000),
            db_max_overflow=_int("DB_MAX_OVERFLOW", get("DB_MAX_OVERFLOW", "20"), 0, 1000),
            db_connect_timeout=_int("DB_CONNECT_TIMEOUT", get("DB_CONNECT_TIMEOUT", "5"), 2, 300),
            db_statement_timeout=_seconds(
                "DB_STATEMENT_TIMEOUT", get("DB_STATEMENT_TIMEOUT", "30"), 0, 24 * 3600
            ),
            scheduler_seconds=_int("SCHEDULER_SECONDS", get("SCHEDULER_SECONDS", "60"), 1, 3600),
            audit_checkpoint_entries=_int(
                "AUDIT_CHECKPOINT_ENTRIES", get("AUDIT_CHECKPOINT_ENTRIES", "1000"), 0, 10**7
            ),
            audit_checkpoint_seconds=_int(
                "AUDIT_CHECKPOINT_SECONDS", get("AUDIT_CHECKPOINT_SECONDS", "300"), 1, 24 * 3600
            ),
            scheduler_takeover_seconds=_int(
                "SCHEDULER_TAKEOVER_SECONDS", get("SCHEDULER_TAKEOVER_SECONDS", "10"), 1, 600
            ),
            log_format=log_format,
            trusted_proxies=trusted_proxies,
            metrics_token=metrics_token,
            metrics_multiproc_dir=Path(multiproc).expanduser().resolve() if multiproc else None,
            heartbeat_seconds=_int("HEARTBEAT_SECONDS", get("HEARTBEAT_SECONDS", "5"), 1, 60),
            exchange_key_file=Path(exchange_key).expanduser().resolve() if exchange_key else None,
            exchange_key_password=get("EXCHANGE_KEY_PASSWORD"),
            exchange_peers=_peers(get("EXCHANGE_PEERS", "") or ""),
            exchange_send_seconds=_int(
                "EXCHANGE_SEND_SECONDS", get("EXCHANGE_SEND_SECONDS", "5"), 0, 3600
            ),
            exchange_retry_seconds=_int(
                "EXCHANGE_RETRY_SECONDS", get("EXCHANGE_RETRY_SECONDS", "30"), 1, 3600
            ),
            exchange_retry_max_seconds=_int(
                "EXCHANGE_RETRY_MAX_SECONDS", get("EXCHANGE_RETRY_MAX_SECONDS", "3600"), 1, 86400
            ),
            exchange_max_attempts=_int(
                "EXCHANGE_MAX_ATTEMPTS", get("EXCHANGE_MAX_ATTEMPTS", "100"), 1, 10000
            ),
            exchange_failures_per_minute=_int(
                "EXCHANGE_FAILURES_PER_MINUTE", get("EXCHANGE_FAILURES_PER_MINUTE", "20"), 1, 10000
            ),
            axis_role=_axis_role(get("AXIS_ROLE", "") or ""),
            national_axis_url=_axis_url(get("NATIONAL_AXIS_URL", "") or ""),
            national_axis_cert=Path(axis_cert).expanduser().resolve() if axis_cert else None,
            exchange_relay=(get("EXCHANGE_RELAY", "") or "").strip(),
            env=env,
        )
        if settings.national_axis_url and settings.national_axis_cert is None:
            raise SettingsError("NATIONAL_AXIS_CERT", "is required with NATIONAL_AXIS_URL")
        return settings

    def with_secret(self) -> Settings:
        """Return settings whose secret key and key-encryption key are set, generating and
        keeping each missing one in the data folder (0600).

        Kept apart from :meth:`from_env` so that reading settings never writes to disk.
        """
        if self.secret_key and self.key_encryption_key:
            return self
        return _replace(
            self,
            secret_key=self.secret_key or self._kept_secret("secret_key"),
            key_encryption_key=self.key_encryption_key or self._kept_secret("key_encryption_key"),
        )

    def _kept_secret(self, name: str) -> str:
        path = self.data_dir / name
        if path.exists():
            return path.read_text().strip()
        self.data_dir.mkdir(parents=True, exist_ok=True)
        return keep_secret(path, secrets.token_urlsafe(48))


def keep_secret(path: Path, key: str) -> str:
    """Keep ``key`` in ``path`` (0600) unless a secret is there already; return the one
    kept. Several processes starting at once on a new data folder agree: the file appears
    whole (written aside, then linked into place), and whoever comes second reads it."""
    fd, aside = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "w") as f:
            f.write(key + "\n")
        os.link(aside, path)
    except FileExistsError:
        return path.read_text().strip()
    finally:
        os.unlink(aside)
    return key


def _replace(settings: Settings, **changes: object) -> Settings:
    from dataclasses import replace

    return replace(settings, **changes)  # type: ignore[arg-type]


def _database_url(url: str) -> str:
    scheme = url.split(":", 1)[0].lower()
    if scheme in ("postgres", "postgresql"):
        return "postgresql+psycopg" + url[len(scheme) :]
    if scheme in ("sqlite", "postgresql+psycopg"):
        return url
    raise SettingsError(
        "DATABASE_URL", f"unsupported database {scheme!r}: use sqlite or postgresql"
    )


def _storage_url(url: str) -> str:
    parts = urlsplit(url)
    if parts.scheme == "file" and parts.path:
        return url
    if parts.scheme in ("s3", "s3s", "http", "https") and parts.hostname:
        if not parts.path.strip("/"):
            raise SettingsError(
                "STORAGE_URL", f"{_redact(url)!r} names no bucket (s3://host/bucket)"
            )
        return url
    raise SettingsError(
        "STORAGE_URL", f"{_redact(url)!r} is not file:///folder or s3://host/bucket"
    )


def _redact(url: str) -> str:
    parts = urlsplit(url)
    if parts.password:
        return url.replace(parts.password, "***")
    return url


def _size(name: str, value: str | None) -> int:
    match = _SIZE_RE.match(value or "")
    if not match or int(match.group(1)) == 0:
        raise SettingsError(name, f"{value!r} is not a size such as 1048576, 100M or 2G")
    return int(match.group(1)) * _SIZE_UNITS[match.group(2).lower()]


def _int(name: str, value: str | None, low: int, high: int) -> int:
    try:
        number = int(value or "")
    except ValueError:
        raise SettingsError(name, f"{value!r} is not a whole number") from None
    if not low <= number <= high:
        raise SettingsError(name, f"{number} is outside {low}..{high}")
    return number


def _seconds(name: str, value: str | None, low: float, high: float) -> float:
    try:
        number = float(value or "")
    except ValueError:
        raise SettingsError(name, f"{value!r} is not a number of seconds") from None
    if not low <= number <= high:  # also refuses nan
        raise SettingsError(name, f"{number:g} is outside {low:g}..{high:g} seconds")
    return number


def _bool(name: str, value: str | None) -> bool:
    text = (value or "").strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise SettingsError(name, f"{value!r} is not true or false")


def _networks(name: str, value: str, *, prefix: str = PREFIX) -> tuple[str, ...]:
    """A comma-separated list of IP addresses, networks or ``*``; ``none``: nothing."""
    if value.strip().lower() == "none":
        return ()
    entries = tuple(e.strip() for e in value.split(",") if e.strip())
    for entry in entries:
        if entry == "*":
            continue
        try:
            ipaddress.ip_network(entry, strict=False)
        except ValueError:
            raise SettingsError(
                name, f"{entry!r} is not an IP address or network", prefix=prefix
            ) from None
    return entries


def _peers(value: str) -> tuple[Peer, ...]:
    peers: dict[str, Peer] = {}
    for entry in value.split(";"):
        if not entry.strip():
            continue
        parts = entry.strip().split(maxsplit=2)  # the path last: it may hold spaces
        if len(parts) != 3:
            raise SettingsError("EXCHANGE_PEERS", f"{entry.strip()!r} is not CODE URL CERT.pem")
        code, url, cert = parts
        if not re.fullmatch(r"[A-Za-z0-9.]{1,32}", code):
            raise SettingsError("EXCHANGE_PEERS", f"{code!r} is not an agency code")
        if urlsplit(url).scheme not in ("http", "https") or not urlsplit(url).netloc:
            raise SettingsError("EXCHANGE_PEERS", f"{url!r} is not an http(s) URL")
        if code in peers:
            raise SettingsError("EXCHANGE_PEERS", f"{code} is given twice")
        peers[code] = Peer(code, url.rstrip("/"), Path(cert).expanduser().resolve())
    return tuple(peers.values())


def _axis_role(value: str) -> str:
    role = value.strip().lower()
    if role not in ("", "national"):
        raise SettingsError("AXIS_ROLE", f"{value!r} is not national (or empty)")
    return role


def _axis_url(value: str) -> str:
    url = value.strip().rstrip("/")
    if url and (urlsplit(url).scheme not in ("http", "https") or not urlsplit(url).netloc):
        raise SettingsError("NATIONAL_AXIS_URL", f"{value!r} is not an http(s) URL")
    return url


def _log_level(value: str) -> str:
    level = value.upper()
    if level not in ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"):
        raise SettingsError(
            "LOG_LEVEL", f"{value!r} is not DEBUG, INFO, WARNING, ERROR or CRITICAL"
        )
    return level
