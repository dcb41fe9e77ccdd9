"""Errors of backup and restore: each names what is wrong in both languages."""

from __future__ import annotations

from ecabinet.core import errors


def target_not_empty(what: str) -> errors.Conflict:
    return errors.Conflict(
        "restore.target_not_empty",
        f"Nơi khôi phục không trống ({what}); dùng --force để ghi đè.",
        f"The restore target is not empty ({what}); use --force to overwrite it.",
        {"what": what},
    )


def backup_dir_not_empty(path: str) -> errors.Conflict:
    return errors.Conflict(
        "backup.dir_not_empty",
        f"Thư mục sao lưu {path} đã có dữ liệu; hãy chọn một thư mục trống.",
        f"The backup folder {path} is not empty; choose an empty one.",
        {"path": path},
    )


def bad_backup(problem_vi: str, problem_en: str) -> errors.IntegrityFailure:
    return errors.IntegrityFailure(
        "restore.bad_backup",
        f"Bản sao lưu không dùng được: {problem_vi}",
        f"The backup cannot be used: {problem_en}",
    )


def missing_secret(name: str, path: str) -> errors.IntegrityFailure:
    return errors.IntegrityFailure(
        "restore.missing_secret",
        f"Bản sao lưu thiếu khóa bí mật {name} ({path}); không khôi phục.",
        f"The backup lacks the secret {name} ({path}); nothing was restored.",
        {"secret": name, "path": path},
    )


def missing_blobs(count: int, first: str) -> errors.IntegrityFailure:
    return errors.IntegrityFailure(
        "backup.missing_blobs",
        f"{count} tệp mà cơ sở dữ liệu tham chiếu không có trong kho (đầu tiên: {first}).",
        f"{count} blob(s) the database refers to are missing from the store (first: {first}).",
        {"count": count, "first": first},
    )


def tool_failed(tool: str, detail: str) -> errors.Unavailable:
    return errors.Unavailable(
        "backup.tool_failed",
        f"Lệnh {tool} thất bại: {detail}",
        f"{tool} failed: {detail}",
        {"tool": tool},
    )


def unsupported(what_vi: str, what_en: str) -> errors.InvalidInput:
    return errors.InvalidInput(
        "restore.unsupported", f"Không hỗ trợ: {what_vi}", f"Not supported: {what_en}"
    )
