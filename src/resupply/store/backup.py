"""Consistent backups and restores: SQLite's online backup API, PostgreSQL's pg_dump/pg_restore.

A SQLite backup is a page-by-page copy taken inside a read transaction, so it is consistent
even while another process writes; it is written beside the target and renamed, so a failed
backup never leaves a half file. A restore copies the backup back with the same API (one
transaction on the live file). PostgreSQL uses ``pg_dump --format=custom`` and ``pg_restore
--clean``, found on PATH; when the URL pins a schema (``options=-csearch_path=S``) only that
schema is dumped.
"""

from __future__ import annotations

import re
import shutil
import sqlite3
import subprocess
from contextlib import closing
from pathlib import Path

from sqlalchemy.engine import URL, make_url

from resupply.errors import StoreError
from resupply.files import output_file
from resupply.store.engine import database_url


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
        raise StoreError(f"{src}: no such backup file")
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
    with closing(_connect(src)) as source:
        try:
            tables = {r[0] for r in source.execute("SELECT name FROM sqlite_master")}
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"{src}: not a SQLite database ({exc})") from None
        if "alembic_version" not in tables:
            raise StoreError(f"{src}: not a resupply backup (no alembic_version table)")
        with closing(_connect(path)) as target:
            source.backup(target)


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
