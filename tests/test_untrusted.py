"""`resupply.untrusted`: strings from files resupply did not write, made safe to show."""

from __future__ import annotations

import io

import pytest

from resupply.untrusted import escape_controls, guard_cell, unguard_cell, xlsx_row


@pytest.mark.parametrize(("text", "shown"), [
    ("west\x1b[31m", "west\\x1b[31m"), ("a\x07b", "a\\x07b"), ("x\u202ey", "x\\u202ey"),
    ("\x9b", "\\x9b"), ("plain, ü and 漢字\nnext\tline", "plain, ü and 漢字\nnext\tline"),
])
def test_controls_are_escaped_and_text_is_kept(text: str, shown: str) -> None:
    assert escape_controls(text) == shown


@pytest.mark.parametrize("cell", ["=1+1", "+cmd|' /C calc'!A0", "-2+3", "@SUM(A1)", "\t=x",
                                  "\r=x"])
def test_formula_starts_are_guarded_and_the_guard_comes_off(cell: str) -> None:
    assert guard_cell(cell) == "'" + cell
    assert unguard_cell(guard_cell(cell)) == cell


@pytest.mark.parametrize("cell", ["west", "'quoted", "", "1-2"])
def test_other_cells_are_left_alone(cell: str) -> None:
    assert guard_cell(cell) == cell and unguard_cell(cell) == cell
    assert guard_cell(-50.0) == -50.0  # numbers are numbers: a correction stays negative


def test_xlsx_cells_hold_text_as_text_and_survive_control_characters() -> None:
    from openpyxl import Workbook, load_workbook  # type: ignore[import-untyped]

    book = Workbook(write_only=True)
    sheet = book.create_sheet("t")
    sheet.append(xlsx_row(sheet, ['=HYPERLINK("http://x","y")', "#N/A", "bell\x07", 5.0]))
    buffer = io.BytesIO()
    book.save(buffer)
    cells = next(load_workbook(io.BytesIO(buffer.getvalue()))["t"].iter_rows())
    assert [c.data_type for c in cells] == ["s", "s", "s", "n"]
    assert [c.value for c in cells] == ['=HYPERLINK("http://x","y")', "#N/A", "bell\\x07", 5]
