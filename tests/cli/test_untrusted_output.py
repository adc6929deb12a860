"""Untrusted names through the real CLI: printed as plain text, exported as text."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from pathlib import Path

import pytest

Cli = Callable[..., tuple[int, str, str]]
NAMES = {"donor": "[/]", "item": "m795\x1b]0;pwned\x07\x1b[2J", "source": ":100: [bold]x"}


@pytest.fixture
def ledger(cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "l.db"
    monkeypatch.setenv("RESUPPLY_DATABASE_URL", f"sqlite:///{path}")
    for pid, donor in (("p1", NAMES["donor"]), ("p2", '=HYPERLINK("http://evil","x")')):
        code, _, err = cli("ledger", "add", "committed", "--pledge", pid, "--donor", donor,
                           "--item", NAMES["item"], "--quantity", "5", "--source",
                           NAMES["source"], "--note", "+cmd|\x01")
        assert code == 0, err
    return path


@pytest.mark.parametrize("args", [["ledger", "list"], ["ledger", "status"],
                                  ["ledger", "history"], ["ledger", "show", "p1"]])
def test_names_are_printed_as_plain_text(cli: Cli, ledger: Path, args: list[str]) -> None:
    code, out, err = cli(*args)
    assert code == 0, err
    assert "[/]" in out and "\x1b" not in out and "\x07" not in out
    assert "\\x1b]0;pwned\\x07" in out  # shown escaped, not run
    if args[1] in {"history", "show"}:
        assert ":100: [bold]x" in out  # no emoji, no markup


def test_a_location_on_line_100_keeps_its_number(cli: Cli, tmp_path: Path) -> None:
    path = tmp_path / "s.yaml"
    path.write_text("#\n" * 99 + "bogus: 1\n")
    code, _, err = cli("validate", str(path))
    assert code == 2
    assert f"{path}:100:" in err and "\U0001f4af" not in err


def test_exports_write_names_as_text(cli: Cli, ledger: Path, tmp_path: Path) -> None:
    from openpyxl import load_workbook  # type: ignore[import-untyped]

    code, _, err = cli("ledger", "export", "--format", "xlsx", "--out", str(tmp_path / "l.xlsx"))
    assert code == 0, err
    cells = [c for row in load_workbook(tmp_path / "l.xlsx")["ledger"].iter_rows() for c in row]
    assert all(c.data_type != "f" for c in cells)
    assert '=HYPERLINK("http://evil","x")' in [c.value for c in cells]
    code, out, _ = cli("ledger", "export", "--format", "csv")
    donors = [r["donor"] for r in csv.DictReader(io.StringIO(out))]
    assert donors == ["[/]", "'=HYPERLINK(\"http://evil\",\"x\")"]
    code, out, _ = cli("ledger", "export", "--format", "csv", "--raw")
    assert [r["donor"] for r in csv.DictReader(io.StringIO(out))][1].startswith("=")


def test_a_guarded_export_imports_back_unchanged(cli: Cli, ledger: Path, tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    code, _, _ = cli("ledger", "export", "--format", "csv", "--out", str(tmp_path / "e.csv"))
    assert code == 0
    monkeypatch.setenv("RESUPPLY_DATABASE_URL", f"sqlite:///{tmp_path / 'other.db'}")
    code, _, err = cli("ledger", "import", str(tmp_path / "e.csv"), "--format", "csv")
    assert code == 0, err
    code, out, _ = cli("ledger", "export", "--format", "json")
    assert '"donor": "=HYPERLINK(\\"http://evil\\",\\"x\\")"' in out
