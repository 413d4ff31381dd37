"""Which files a batch reads: every entry the glob matches, each reported, never skipped.

The folder is walked with `os.scandir`, so what `pathlib.glob` passes over in silence becomes an
entry with a `problem`, which the batch turns into an `unreadable` row: a dangling symlink, a
symlink loop, a FIFO, socket or device (never opened: opening a FIFO blocks), and a directory
whose files cannot be listed (the row names the directory). Symlinks are followed, to files and
to directories, inside the folder or out of it (a folder of links to resumes is a fair layout);
a directory link back to one of its own ancestors is a loop and gets its row. The glob matches
case-insensitively (`**/*.pdf` takes `CV.PDF`, as the readers take either case), and a glob that
could leave the folder (absolute, or with a `..` part) is refused.
"""

from __future__ import annotations

import errno
import fnmatch
import os
import re
import stat
from dataclasses import dataclass
from pathlib import Path


class GlobError(ValueError):
    """A --glob that cannot be used (empty, absolute, or climbing out of the folder)."""


@dataclass
class Entry:
    path: str  # as the file system takes it (undecodable bytes kept by surrogateescape)
    file: str  # the row's name: relative to the folder, "/"-separated, always valid UTF-8
    file_hex: str | None = None  # the name's raw bytes, hex, when they are not UTF-8
    problem: str | None = None  # why it cannot be read, found while listing

    @property
    def key(self) -> str:
        """What tells two rows' files apart, even where `file` had to escape bytes."""
        return self.file_hex or self.file


def row_name(relative: str) -> tuple[str, str | None]:
    """A name that JSON and UTF-8 can carry: undecodable bytes as `\\xNN`, and their hex."""
    raw = os.fsencode(relative)
    try:
        return raw.decode("utf-8"), None
    except UnicodeDecodeError:
        return raw.decode("utf-8", "backslashreplace"), raw.hex()


def check_glob(pattern: str) -> list[str]:
    """The glob's parts, or a GlobError saying why it cannot be used."""
    if not pattern or not pattern.strip():
        raise GlobError("--glob is empty: use for example '**/*' or '**/*.pdf'")
    if pattern.startswith(("/", "\\")) or os.path.isabs(pattern):
        raise GlobError(f"--glob {pattern!r} is absolute: it must be relative to the folder")
    parts = [part for part in pattern.split("/") if part not in ("", ".")]
    if ".." in parts:
        raise GlobError(f"--glob {pattern!r} climbs out of the folder ('..'): it must stay inside it")
    if not parts:
        raise GlobError(f"--glob {pattern!r} matches no file: use for example '**/*'")
    return parts


class _Matcher:
    """pathlib's glob rules (`**` is zero or more folders), case-insensitively."""

    def __init__(self, parts: list[str]):
        self.parts = [None if p == "**" else re.compile(fnmatch.translate(p), re.IGNORECASE) for p in parts]

    def matches(self, names: tuple[str, ...]) -> bool:
        return self._match(0, names)

    def _match(self, i: int, names: tuple[str, ...]) -> bool:
        if i == len(self.parts):
            return not names
        part = self.parts[i]
        if part is None:
            return any(self._match(i + 1, names[skip:]) for skip in range(len(names) + 1))
        return bool(names) and bool(part.match(names[0])) and self._match(i + 1, names[1:])

    def may_hold_matches(self, names: tuple[str, ...]) -> bool:
        """Whether a folder at `names` can hold a match (so its listing matters)."""
        return self._prefix(0, names)

    def _prefix(self, i: int, names: tuple[str, ...]) -> bool:
        if not names:
            return i < len(self.parts)
        if i == len(self.parts):
            return False
        part = self.parts[i]
        if part is None:
            return True
        return bool(part.match(names[0])) and self._prefix(i + 1, names[1:])


def list_entries(root: Path, pattern: str, exclude: tuple[Path, ...] = ()) -> list[Entry]:
    """Every entry under `root` that `pattern` matches, sorted by name; files in `exclude`
    (the batch's own output) are left out."""
    matcher = _Matcher(check_glob(pattern))
    excluded = set()
    for path in exclude:
        try:
            found = os.stat(path)
            excluded.add((found.st_dev, found.st_ino))
        except OSError:
            pass
    entries: list[Entry] = []
    top = os.stat(root)
    _walk(os.fspath(root), (), matcher, entries, excluded, [(top.st_dev, top.st_ino)])
    return sorted(entries, key=lambda e: os.fsencode(e.path))


def _entry(path: str, names: tuple[str, ...], problem: str | None = None) -> Entry:
    file, file_hex = row_name("/".join(names))
    return Entry(path, file, file_hex, problem)


def _walk(folder: str, names: tuple[str, ...], matcher: _Matcher, entries: list[Entry], excluded: set,
          ancestors: list[tuple[int, int]]) -> None:
    try:
        with os.scandir(folder) as listing:
            children = list(listing)
    except OSError as error:
        if names:  # the folder itself: the batch cannot start (the caller checks it first)
            entries.append(_entry(folder, names, f"a folder whose files cannot be listed "
                                                 f"({error.strerror or type(error).__name__})"))
            return
        raise
    for child in children:
        child_names = (*names, child.name)
        try:
            info = os.stat(child.path)  # follows symlinks
        except OSError as error:
            if matcher.matches(child_names) or matcher.may_hold_matches(child_names):
                entries.append(_entry(child.path, child_names, _broken_link(child.path, error)))
            continue
        if stat.S_ISDIR(info.st_mode):
            if not matcher.may_hold_matches(child_names):
                continue
            identity = (info.st_dev, info.st_ino)
            if identity in ancestors:
                entries.append(_entry(child.path, child_names, "a symlink loop (a link to a folder that holds it)"))
                continue
            _walk(child.path, child_names, matcher, entries, excluded, [*ancestors, identity])
        elif matcher.matches(child_names) and (info.st_dev, info.st_ino) not in excluded:
            problem = None if stat.S_ISREG(info.st_mode) else f"not a regular file ({_kind(info.st_mode)})"
            entries.append(_entry(child.path, child_names, problem))


def _broken_link(path: str, error: OSError) -> str:
    try:
        target = os.readlink(path)
    except OSError:
        return f"cannot be opened ({error.strerror or type(error).__name__})"
    if error.errno == errno.ELOOP:
        return f"a symlink loop (-> {row_name(target)[0]})"
    return f"a dangling symlink (-> {row_name(target)[0]}: {error.strerror})"


def _kind(mode: int) -> str:
    for test, name in ((stat.S_ISFIFO, "a FIFO"), (stat.S_ISSOCK, "a socket"), (stat.S_ISCHR, "a character device"),
                       (stat.S_ISBLK, "a block device")):
        if test(mode):
            return name
    return "not a file"


def list_paths(listing: Path) -> list[Entry]:
    """The files a text file names, one path per line (blank lines and `#` comments skipped,
    a repeated path kept once); a relative path is read from the list's folder, and the row's
    `file` is the line as written. A list none of whose paths exists is refused (most likely
    a resume given where a list was meant), with a GlobError naming the first path."""
    base = os.fsencode(listing.parent)
    entries: list[Entry] = []
    seen: set[bytes] = set()
    with open(listing, "rb") as handle:
        for raw in handle:
            line = raw.rstrip(b"\r\n")
            if not line.strip() or line.lstrip().startswith(b"#") or line in seen:
                continue
            if b"\0" in line:
                raise GlobError(f"{listing} is not a list of paths (it holds a NUL byte)")
            seen.add(line)
            path = line if os.path.isabs(line) else os.path.join(base, line)
            file, file_hex = row_name(os.fsdecode(line))
            entries.append(Entry(os.fsdecode(path), file, file_hex))
    if not any(os.path.lexists(entry.path) for entry in entries):
        first = entries[0].file if entries else "(none: the list is empty)"
        raise GlobError(f"{listing} is not a list of resume paths: none of the {len(entries)} path(s) it names "
                        f"exists (first: {first!r}); batch takes a folder, or a text file with one path per line")
    return entries
