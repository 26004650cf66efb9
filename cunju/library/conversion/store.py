"""Putting library files in place through Django's storage, all or nothing.

On the local file system (the default) a file or a whole folder of derived files is built
beside its final place and renamed into it, so a reader never sees half of it. Other
storages (S3-compatible) get the same calls file by file.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import uuid
from pathlib import Path

from django.core.files import File
from django.core.files.storage import default_storage


def _local_path(name: str) -> Path | None:
    try:
        return Path(default_storage.path(name))
    except NotImplementedError:
        return None


def scratch_dir(prefix: str) -> Path:
    """A new private folder for work in progress, on the same disk as the media when local
    (so finished work moves into place by renaming)."""
    local = _local_path("library/work")
    if local is not None:
        local.mkdir(parents=True, exist_ok=True)
        return Path(tempfile.mkdtemp(prefix=prefix, dir=local))
    return Path(tempfile.mkdtemp(prefix=prefix))


def sweep_scratch(*, prefix: str = "", older_than: float = 0, keep: Path | None = None) -> int:
    """Remove scratch folders a dead process left: those starting with ``prefix`` (work on
    a file this process now owns), or untouched for ``older_than`` seconds."""
    local = _local_path("library/work")
    if local is None or not local.is_dir():
        return 0
    import time

    removed = 0
    now = time.time()
    for folder in local.iterdir():
        if keep is not None and folder == keep:
            continue
        if prefix and not folder.name.startswith(prefix):
            continue
        try:
            if older_than and now - folder.stat().st_mtime < older_than:
                continue
        except FileNotFoundError:
            continue
        shutil.rmtree(folder, ignore_errors=True)
        removed += 1
    return removed


def place_file(local: Path, name: str) -> str:
    """Put the local file at storage ``name`` exactly (replacing what is there)."""
    target = _local_path(name)
    if target is not None:
        target.parent.mkdir(parents=True, exist_ok=True)
        staging = target.with_name(f".{target.name}.{uuid.uuid4().hex[:8]}")
        try:
            os.replace(local, staging)
        except OSError:  # another disk
            shutil.copyfile(local, staging)
        os.replace(staging, target)
        return name
    if default_storage.exists(name):
        default_storage.delete(name)
    with local.open("rb") as handle:
        saved = default_storage.save(name, File(handle))
    if saved != name:
        default_storage.delete(saved)
        raise OSError(f"storage saved {name} as {saved}")
    return name


def place_folder(local: Path, prefix: str) -> list[str]:
    """Put every file of the local folder under storage folder ``prefix`` (which must not
    exist yet); returns the storage names. On failure nothing is left at ``prefix``."""
    target = _local_path(prefix)
    files = sorted(p for p in local.iterdir() if p.is_file())
    names = [f"{prefix}/{p.name}" for p in files]
    if target is not None:
        target.parent.mkdir(parents=True, exist_ok=True)
        if target.exists():
            shutil.rmtree(target)
        os.replace(local, target)
        return names
    placed = []
    try:
        for path, name in zip(files, names, strict=True):
            placed.append(place_file(path, name))
    except Exception:
        for name in placed:
            default_storage.delete(name)
        raise
    return names


def remove_folder(prefix: str, *, keep: str = "") -> None:
    """Delete storage folder ``prefix`` and everything in it (except subfolder ``keep``)."""
    target = _local_path(prefix)
    if target is not None:
        if not target.is_dir():
            return
        for child in target.iterdir():
            if keep and child.name == keep:
                continue
            if child.is_dir():
                shutil.rmtree(child, ignore_errors=True)
            else:
                child.unlink(missing_ok=True)
        if not keep:
            shutil.rmtree(target, ignore_errors=True)
        return
    try:
        folders, files = default_storage.listdir(prefix)
    except (FileNotFoundError, NotImplementedError):
        return
    for name in files:
        default_storage.delete(f"{prefix}/{name}")
    for folder in folders:
        if folder != keep:
            remove_folder(f"{prefix}/{folder}")


def fetch(name: str, local: Path) -> None:
    """Copy storage file ``name`` to the local path (FileNotFoundError when missing)."""
    source = _local_path(name)
    if source is not None:
        shutil.copyfile(source, local)
        return
    with default_storage.open(name, "rb") as handle, local.open("wb") as out:
        shutil.copyfileobj(handle, out, 1 << 20)


def exists(name: str) -> bool:
    return bool(name) and default_storage.exists(name)
