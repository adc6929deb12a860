"""Opening a store: URLs, defaults, schema checks, and failures as readable messages."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from resupply.errors import StoreError
from resupply.store import open_store
from resupply.store.engine import URL_ENV, database_url, make_engine
from resupply.store.migrate import downgrade, upgrade


def test_the_url_comes_from_the_argument_then_the_environment_then_the_data_dir(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(URL_ENV, "sqlite:///from-env.db")
    assert database_url("sqlite:///given.db") == "sqlite:///given.db"
    assert database_url() == "sqlite:///from-env.db"
    monkeypatch.delenv(URL_ENV)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    assert database_url() == f"sqlite:///{tmp_path / 'resupply' / 'resupply.db'}"


@pytest.mark.parametrize(("url", "message"), [
    ("not a url", "is not a database URL"),
    ("mysql://u@h/db", "unsupported database 'mysql'"),
    ("postgresql+psycopg://nobody@127.0.0.1:1/none", "Connection refused"),
])
def test_bad_urls_are_store_errors(url: str, message: str) -> None:
    with pytest.raises(StoreError, match=message):
        open_store(url)


def test_an_old_or_empty_schema_is_refused_with_the_fix(sqlite_url: str) -> None:
    engine = make_engine(sqlite_url)
    with pytest.raises(StoreError, match="run `resupply db upgrade`"):
        open_store(sqlite_url, create=False)
    upgrade(engine)
    downgrade(engine, "base")
    upgrade(engine)
    engine.dispose()
    assert open_store(sqlite_url, create=False).count() == 0


def test_importing_the_store_connects_to_nothing(tmp_path: Path) -> None:
    code = ("import sys, resupply.store, resupply.store.imports; "
            "assert 'typer' not in sys.modules, 'cli leaked'; "
            "import pathlib; assert not any(pathlib.Path(sys.argv[1]).iterdir())")
    env = {"XDG_DATA_HOME": str(tmp_path), "PATH": "/usr/bin:/bin"}
    subprocess.run([sys.executable, "-c", code, str(tmp_path)], check=True, env=env)


def test_the_default_embedded_file_at_an_older_revision_is_upgraded(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The user's own default SQLite file (no URL anywhere) written by an older resupply is
    brought to the current schema on open (`make demo` after an upgrade), its rows kept; the
    same database named by URL is refused with the fix."""
    from resupply.store import engine as engine_module
    from resupply.store.migrate import current_revision, head_revision

    path = tmp_path / "resupply.db"
    monkeypatch.delenv(URL_ENV, raising=False)
    monkeypatch.setattr(engine_module, "default_sqlite_path", lambda: path)
    old = make_engine(f"sqlite:///{path}")
    upgrade(old)
    downgrade(old, "0001")
    old.dispose()
    with pytest.raises(StoreError, match="run `resupply db upgrade`"):
        open_store(f"sqlite:///{path}")
    store = open_store()
    assert current_revision(store.engine) == head_revision()
    store.close()
