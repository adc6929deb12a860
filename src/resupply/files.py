"""Every file resupply writes goes through here: guarded, atomic, never destroying a user's data.

Three rules, for every command that writes (plan, simulate, compare, demo, report, init,
ledger export, db backup, runs show --file):

1. **Nothing is clobbered.** An output directory (``--out DIR``) is written only when it does
   not exist, is empty, or is a run directory of the same kind (recognised by `is_run_dir`,
   through the kind's own test: `resupply.workflow.rundir` reads its manifest);
   anything else needs ``--force``, and even then only the files of that kind are written. An
   output file is written only when it does not exist, or with ``--force`` over a regular file.
   A directory, a device or a FIFO is never replaced.
2. **Nothing is deleted that resupply did not write.** Re-writing a run directory removes only
   the stale files of its own kind (`OutputKind.owned`), never a user's file beside them.
3. **Nothing is half-written.** Files are staged in a hidden directory inside the target and
   renamed in; every `OSError` becomes `OutputError` ("cannot write PATH: reason") and the
   staging files, and any directory created for the output, are removed.
"""

from __future__ import annotations

import os
import shutil
import stat
import tempfile
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

from resupply.errors import OutputError, OutputExistsError


@dataclass(frozen=True)
class OutputKind:
    """A kind of run directory as the guarded writer needs it: its name (for messages), the
    file moved in last (a directory is recognised only once it is complete), the glob
    patterns of the files it writes (`owned`: the only files a re-write may remove when it no
    longer produces them), and how a directory of the kind is recognised.

    The table of kinds lives with the run directory (`resupply.workflow.rundir.OUTPUTS`):
    this module knows no kind, only the rules.
    """

    name: str
    marker: str
    """Relative name of the file moved in last (``manifest.json``)."""
    owned: tuple[str, ...]
    """Glob patterns (relative to the directory) of the files this kind writes."""
    recognise: Callable[[Path], bool]
    """True when a directory is a complete run directory of this kind."""
    holds: str = ""
    """What a directory of this kind holds, for the message of a refusal."""

    def __str__(self) -> str:
        return self.name


STAGING_PREFIX = ".resupply-staging-"


def is_run_dir(path: Path, kind: OutputKind) -> bool:
    """True when `path` is a directory written by the command of `kind`."""
    return path.is_dir() and kind.recognise(path)


def check_output_dir(path: Path, kind: OutputKind, *, force: bool = False) -> None:
    """Raise unless `path` may be written as a run directory of `kind` (see the module rules).

    Called before the work starts (a solve can take minutes) and again by `write_run_dir`.
    """
    try:
        mode = path.lstat().st_mode
    except FileNotFoundError:
        return
    except OSError as exc:
        raise cannot_write(path, exc) from None
    if not stat.S_ISDIR(mode) and not (stat.S_ISLNK(mode) and path.is_dir()):
        raise OutputError(f"cannot write {path}: it exists and is not a directory; choose "
                          f"another --out (resupply never replaces a file with a directory)")
    try:
        if force or is_run_dir(path, kind) or not _has_entries(path):
            return
    except OSError as exc:  # an unreadable folder
        raise cannot_write(path, exc) from None
    why = kind.holds or "it was not written by this command"
    raise OutputExistsError(
        f"cannot write {path}: it exists and is not a {kind} directory ({why}); choose "
        f"another --out, or give --force to write the {kind} files into it (nothing else in "
        "it is touched)")


def write_run_dir(path: Path, kind: OutputKind, files: Mapping[str, str | bytes], *,
                  force: bool = False, replace: bool = True) -> None:
    """Write `files` (relative name -> contents) into the run directory `path`.

    All files are staged inside `path` first and then renamed in, the marker last; with
    `replace`, files of `kind` (`OutputKind.owned`) that are not in `files` are removed as stale.
    """
    check_output_dir(path, kind, force=force)
    created = _make_dirs(path)
    staging: Path | None = None
    moved: list[Path] = []
    try:
        staging = Path(tempfile.mkdtemp(dir=path, prefix=STAGING_PREFIX))
        for name, data in files.items():
            _write_file(staging / name, data)
        marker = kind.marker
        for name in sorted(files, key=lambda n: n == marker):
            (path / name).parent.mkdir(parents=True, exist_ok=True)
            os.replace(staging / name, path / name)
            moved.append(path / name)
        if replace:
            _remove_stale(path, kind, set(files))
    except BaseException as exc:
        if created:  # a folder made for this output: take back what was moved into it
            for done in moved:
                done.unlink(missing_ok=True)
            with suppress(OSError):
                for folder in sorted((p for p in path.rglob("*") if p.is_dir()), reverse=True):
                    _rmdir_quietly(folder)  # only empty folders go
        _cleanup(staging, created)
        if isinstance(exc, OSError):
            raise cannot_write(path, exc) from None
        raise
    shutil.rmtree(staging, ignore_errors=True)


def add_files(folder: Path, files: Mapping[str, str | bytes]) -> None:
    """Add or replace `files` (relative name -> contents) in the existing directory `folder`
    (a report written into a run directory): each written atomically, replacing only a
    regular file of that name, never a directory, device or FIFO."""
    for name, data in files.items():
        write_output_file(folder / name, data, force=True)


def check_output_file(path: Path, *, force: bool = False) -> None:
    """Raise unless `path` may be written as a file: absent, or a regular file with `force`."""
    try:
        mode = path.lstat().st_mode
    except FileNotFoundError:
        return
    except OSError as exc:
        raise cannot_write(path, exc) from None
    if stat.S_ISLNK(mode):
        mode = path.stat().st_mode if path.exists() else stat.S_IFREG
    if stat.S_ISDIR(mode):
        raise OutputError(f"cannot write {path}: it is a directory; give a file name")
    if not stat.S_ISREG(mode):
        raise OutputError(f"cannot write {path}: it exists and is not a regular file "
                          "(a device, FIFO or socket is never replaced)")
    if not force:
        raise OutputExistsError(f"cannot write {path}: it exists; give --force to replace it")


@contextmanager
def output_file(path: Path, *, force: bool = False) -> Iterator[Path]:
    """A temporary path beside `path` to write; renamed over `path` when the block succeeds,
    removed when it fails. `OSError` becomes `OutputError` naming `path`."""
    check_output_file(path, force=force)
    created = _make_dirs(path.parent)
    tmp: Path | None = None
    try:
        fd, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
        os.close(fd)
        tmp = Path(name)
        yield tmp
        check_output_file(path, force=force)
        os.replace(tmp, path)
    except OSError as exc:
        _cleanup(tmp, created)
        raise cannot_write(path, exc) from None
    except BaseException:
        _cleanup(tmp, created)
        raise


def write_output_file(path: Path, data: str | bytes, *, force: bool = False) -> None:
    """Write `data` to the file `path` atomically, under the rules of `check_output_file`."""
    with output_file(path, force=force) as tmp:
        _write_file(tmp, data)


def write_atomically(path: Path, data: str | bytes) -> None:
    """Write `data` to a temporary file beside `path`, fsync it, then rename it over `path`.

    For files resupply owns (inside a run directory it checked); user-named outputs go through
    `write_output_file`.
    """
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as exc:
        raise cannot_write(path, exc) from None
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data.encode("utf-8") if isinstance(data, str) else data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise cannot_write(path, exc) from None
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def cannot_write(path: Path, exc: OSError) -> OutputError:
    """The user-facing error of a failed write: ``cannot write PATH: reason``."""
    return OutputError(f"cannot write {path}: {exc.strerror or exc}")


def _write_file(path: Path, data: str | bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as handle:
        handle.write(data.encode("utf-8") if isinstance(data, str) else data)
        handle.flush()
        os.fsync(handle.fileno())


def _has_entries(folder: Path) -> bool:
    with os.scandir(folder) as entries:
        return any(True for _ in entries)


def _make_dirs(folder: Path) -> list[Path]:
    """Create `folder` and its missing parents; the ones created, deepest first."""
    missing = []
    probe = folder
    while not probe.exists() and probe != probe.parent:
        missing.append(probe)
        probe = probe.parent
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        for made in missing:
            _rmdir_quietly(made)
        raise cannot_write(folder, exc) from None
    return missing


def _remove_stale(folder: Path, kind: OutputKind, written: set[str]) -> None:
    for pattern in kind.owned:
        for stale in folder.glob(pattern):
            if stale.is_file() and stale.relative_to(folder).as_posix() not in written:
                stale.unlink()


def _cleanup(staged: Path | None, created: list[Path]) -> None:
    """Remove what a failed write made: its staging file or directory and created dirs."""
    if staged is not None:
        if staged.is_dir():
            shutil.rmtree(staged, ignore_errors=True)
        else:
            staged.unlink(missing_ok=True)
    for made in created:
        _rmdir_quietly(made)


def _rmdir_quietly(folder: Path) -> None:
    with suppress(OSError):
        folder.rmdir()
