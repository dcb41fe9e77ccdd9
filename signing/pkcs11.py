"""PKCS#11 key source: a private key on an HSM, a smart card or a USB token.

The key never leaves the token: the token signs. :func:`open_pkcs11` loads the module,
finds the token by label, logs in with the PIN, finds the private key by label and/or
id and takes the certificate from the token (same id, else same label) unless the
caller gives one. Use the result as a context manager so the session is closed.

Two facts of PKCS#11 shape this module:

- A module is initialised once per process (python-pkcs11 keeps it loaded), and with
  no locking callbacks, so every call into a module goes through one process lock.
- Login is per token and per process, not per session: a second ``C_Login`` fails with
  "already logged in", and closing a session that logs out logs out every session.
  Key sources on the same token therefore share one logged-in session, counted; the
  last one closed logs out. A later opener must give the same PIN, or it is refused.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import secrets
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING

import pkcs11
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from pkcs11 import Attribute, KeyType, Mechanism, ObjectClass
from pkcs11 import exceptions as p11

from signing import der
from signing.errors import BadKey

if TYPE_CHECKING:
    from pkcs11._pkcs11 import lib as Library

SHA256_DIGEST_INFO = bytes.fromhex("3031300d060960864801650304020105000420")
"""DER prefix of a PKCS#1 v1.5 DigestInfo for SHA-256 (RFC 8017, section 9.2)."""

_lock = threading.RLock()
_pin_salt = secrets.token_bytes(16)


@dataclass
class _Login:
    """One logged-in session on one token, shared by the key sources open on it."""

    session: pkcs11.Session
    pin_digest: bytes
    users: int
    mechanisms: frozenset[Mechanism]


_logins: dict[tuple[str, int], _Login] = {}


class Pkcs11KeySource:
    """A :class:`signing.keys.KeySource` whose private key stays on a PKCS#11 token."""

    certificate: x509.Certificate
    chain: list[x509.Certificate]

    def __init__(
        self,
        login_key: tuple[str, int],
        key: pkcs11.SignMixin,
        certificate: x509.Certificate,
        chain: list[x509.Certificate],
    ) -> None:
        self._login_key = login_key
        self._key = key
        self._rsa = key.key_type == KeyType.RSA
        self._mechanisms = _logins[login_key].mechanisms
        self._closed = False
        self.certificate = certificate
        self.chain = chain

    def sign(self, data: bytes) -> bytes:
        """Sign ``data`` with SHA-256: CKM_SHA256_RSA_PKCS or CKM_ECDSA_SHA256 when the
        token has them, else the token signs the SHA-256 digest (:meth:`sign_digest`)."""
        if self._rsa and Mechanism.SHA256_RSA_PKCS in self._mechanisms:
            return self._call(data, Mechanism.SHA256_RSA_PKCS)
        if not self._rsa and Mechanism.ECDSA_SHA256 in self._mechanisms:
            return _der_ecdsa(self._call(data, Mechanism.ECDSA_SHA256))
        return self.sign_digest(hashlib.sha256(data).digest())

    def sign_digest(self, digest: bytes) -> bytes:
        """Sign a SHA-256 digest computed elsewhere (CKM_RSA_PKCS over the DigestInfo, or
        CKM_ECDSA); for tokens and flows that only ever see the digest."""
        if len(digest) != 32:
            raise BadKey(
                "key.bad_digest",
                "Giá trị băm phải là SHA-256 (32 byte).",
                "The digest must be a SHA-256 digest (32 bytes).",
            )
        if self._rsa:
            return self._call(SHA256_DIGEST_INFO + digest, Mechanism.RSA_PKCS)
        return _der_ecdsa(self._call(digest, Mechanism.ECDSA))

    def close(self) -> None:
        """Release the session; the last key source on a token logs out. Idempotent."""
        with _lock:
            if self._closed:
                return
            self._closed = True
            _release(self._login_key)

    def __enter__(self) -> Pkcs11KeySource:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def _call(self, data: bytes, mechanism: Mechanism) -> bytes:
        with _lock:
            if self._closed:
                raise BadKey(
                    "key.pkcs11_closed",
                    "Phiên làm việc với thiết bị ký số đã đóng.",
                    "The session with the signing token is closed.",
                )
            try:
                return bytes(self._key.sign(data, mechanism=mechanism))
            except p11.PKCS11Error as exc:
                raise failure(exc) from exc


def open_pkcs11(
    module: str | Path,
    *,
    token_label: str,
    pin: str,
    key_label: str | None = None,
    key_id: bytes | None = None,
    certificate: x509.Certificate | None = None,
    chain: Sequence[x509.Certificate] = (),
) -> Pkcs11KeySource:
    """Open the private key on token ``token_label`` of PKCS#11 module ``module``.

    The key is found by ``key_label`` and/or ``key_id`` (with neither, the token must
    hold exactly one private key). The certificate is ``certificate`` or, when None,
    the token's certificate with the key's id (else its label); a certificate that
    does not belong to the key is refused. ``chain`` is sent along with signatures.
    Every failure is a :class:`BadKey` with a stable code.
    """
    with _lock:
        lib = _library(Path(module))
        token = _token(lib, token_label)
        login_key = (lib.so, token.slot.slot_id)
        session = _acquire(login_key, token, pin)
        try:
            key = _private_key(session, key_label, key_id)
            cert = certificate or _token_certificate(session, key)
            _check_pair(session, key, cert)
            return Pkcs11KeySource(login_key, key, cert, list(chain))
        except BaseException:
            _release(login_key)
            raise


def failure(exc: p11.PKCS11Error) -> BadKey:
    """The :class:`BadKey` for a PKCS#11 error (PIN, token, key and other failures)."""
    if isinstance(exc, p11.PinIncorrect | p11.PinInvalid | p11.PinLenRange):
        return wrong_pin()
    if isinstance(exc, p11.PinLocked):
        return BadKey(
            "key.pkcs11_pin_locked",
            "Mã PIN của thiết bị ký số đã bị khóa do nhập sai nhiều lần; cần mở khóa bằng mã"
            " PIN quản trị (SO PIN).",
            "The signing token's PIN is locked after too many wrong tries; unlock it with"
            " the security officer PIN.",
        )
    if isinstance(exc, p11.PinExpired):
        return BadKey(
            "key.pkcs11_pin_expired",
            "Mã PIN của thiết bị ký số đã hết hạn; hãy đổi mã PIN.",
            "The signing token's PIN has expired; change it.",
        )
    if isinstance(exc, p11.DeviceRemoved | p11.TokenNotPresent | p11.SessionHandleInvalid):
        return BadKey(
            "key.pkcs11_removed",
            "Thiết bị ký số đã bị rút ra hoặc phiên làm việc đã mất; hãy mở lại.",
            "The signing token was removed or its session was lost; open it again.",
        )
    name = type(exc).__name__
    return BadKey(
        "key.pkcs11_failed",
        f"Thiết bị ký số báo lỗi ({name}).",
        f"The signing token reported an error ({name}).",
    )


def wrong_pin() -> BadKey:
    return BadKey(
        "key.pkcs11_wrong_pin",
        "Sai mã PIN của thiết bị ký số.",
        "Wrong PIN for the signing token.",
    )


def _library(module: Path) -> Library:
    if not module.is_file():
        raise BadKey(
            "key.pkcs11_module_missing",
            f"Không tìm thấy thư viện PKCS#11 {module}.",
            f"PKCS#11 module {module} not found.",
        )
    try:
        return pkcs11.lib(str(module))
    except p11.PKCS11Error:
        raise BadKey(
            "key.pkcs11_module_unusable",
            f"Không nạp được thư viện PKCS#11 {module}.",
            f"Cannot load the PKCS#11 module {module}.",
        ) from None


def _token(lib: Library, label: str) -> pkcs11.Token:
    try:
        return lib.get_token(token_label=label)
    except p11.NoSuchToken:
        raise BadKey(
            "key.pkcs11_no_token",
            f"Không thấy thiết bị ký số có nhãn “{label}”.",
            f"No signing token labelled {label!r}.",
        ) from None
    except p11.MultipleTokensReturned:
        raise BadKey(
            "key.pkcs11_token_ambiguous",
            f"Có nhiều thiết bị ký số cùng nhãn “{label}”.",
            f"Several signing tokens are labelled {label!r}.",
        ) from None
    except p11.PKCS11Error as exc:
        raise failure(exc) from exc


def _pin_digest(pin: str) -> bytes:
    return hashlib.sha256(_pin_salt + pin.encode()).digest()


def _acquire(login_key: tuple[str, int], token: pkcs11.Token, pin: str) -> pkcs11.Session:
    """The token's logged-in session, logging in when no key source holds one yet."""
    existing = _logins.get(login_key)
    if existing is not None:
        # The token would answer "already logged in" without looking at the PIN.
        if not hmac.compare_digest(existing.pin_digest, _pin_digest(pin)):
            raise wrong_pin()
        existing.users += 1
        return existing.session
    try:
        session = token.open(user_pin=pin)
    except p11.PKCS11Error as exc:
        raise failure(exc) from exc
    try:
        mechanisms = frozenset(token.slot.get_mechanisms())
    except p11.PKCS11Error:
        mechanisms = frozenset()
    _logins[login_key] = _Login(session, _pin_digest(pin), 1, mechanisms)
    return session


def _release(login_key: tuple[str, int]) -> None:
    login = _logins.get(login_key)
    if login is None:
        return
    login.users -= 1
    if login.users <= 0:
        del _logins[login_key]
        with contextlib.suppress(p11.PKCS11Error):  # a token that is gone has no login left
            login.session.close()


def _private_key(
    session: pkcs11.Session, label: str | None, key_id: bytes | None
) -> pkcs11.SignMixin:
    query: dict[Attribute, object] = {Attribute.CLASS: ObjectClass.PRIVATE_KEY}
    if label is not None:
        query[Attribute.LABEL] = label
    if key_id is not None:
        query[Attribute.ID] = key_id
    try:
        # Not Session.get_key: it abandons its search when two keys match, leaving a
        # C_FindObjects operation active on the (shared) session.
        found = list(session.get_objects(query))
    except p11.PKCS11Error as exc:
        raise failure(exc) from exc
    if len(found) > 1:
        raise BadKey(
            "key.pkcs11_key_ambiguous",
            "Thiết bị ký số có nhiều khóa bí mật khớp; hãy chỉ rõ nhãn hoặc mã khóa.",
            "Several private keys on the token match; give the key label or id.",
        )
    if not found:
        wanted = ", ".join(
            part
            for part in (
                f"label {label!r}" if label is not None else "",
                f"id {key_id.hex()}" if key_id is not None else "",
            )
            if part
        )
        raise BadKey(
            "key.pkcs11_no_key",
            f"Không thấy khóa bí mật ({wanted or 'bất kỳ'}) trên thiết bị ký số.",
            f"No private key ({wanted or 'any'}) on the signing token.",
        )
    key = found[0]
    if not isinstance(key, pkcs11.PrivateKey):  # pragma: no cover - the query asked for one
        raise TypeError("not a private key")
    if key.key_type not in (KeyType.RSA, KeyType.EC):
        raise BadKey(
            "key.pkcs11_key_type",
            "Khóa trên thiết bị ký số không phải RSA hoặc ECDSA.",
            "The key on the signing token is neither RSA nor ECDSA.",
        )
    if not isinstance(key, pkcs11.SignMixin):
        raise BadKey(
            "key.pkcs11_cannot_sign",
            "Khóa trên thiết bị ký số không được phép dùng để ký.",
            "The key on the signing token is not allowed to sign.",
        )
    return key


def _token_certificate(session: pkcs11.Session, key: pkcs11.SignMixin) -> x509.Certificate:
    for attribute in (Attribute.ID, Attribute.LABEL):
        value = _attr(key, attribute)
        if not value:
            continue
        query = {Attribute.CLASS: ObjectClass.CERTIFICATE, attribute: value}
        for obj in list(session.get_objects(query)):
            try:
                return x509.load_der_x509_certificate(bytes(obj[Attribute.VALUE]))
            except ValueError:
                continue
    raise BadKey(
        "key.pkcs11_no_certificate",
        "Thiết bị ký số không có chứng thư số đi kèm khóa này; hãy cung cấp chứng thư.",
        "The signing token holds no certificate for this key; supply the certificate.",
    )


def _attr(obj: pkcs11.Object, attribute: Attribute) -> object:
    try:
        return obj[attribute]
    except p11.PKCS11Error:
        return None


def _check_pair(session: pkcs11.Session, key: pkcs11.SignMixin, cert: x509.Certificate) -> None:
    """Refuse a certificate whose public key is not the token key's, as far as the token
    tells (an RSA key's modulus; an EC key's public half, when stored beside it)."""
    public = cert.public_key()
    matches = True
    if key.key_type == KeyType.RSA:
        modulus = _attr(key, Attribute.MODULUS)
        if not isinstance(public, rsa.RSAPublicKey):
            matches = False
        elif isinstance(modulus, bytes | bytearray):
            matches = int.from_bytes(modulus, "big") == public.public_numbers().n
    elif not isinstance(public, ec.EllipticCurvePublicKey):
        matches = False
    else:
        stored = _ec_point(session, key)
        if stored is not None:
            point = public.public_bytes(Encoding.X962, PublicFormat.UncompressedPoint)
            # EC_POINT is a DER OCTET STRING around the point; some tokens give it bare.
            matches = stored in (point, der.octet_string(point))
    if not matches:
        raise BadKey(
            "key.pkcs11_certificate_mismatch",
            "Chứng thư số không khớp với khóa bí mật trên thiết bị ký số.",
            "The certificate does not belong to the private key on the signing token.",
        )


def _ec_point(session: pkcs11.Session, key: pkcs11.SignMixin) -> bytes | None:
    """EC_POINT of the public-key object with the key's id (a private EC key object does
    not carry its public point)."""
    key_id = _attr(key, Attribute.ID)
    if not isinstance(key_id, bytes | bytearray) or not key_id:
        return None
    query = {Attribute.CLASS: ObjectClass.PUBLIC_KEY, Attribute.ID: key_id}
    # Run every search to its end: an abandoned search is a dangling C_FindObjects.
    for obj in list(session.get_objects(query)):
        point = _attr(obj, Attribute.EC_POINT)
        if isinstance(point, bytes | bytearray):
            return bytes(point)
    return None


def _der_ecdsa(raw: bytes) -> bytes:
    """PKCS#11 gives ECDSA signatures as r || s; CMS wants DER Ecdsa-Sig-Value."""
    if not raw or len(raw) % 2:
        raise BadKey(
            "key.pkcs11_bad_signature",
            "Thiết bị ký số trả về chữ ký ECDSA không hợp lệ.",
            "The signing token returned a malformed ECDSA signature.",
        )
    half = len(raw) // 2
    return encode_dss_signature(
        int.from_bytes(raw[:half], "big"), int.from_bytes(raw[half:], "big")
    )
