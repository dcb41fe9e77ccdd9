"""The backup's manifest: what it holds, and the SHA-256 of every file in it.

``manifest.json`` is written last, so a backup folder without one is incomplete. A
restore reads nothing else before every file is checked against it.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any

from ecabinet.operations import errors

MANIFEST = "manifest.json"
FORMAT = "ecabinet-backup/1"


def file_hash(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(1024 * 1024):
            digest.update(chunk)
    return digest.hexdigest()


def files_of(folder: Path) -> dict[str, dict[str, Any]]:
    """``{relative path: {"sha256", "size"}}`` of every file under ``folder`` but the
    manifest, in a stable order."""
    found: dict[str, dict[str, Any]] = {}
    for root, dirs, names in os.walk(folder):
        dirs.sort()
        for name in sorted(names):
            path = Path(root) / name
            rel = path.relative_to(folder).as_posix()
            if rel == MANIFEST:
                continue
            found[rel] = {"sha256": file_hash(path), "size": path.stat().st_size}
    return found


def write(folder: Path, body: dict[str, Any]) -> None:
    body = {"format": FORMAT, **body, "files": files_of(folder)}
    aside = folder / (MANIFEST + ".part")
    aside.write_text(json.dumps(body, indent=1, ensure_ascii=False) + "\n")
    os.replace(aside, folder / MANIFEST)


def read(folder: Path) -> dict[str, Any]:
    """The manifest, once its shape is checked (not yet the files: :func:`check_files`)."""
    try:
        body = json.loads((folder / MANIFEST).read_text())
    except FileNotFoundError:
        raise errors.bad_backup(
            f"không có {MANIFEST} (bản sao lưu chưa hoàn tất?)",
            f"there is no {MANIFEST} (an unfinished backup?)",
        ) from None
    except (OSError, ValueError) as exc:
        raise errors.bad_backup(
            f"không đọc được {MANIFEST}", f"{MANIFEST} is unreadable: {exc}"
        ) from exc
    if not isinstance(body, dict) or body.get("format") != FORMAT:
        raise errors.bad_backup(
            f"{MANIFEST} không phải định dạng {FORMAT}", f"{MANIFEST} is not {FORMAT}"
        )
    for key in ("files", "database", "secrets", "schema_revision"):
        if key not in body:
            raise errors.bad_backup(f"{MANIFEST} thiếu mục {key}", f"{MANIFEST} lacks {key}")
    files = body["files"]
    if not isinstance(files, dict) or not all(
        isinstance(v, dict) and isinstance(v.get("sha256"), str) for v in files.values()
    ):
        raise errors.bad_backup(f"danh sách tệp trong {MANIFEST} hỏng", f"{MANIFEST}: bad files")
    return body


def check_files(folder: Path, listed: dict[str, dict[str, Any]]) -> None:
    """Every listed file is there with its SHA-256, and nothing unlisted is."""
    present = set()
    for root, _dirs, names in os.walk(folder):
        for name in names:
            rel = (Path(root) / name).relative_to(folder).as_posix()
            if rel != MANIFEST:
                present.add(rel)
    extra = sorted(present - listed.keys())
    if extra:
        raise errors.bad_backup(
            f"tệp {extra[0]} không có trong {MANIFEST}", f"{extra[0]} is not in {MANIFEST}"
        )
    for rel, entry in listed.items():
        path = folder / rel
        if ".." in Path(rel).parts or not path.is_file():
            raise errors.bad_backup(f"thiếu tệp {rel}", f"{rel} is missing")
        if file_hash(path) != entry["sha256"]:
            raise errors.bad_backup(
                f"tệp {rel} không khớp mã băm SHA-256 trong {MANIFEST}",
                f"{rel} does not match its SHA-256 in {MANIFEST}",
            )
