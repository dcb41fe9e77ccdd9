"""``ecabinet sign``, ``ecabinet verify`` and ``ecabinet extend``: PAdES from the command line.

    ecabinet sign IN.pdf OUT.pdf --p12 FILE [--password-env NAME] [--level B-B|B-T|B-LT|B-LTA]
                 [--tsa URL] [--image PNG] [--page N] [--box X1,Y1,X2,Y2]
    ecabinet sign IN.pdf OUT.pdf --pkcs11-token LABEL [--key-label L] [--pin-env NAME] …
    ecabinet verify FILE.pdf [--trust DIR] [--json] [--offline]
    ecabinet extend IN.pdf OUT.pdf [--tsa URL]            (raise to B-LTA)

``verify`` exits 0 only when the file has signatures and every one is TOTAL-PASSED.
"""

from __future__ import annotations

import argparse
import getpass
import sys
from contextlib import ExitStack
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.x509.oid import NameOID

from ecabinet.core.settings import Settings
from ecabinet.signatures.setup import SigningSetup
from signing.errors import SigningError
from signing.keys import KeySource
from signing.specs import DocMDP, FieldSpec, Level


def add_commands(sub: Any) -> None:
    sign = sub.add_parser("sign", help="sign a PDF (PAdES baseline)")
    sign.add_argument("input", type=Path)
    sign.add_argument("output", type=Path)
    key = sign.add_mutually_exclusive_group(required=True)
    key.add_argument("--p12", type=Path, help="PKCS#12 file with key and chain")
    key.add_argument("--pkcs11-token", metavar="LABEL", help="sign with a PKCS#11 token")
    sign.add_argument("--password-env", help="environment variable holding the passphrase")
    sign.add_argument("--pkcs11-lib", type=Path, help="PKCS#11 module (ECABINET_PKCS11_LIB)")
    sign.add_argument("--key-label", help="label of the key on the token")
    sign.add_argument("--key-id", help="id of the key on the token, in hex")
    sign.add_argument("--pin-env", help="environment variable holding the token PIN")
    sign.add_argument("--level", default="B-B", choices=[lv.value for lv in Level])
    sign.add_argument("--tsa", help="RFC 3161 time-stamp authority (ECABINET_TSA_URL)")
    sign.add_argument("--field", help="signature field name (default: the signer's name)")
    sign.add_argument("--page", type=int, default=1, help="page of the widget, from 1")
    sign.add_argument("--box", help="widget box X1,Y1,X2,Y2 in points (invisible if absent)")
    sign.add_argument("--image", type=Path, help="PNG of the handwritten signature (needs --box)")
    sign.add_argument("--title", help="signer's title under the box (default: certificate)")
    sign.add_argument("--name", help="signer's name in the box (default: certificate)")
    sign.add_argument("--reason", default="")
    sign.add_argument("--location", default="")
    sign.add_argument(
        "--certify", type=int, choices=[1, 2, 3], help="lock the document (DocMDP /P)"
    )
    sign.set_defaults(run=_sign)

    verify = sub.add_parser("verify", help="validate the signatures of a PDF")
    verify.add_argument("file", type=Path)
    verify.add_argument(
        "--trust", type=Path, action="append", default=[], help="extra folder of PEM anchors"
    )
    verify.add_argument("--json", action="store_true", help="the report as JSON")
    verify.add_argument("--offline", action="store_true", help="no OCSP/CRL requests")
    verify.set_defaults(run=_verify)

    extend = sub.add_parser("extend", help="raise a signed PDF to PAdES B-LTA")
    extend.add_argument("input", type=Path)
    extend.add_argument("output", type=Path)
    extend.add_argument("--tsa", help="RFC 3161 time-stamp authority (ECABINET_TSA_URL)")
    extend.add_argument(
        "--trust", type=Path, action="append", default=[], help="extra folder of PEM anchors"
    )
    extend.set_defaults(run=_extend)

    credential = sub.add_parser("credential", help="signing credentials").add_subparsers(
        required=True, metavar="ACTION"
    )
    unlock = credential.add_parser(
        "unlock", help="unlock a credential locked by wrong PINs (audited as the command line)"
    )
    unlock.add_argument("id", help="the credential's id")
    unlock.set_defaults(run=_credential_unlock)


class _Usage(Exception):
    """A command-line mistake: printed, exit status 2."""


def _secret(settings: Settings, env_name: str | None, prompt: str) -> str:
    if env_name:
        value = settings.env.get(env_name)
        if value is None:
            raise _Usage(f"environment variable {env_name} is not set")
        return value
    return getpass.getpass(prompt)


def _box(text: str | None) -> tuple[float, float, float, float] | None:
    if not text:
        return None
    try:
        x1, y1, x2, y2 = (float(v) for v in text.split(","))
    except ValueError:
        raise _Usage("--box takes four numbers: X1,Y1,X2,Y2") from None
    if not (x1 < x2 and y1 < y2):
        raise _Usage("--box needs X1 < X2 and Y1 < Y2")
    return (x1, y1, x2, y2)


def _open_key(settings: Settings, args: argparse.Namespace, stack: ExitStack) -> KeySource:
    from signing.keys import load_pkcs12

    if args.p12 is not None:
        password = _secret(settings, args.password_env, "Mật khẩu tệp PKCS#12 / passphrase: ")
        return load_pkcs12(args.p12.read_bytes(), password)
    from signing.pkcs11 import open_pkcs11

    module = args.pkcs11_lib or settings.pkcs11_lib
    if module is None:
        raise _Usage("--pkcs11-token needs --pkcs11-lib or ECABINET_PKCS11_LIB")
    try:
        key_id = bytes.fromhex(args.key_id) if args.key_id else None
    except ValueError:
        raise _Usage("--key-id is hexadecimal") from None
    pin = _secret(settings, args.pin_env, "Mã PIN của thiết bị ký / token PIN: ")
    return stack.enter_context(
        open_pkcs11(
            module, token_label=args.pkcs11_token, pin=pin, key_label=args.key_label, key_id=key_id
        )
    )


def _name_part(cert: x509.Certificate, oid: x509.ObjectIdentifier) -> str:
    values = cert.subject.get_attributes_for_oid(oid)
    return str(values[0].value) if values else ""


def _spec(args: argparse.Namespace, key: KeySource) -> FieldSpec:
    from signing.appearance import signer_appearance

    box = _box(args.box)
    name = args.name or _name_part(key.certificate, NameOID.COMMON_NAME)
    appearance = None
    if args.image is not None:
        if box is None:
            raise _Usage("--image needs --box")
        title = args.title or _name_part(key.certificate, NameOID.TITLE) or " "
        appearance = signer_appearance(args.image.read_bytes(), title=title, name=name, rect=box)
    return FieldSpec(
        name=args.field or name or "Signature",
        page=args.page - 1,
        rect=box or (0.0, 0.0, 0.0, 0.0),
        signer_name=name,
        reason=args.reason,
        location=args.location,
        appearance=appearance,
        certify=DocMDP(args.certify) if args.certify else None,
    )


def _write(path: Path, data: bytes) -> None:
    tmp = path.with_name(path.name + ".part")
    tmp.write_bytes(data)
    tmp.replace(path)


def _guarded(run: Any) -> Any:
    def wrapper(settings: Settings, args: argparse.Namespace) -> int:
        try:
            code: int = run(settings, args)
            return code
        except _Usage as exc:
            print(f"ecabinet: {exc}", file=sys.stderr)
            return 2
        except OSError as exc:
            print(f"ecabinet: {exc.filename}: {exc.strerror}", file=sys.stderr)
            return 2
        except SigningError as exc:
            print(f"ecabinet: {exc.code}: {exc.vi} / {exc.en}", file=sys.stderr)
            return 1

    return wrapper


@_guarded
def _sign(settings: Settings, args: argparse.Namespace) -> int:
    from signing.pades import sign_pdf

    setup = SigningSetup(settings)
    level = Level(args.level)
    data = args.input.read_bytes()
    long_term = level in (Level.B_LT, Level.B_LTA)
    fetcher = setup.fetcher(setup.anchors()) if long_term else None
    if long_term and fetcher is None:
        raise _Usage(f"--level {level} fetches OCSP/CRL: ECABINET_REVOCATION_ONLINE is off")
    with ExitStack() as stack:
        key = _open_key(settings, args, stack)
        signed = sign_pdf(
            data, key, _spec(args, key), level=level, tsa=setup.tsa(args.tsa), fetcher=fetcher
        )
    _write(args.output, signed)
    print(f"signed {args.output} (PAdES {level}, {len(signed) - len(data)} bytes added)")
    return 0


@_guarded
def _verify(settings: Settings, args: argparse.Namespace) -> int:
    from signing.validation import validate_pdf

    setup = SigningSetup(settings)
    report = validate_pdf(args.file.read_bytes(), setup.policy(args.trust, online=not args.offline))
    print(report.to_json() if args.json else report.render_vi(), end="" if not args.json else "\n")
    return 0 if report.all_passed else 1


@_guarded
def _extend(settings: Settings, args: argparse.Namespace) -> int:
    from signing.ltv import extend_to_lta

    setup = SigningSetup(settings)
    tsa = setup.tsa(args.tsa)
    if tsa is None:
        raise _Usage("extending to B-LTA needs --tsa or ECABINET_TSA_URL")
    fetcher = setup.fetcher(setup.anchors(args.trust))
    if fetcher is None:
        raise _Usage("extending to B-LTA fetches OCSP/CRL: ECABINET_REVOCATION_ONLINE is off")
    data = args.input.read_bytes()
    _write(args.output, extend_to_lta(data, tsa, fetcher))
    print(f"extended {args.output} to PAdES B-LTA")
    return 0


def _credential_unlock(settings: Settings, args: argparse.Namespace) -> int:
    from ecabinet.core.audit import Actor
    from ecabinet.core.db import make_engine, session_scope
    from ecabinet.signatures.pin_changes import unlock_as_operator

    engine = make_engine(settings)
    with session_scope(engine) as session:
        row = unlock_as_operator(session, Actor.system("cli"), args.id)
        print(f"credential {row.id} ({row.subject}) unlocked; its PIN is unchanged")
    engine.dispose()
    return 0
