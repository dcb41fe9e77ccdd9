"""Errors of signature activation, certificate binding and seal governance, as small
factories (stable codes, Vietnamese and English)."""

from __future__ import annotations

from ecabinet.core import errors


def activation_required(needs: list[str]) -> errors.InvalidInput:
    what_vi = "mã PIN ký số" + (" và mã xác thực (TOTP)" if "otp" in needs else "")
    what_en = "the signing PIN" + (" and an authenticator (TOTP) code" if "otp" in needs else "")
    return errors.InvalidInput(
        "credential.activation_required",
        f"Cần nhập {what_vi} của người giữ chứng thư cho lần ký này.",
        f"This signature needs {what_en} of the credential's holder.",
        {"needs": needs},
    )


def wrong_pin(attempts_left: int) -> errors.PermissionDenied:
    return errors.PermissionDenied(
        "credential.wrong_pin",
        f"Sai mã PIN ký số. Còn {attempts_left} lần thử trước khi chứng thư bị khóa.",
        f"Wrong signing PIN. {attempts_left} attempts left before the credential is locked.",
        {"attempts_left": attempts_left},
    )


def wrong_otp(attempts_left: int) -> errors.PermissionDenied:
    return errors.PermissionDenied(
        "credential.wrong_otp",
        "Mã xác thực (TOTP) sai hoặc đã được dùng. Còn"
        f" {attempts_left} lần thử trước khi chứng thư bị khóa.",
        f"Wrong or already used authenticator (TOTP) code. {attempts_left} attempts left"
        " before the credential is locked.",
        {"attempts_left": attempts_left},
    )


def locked() -> errors.Conflict:
    return errors.Conflict(
        "credential.locked",
        "Chứng thư ký số đã bị khóa do nhập sai mã PIN quá số lần cho phép; quản trị"
        " viên của cơ quan cần mở khóa. Tài khoản đăng nhập không bị ảnh hưởng.",
        "The signing credential is locked after too many wrong PINs; an admin of its"
        " agency must unlock it. Your login is not affected.",
    )


def pin_not_set() -> errors.Conflict:
    return errors.Conflict(
        "credential.pin_not_set",
        "Chứng thư này chưa có mã PIN ký số: người giữ chứng thư cần đặt mã PIN một lần"
        " trước khi ký.",
        "This credential has no signing PIN yet: its holder must set one once before signing.",
    )


def pin_already_set() -> errors.InvalidInput:
    return errors.InvalidInput(
        "credential.pin_already_set",
        "Chứng thư đã có mã PIN: hãy nhập mã PIN cũ để đổi.",
        "The credential has a PIN already: give the old PIN to change it.",
    )


def pin_too_short(minimum: int) -> errors.InvalidInput:
    return errors.InvalidInput(
        "credential.pin_too_short",
        f"Mã PIN ký số phải dài ít nhất {minimum} ký tự.",
        f"A signing PIN is at least {minimum} characters long.",
        {"minimum": minimum},
    )


def pin_too_weak() -> errors.InvalidInput:
    return errors.InvalidInput(
        "credential.pin_too_weak",
        "Mã PIN quá dễ đoán (một ký tự lặp lại hoặc dãy số liên tiếp).",
        "The PIN is too easy to guess (one repeated character or a run of digits).",
    )


def not_holder() -> errors.PermissionDenied:
    return errors.PermissionDenied(
        "credential.not_holder",
        "Chỉ người giữ chứng thư (chính chủ, hoặc văn thư của cơ quan với chữ ký số cơ"
        " quan) mới đặt hoặc đổi mã PIN.",
        "Only the credential's holder (its official, or the agency's clerks for a seal)"
        " sets or changes its PIN.",
    )


def key_on_token() -> errors.InvalidInput:
    """A token credential given to a one-step signing: its key is not on the server."""
    return errors.InvalidInput(
        "credential.on_token",
        "Khóa của chứng thư này nằm trên USB token của người ký: hãy ký hai bước"
        " (chuẩn bị, ký trên token, hoàn tất).",
        "The key of this certificate is on the signer's USB token: sign in two steps"
        " (prepare, sign on the token, complete).",
    )


def no_pin_on_token() -> errors.InvalidInput:
    """A token credential given a signing PIN to set: the token checks its own."""
    return errors.InvalidInput(
        "credential.on_token",
        "Khóa của chứng thư này nằm trên USB token: token tự kiểm tra mã PIN của nó.",
        "The key of this certificate is on a USB token, which checks its own PIN.",
    )


def disabled() -> errors.Conflict:
    return errors.Conflict(
        "credential.disabled",
        "Chứng thư ký số này đã bị vô hiệu hóa.",
        "This signing credential has been disabled.",
    )


def unlock_forbidden() -> errors.PermissionDenied:
    return errors.PermissionDenied(
        "credential.unlock_forbidden",
        "Chỉ quản trị viên của cơ quan quản lý chứng thư, không phải người giữ chứng thư,"
        " mới được mở khóa.",
        "Only an admin of the credential's agency who does not hold it may unlock it.",
    )


def seal_not_here() -> errors.InvalidInput:
    return errors.InvalidInput(
        "credential.seal_not_here",
        "Chữ ký số của cơ quan chỉ được dùng khi phát hành văn bản đi, trên biên bản và"
        " thông báo kết luận, hoặc khi sao y, sao lục văn bản; không ký tệp tùy ý.",
        "The agency's seal is applied only when issuing an outgoing document, by the"
        " minutes and conclusion-notice flows, or when making a copy (sao y, sao lục) of"
        " a document; never to an arbitrary file.",
    )


def pin_too_long(maximum: int) -> errors.InvalidInput:
    return errors.InvalidInput(
        "credential.pin_too_long",
        f"Mã PIN ký số dài tối đa {maximum} ký tự.",
        f"A signing PIN is at most {maximum} characters long.",
        {"maximum": maximum},
    )
