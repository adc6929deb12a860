"""Hostile import files: every one a located error (or a clear refusal), nothing written,
never a traceback or an aborted process."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import pytest

from resupply.errors import ImportRowsError, StoreError
from resupply.store import MemoryStore
from resupply.store.imports import import_file
from resupply.store.imports.xlsx_bounds import MAX_CELLS, check_sheet_size

from .factories import KIEL_HEADER, kiel_row, write_csv, write_workbook

Run = Callable[..., tuple[int, str, str]]
WEAPONS = "donor,category,number_of_weapons,weapons_list\n"


def _refused(path: Path, fmt: str, match: str, **kwargs: object) -> None:
    store = MemoryStore()
    with pytest.raises((ImportRowsError, StoreError), match=match):
        import_file(store, path, fmt, recorded_by="t", **kwargs)  # type: ignore[arg-type]
    assert store.events() == []


@pytest.mark.parametrize(("info", "match"), [
    (b"date\n2022-02-30\n", r"release_info\.csv:2: date: expected a date"),
    (b"date\n\xff\xfe2022\n", r"release_info\.csv:2: \(file\): byte 0xff is not UTF-8"),
])
def test_a_bad_release_info_is_located(tmp_path: Path, info: bytes, match: str) -> None:
    (tmp_path / "release_info.csv").write_bytes(info)
    path = write_csv(tmp_path / "weapons.csv", WEAPONS + "Germany,Howitzer,3,PzH 2000 (3)\n")
    _refused(path, "kiel-weapons", match)


def test_a_count_of_five_thousand_digits_is_located(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "weapons.csv",
                     WEAPONS + f"Germany,Howitzer,3,PzH 2000 ({'9' * 5000})\n")
    _refused(path, "kiel-weapons", r"weapons\.csv:2: weapons_list: .*5,000 digits",
             date=dt.date(2022, 6, 1))


@pytest.mark.parametrize("fmt", ["csv", "kiel-weapons"])
def test_a_field_of_200000_characters_is_located(tmp_path: Path, fmt: str) -> None:
    header = "kind,donor,item,quantity,date\n" if fmt == "csv" else WEAPONS
    line = (f"committed,west,{'x' * 200_000},3,2022-06-01\n" if fmt == "csv"
            else f'Germany,Howitzer,3,"{"x" * 200_000} (3)"\n')
    path = write_csv(tmp_path / "f.csv", header + line)
    _refused(path, fmt, r"f\.csv:2: ", **({"date": dt.date(2022, 6, 1)} if fmt != "csv" else {}))


def test_a_csv_quantity_of_five_thousand_digits_is_located(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "l.csv", "kind,donor,item,quantity,date\n"
                     f"committed,west,m795,{'9' * 5000},2022-06-01\n")
    _refused(path, "csv", r"l\.csv:2: quantity: expected a number, got 5,000 characters")


def test_a_workbook_cell_far_outside_the_data_is_refused_before_reading(tmp_path: Path) -> None:
    from openpyxl import load_workbook  # type: ignore[import-untyped]

    path = write_workbook(tmp_path / "kiel.xlsx", KIEL_HEADER, [
        kiel_row("1.1", "Germany", "2022-06-01", "Allocation", "PzH 2000", 7, 7)])
    book = load_workbook(path)
    book["Bilateral Assistance, MAIN DATA"]["XFD1048576"] = 1
    book.save(path)
    assert path.stat().st_size < 20_000
    with pytest.raises(StoreError, match=r"1,048,576 rows x 16,384 columns .* the limit is"):
        check_sheet_size(path, "Bilateral Assistance, MAIN DATA")
    _refused(path, "kiel-xlsx", f"the limit is {MAX_CELLS:,} cells")


def test_the_real_process_is_not_aborted_by_a_huge_sheet(tmp_path: Path, real_cli: Run) -> None:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "Bilateral Assistance, MAIN DATA"
    sheet.append(["donor", "announcement_date", "item", "item_numb"])
    sheet["XFD1048576"] = 1
    book.save(tmp_path / "k.xlsx")
    code, _, err = real_cli("ledger", "import", str(tmp_path / "k.xlsx"), "--format",
                            "kiel-xlsx", cap=3 * 1024**3,
                            env={"RESUPPLY_DATABASE_URL": f"sqlite:///{tmp_path / 'l.db'}"})
    assert code == 1 and "Traceback" not in err and "the limit is" in err, err


def test_an_ordinary_workbook_passes_the_size_check(tmp_path: Path) -> None:
    path = write_workbook(tmp_path / "kiel.xlsx", KIEL_HEADER, [
        kiel_row("1.1", "Germany", "2022-06-01", "Allocation", "PzH 2000", 7, 7)],
        title_rows=2)
    check_sheet_size(path, "Bilateral Assistance, MAIN DATA")
    assert import_file(MemoryStore(), path, "kiel-xlsx", recorded_by="t").written == 2


def test_a_file_too_big_is_refused_by_its_size(tmp_path: Path) -> None:
    path = tmp_path / "big.csv"
    with path.open("wb") as handle:
        handle.truncate(600 * 1024**2)
    _refused(path, "csv", "the limit is")
    _refused(tmp_path, "csv", "not a regular file")
