"""Consistent backups and restores: SQLite's online backup API, PostgreSQL's pg_dump/pg_restore.

A SQLite backup is a page-by-page copy taken inside a read transaction, so it is consistent
even while another process writes; it is written beside the target and renamed, so a failed
backup never leaves a half file. A restore copies the backup back with the same API (one
transaction on the live file). PostgreSQL uses ``pg_dump --format=custom`` and ``pg_restore
--clean``, found on PATH; when the URL pins a schema (``options=-csearch_path=S``) only that
schema is dumped.
"""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
import subprocess
import tempfile
from contextlib import closing
from pathlib import Path
from urllib.parse import quote

from sqlalchemy.engine import URL, make_url

from resupply.errors import StoreError
from resupply.files import output_file
from resupply.store.engine import database_url
from resupply.store.migrate import expected_schema, known_revisions, newer_schema_error


def backup(url: str | None, dest: Path, *, force: bool = False) -> None:
    """Write a consistent copy of the database at `url` to `dest` (an existing file only with
    `force`; see `resupply.files.output_file`)."""
    parsed = make_url(database_url(url))
    if parsed.get_backend_name() == "sqlite":
        _sqlite_backup(_sqlite_file(parsed), dest, force)
    else:
        _pg_dump(parsed, dest, force)


def restore(url: str | None, src: Path) -> None:
    """Replace the database at `url` with the backup `src` (made by `backup`)."""
    if not src.is_file():
        raise StoreError(f"{src}: no such backup file; nothing was restored")
    parsed = make_url(database_url(url))
    if parsed.get_backend_name() == "sqlite":
        _sqlite_restore(src, _sqlite_file(parsed))
    else:
        _pg_restore(parsed, src)


def _sqlite_file(url: URL) -> Path:
    if not url.database or url.database == ":memory:":
        raise StoreError("an in-memory SQLite database cannot be backed up or restored")
    return Path(url.database)


def _sqlite_backup(path: Path, dest: Path, force: bool) -> None:
    if not path.is_file():
        raise StoreError(f"{path}: no such database file")
    with output_file(dest, force=force) as tmp:
        try:
            with closing(_connect(path)) as source, closing(_connect(tmp)) as target:
                source.backup(target)
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"{path}: cannot back up ({exc})") from None


def _sqlite_restore(src: Path, path: Path) -> None:
    """Verify `src`, keep the current database aside, copy `src` over it, verify the result;
    on any failure put the kept copy back. Nothing is replaced before `src` is verified."""
    with closing(_open_read_only(src)) as source:
        verify_sqlite_backup(source, str(src))
        kept = _keep_aside(path)
        try:
            with closing(_connect(path)) as target:
                source.backup(target)
                verify_sqlite_backup(target, str(path))
        except BaseException as exc:
            _put_back(kept, path, exc)
            raise
    if kept is not None:
        kept.unlink(missing_ok=True)


def verify_sqlite_backup(conn: sqlite3.Connection, label: str) -> None:
    """Raise `StoreError` unless `conn` is an undamaged resupply database at a known revision
    with exactly the tables and columns that revision's migrations create."""
    try:
        problems = [r[0] for r in conn.execute("PRAGMA integrity_check(5)")]
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type="
                                             "'table'")}
        if problems != ["ok"]:
            raise StoreError(f"{label}: damaged database (integrity_check: "
                             f"{'; '.join(problems)}); nothing was restored")
        if "alembic_version" not in tables:
            raise StoreError(f"{label}: not a resupply backup (no alembic_version table); "
                             "nothing was restored")
        revisions = [r[0] for r in conn.execute("SELECT version_num FROM alembic_version")]
        if len(revisions) != 1:
            raise StoreError(f"{label}: not a resupply backup ({len(revisions)} schema "
                             "revisions recorded, expected 1); nothing was restored")
        _check_shape(conn, label, revisions[0], tables)
    except sqlite3.DatabaseError as exc:
        what = "damaged database" if "malformed" in str(exc) else "not a SQLite database"
        raise StoreError(f"{label}: {what} ({exc}); nothing was restored") from None


def _check_shape(conn: sqlite3.Connection, label: str, revision: str, tables: set[str]) -> None:
    if revision not in known_revisions():
        versions = [r[0] for r in conn.execute("SELECT DISTINCT version FROM runs")] \
            if "runs" in tables else []
        raise newer_schema_error(label, revision, versions)
    for table, columns in expected_schema(revision).items():
        found = {r[1] for r in conn.execute(f'PRAGMA table_info("{table}")')}
        if found != columns:
            what = "missing" if not found else f"columns {sorted(found ^ columns)} differ"
            raise StoreError(f"{label}: not a resupply backup at revision {revision} (table "
                             f"{table} {what}); nothing was restored")


def _open_read_only(src: Path) -> sqlite3.Connection:
    """`src` opened read-only, so a check never changes the backup (nor creates a journal)."""
    uri = f"file:{quote(str(src.resolve()))}?mode=ro"
    try:
        return sqlite3.connect(uri, uri=True, timeout=30)
    except sqlite3.Error as exc:
        raise StoreError(f"{src}: cannot open ({exc}); nothing was restored") from None


def _keep_aside(path: Path) -> Path | None:
    """A consistent copy of the current database beside it (None when there is none)."""
    if not path.is_file():
        return None
    fd, name = tempfile.mkstemp(dir=path.parent, prefix=f"{path.name}.before-restore-",
                                suffix=".db")
    os.close(fd)
    kept = Path(name)
    try:
        with closing(_connect(path)) as live, closing(_connect(kept)) as copy:
            live.backup(copy)
    except (OSError, sqlite3.Error) as exc:
        kept.unlink(missing_ok=True)
        raise StoreError(f"{path}: cannot keep a copy before restoring ({exc}); nothing was "
                         "restored") from None
    return kept


def _put_back(kept: Path | None, path: Path, cause: BaseException) -> None:
    """After a failed restore, copy the kept database back; say where it is if that fails."""
    if kept is None:
        return
    try:
        with closing(_connect(kept)) as copy, closing(_connect(path)) as live:
            copy.backup(live)
    except (OSError, sqlite3.Error) as exc:
        raise StoreError(f"restore failed ({cause}) and putting the database back failed "
                         f"({exc}); the database as it was is kept at {kept}") from None
    kept.unlink(missing_ok=True)


def _connect(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(path, timeout=30)
    conn.execute("PRAGMA busy_timeout=30000")
    return conn


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise StoreError(f"{name} is not on PATH; install the PostgreSQL client tools "
                         "(e.g. apt-get install postgresql-client) to back up PostgreSQL")
    return found


def _libpq(url: URL) -> tuple[str, list[str]]:
    """The libpq URI of `url`, and ``--schema S`` when the URL pins a search_path."""
    options = str(url.query.get("options", ""))
    schema = re.search(r"search_path=([A-Za-z_][A-Za-z0-9_]*)", options)
    plain = url.set(drivername="postgresql").render_as_string(hide_password=False)
    return plain, ["--schema", schema[1]] if schema else []


def _run(command: list[str]) -> None:
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        message = done.stderr.strip().splitlines()
        raise StoreError(f"{Path(command[0]).name} failed: {message[0] if message else ''}")


def _pg_dump(url: URL, dest: Path, force: bool) -> None:
    uri, schema = _libpq(url)
    with output_file(dest, force=force) as tmp:
        _run([_tool("pg_dump"), "--format=custom", "--file", str(tmp), *schema, "--dbname", uri])


def _pg_restore(url: URL, src: Path) -> None:
    uri, _schema = _libpq(url)
    _run([_tool("pg_restore"), "--clean", "--if-exists", "--no-owner",
          "--single-transaction", "--dbname", uri, str(src)])
