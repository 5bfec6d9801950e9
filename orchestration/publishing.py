"""Publishing files and folders so that readers see the old version or the new one, never
a half-written one — also when the run is killed (kill -9) at any instant.

- A file is written beside its target and renamed over it (`os.replace` is atomic).
- A folder (a report date's bulletins, the worklists) is built as a new release beside
  it, and the published name is a symbolic link switched to the new release in one
  atomic rename. Renaming a real folder away and another into its place takes two
  renames: a kill between them would leave nothing published.

Whatever a killed run leaves behind (a file or release being built) is hidden (its name
starts with a dot), never read, and removed by `sweep_leftovers` when the next run
publishes."""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")

BUILDING = "building"  # marks a file being written
RELEASE = "release"  # marks a folder's release (the published name links to one)


def _aside(target: Path, kind: str) -> Path:
    return target.with_name(f".{target.name}.{kind}-{uuid.uuid4().hex[:12]}")


def write_file(path: Path, content: str | bytes) -> Path:
    """Write ``content`` to ``path`` atomically (text as UTF-8)."""
    data = content.encode("utf-8") if isinstance(content, str) else content
    build_file(path, lambda scratch: scratch.write_bytes(data))
    return path


def copy_file(source: Path, path: Path) -> Path:
    """Copy ``source`` to ``path`` atomically."""
    build_file(path, lambda scratch: shutil.copyfile(source, scratch))
    return path


def build_file(path: Path, build: Callable[[Path], T]) -> T:
    """Let ``build`` write a file at a scratch path, then rename it over ``path``."""
    scratch = _aside(path, BUILDING)
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        result = build(scratch)
        os.replace(scratch, path)
    finally:
        scratch.unlink(missing_ok=True)
    return result


def publish_folder(target: Path, build: Callable[[Path], T]) -> T:
    """Let ``build`` fill a new release folder, then make ``target`` (a symbolic link)
    point at it atomically; the previous release is removed afterwards. While ``build``
    runs, ``target`` still shows the previous release, which ``build`` may read."""
    target.parent.mkdir(parents=True, exist_ok=True)
    release = _aside(target, RELEASE)
    release.mkdir()
    try:
        result = build(release)
    except BaseException:
        shutil.rmtree(release, ignore_errors=True)
        raise
    previous = _current_release(target)
    if target.exists() and not target.is_symlink():
        # Published before releases existed: it becomes a release itself. A kill before
        # the link below is made leaves no `target`: the next sweep links it back.
        previous = _aside(target, RELEASE)
        target.rename(previous)
    link = _aside(target, BUILDING)
    os.symlink(release.name, link)
    os.replace(link, target)
    if previous is not None:
        shutil.rmtree(previous, ignore_errors=True)
    return result


def _current_release(target: Path) -> Path | None:
    if not target.is_symlink():
        return None
    return target.parent / os.readlink(target)


def sweep_leftovers(folder: Path) -> list[Path]:
    """Remove what killed runs left in ``folder``: files being written, and releases no
    published link points at — except that a release whose published name is missing
    altogether (a run killed while turning a folder into a release) is linked back.
    Returns what was removed."""
    if not folder.is_dir():
        return []
    for release in sorted(folder.glob(f".*.{RELEASE}-*"), key=lambda p: p.stat().st_mtime, reverse=True):
        published = folder / release.name[1:].rsplit(f".{RELEASE}-", 1)[0]
        if release.is_dir() and not published.exists() and not published.is_symlink():
            os.symlink(release.name, published)
    in_use = {os.readlink(entry) for entry in folder.iterdir() if entry.is_symlink() and not entry.name.startswith(".")}
    removed = []
    for entry in folder.iterdir():
        name = entry.name
        if not name.startswith(".") or name in in_use:
            continue
        if f".{BUILDING}-" in name or f".{RELEASE}-" in name:
            if entry.is_dir() and not entry.is_symlink():
                shutil.rmtree(entry, ignore_errors=True)
            else:
                entry.unlink(missing_ok=True)
            removed.append(entry)
    return removed
