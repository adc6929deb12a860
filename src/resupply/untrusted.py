"""Strings resupply did not write (donor and item names, sources, notes), made safe to show.

Three places turn such a string into something else unless guarded:

- a terminal runs the escape sequences in it (`escape_controls`: control and invisible
  formatting characters become visible escapes such as ``\\x1b``);
- a spreadsheet opening a CSV runs a cell that starts with ``= + - @`` (or a tab or carriage
  return) as a formula: `guard_cell` prefixes it with ``'``, which spreadsheets show as text
  and `unguard_cell` removes again, so a guarded export still imports back unchanged;
- an XLSX cell whose text starts with ``=`` is written as a formula by openpyxl, and a control
  character makes it raise: `xlsx_row` types every string cell as text and escapes what XML
  cannot hold.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

_UNSAFE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2066-\u2069"
                     r"\ufeff]")
"""C0 and C1 controls (but newline and tab), zero-width characters, line and paragraph
separators and bidirectional overrides: characters that change how text is shown."""
_NOT_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
"""Characters an XLSX (XML 1.0) string cannot hold."""

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
"""What a spreadsheet reads as the start of a formula in a CSV cell."""
GUARD = "'"


def escape_controls(text: str) -> str:
    """`text` with every control or invisible formatting character as a visible escape."""
    return _UNSAFE.sub(_escaped, text)


def _escaped(match: re.Match[str]) -> str:
    code = ord(match[0])
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def guard_cell(value: Any) -> Any:
    """A CSV cell a spreadsheet shows as text: strings starting like a formula get ``'``."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return GUARD + value
    return value


def unguard_cell(text: str) -> str:
    """The cell as it was before `guard_cell` (a ``'`` before a formula start removed)."""
    if text.startswith(GUARD) and text[1:].startswith(FORMULA_START):
        return text[1:]
    return text


def xlsx_row(sheet: Any, values: Iterable[Any]) -> list[Any]:
    """Write-only openpyxl cells of `values`: strings typed as text (never a formula or an
    error code), with what XML cannot hold escaped; other values as openpyxl types them."""
    from openpyxl.cell import WriteOnlyCell  # type: ignore[import-untyped]

    cells = []
    for value in values:
        if isinstance(value, str):
            cell = WriteOnlyCell(sheet, value=_NOT_XML.sub(_escaped, value))
            cell.data_type = "s"
        else:
            cell = WriteOnlyCell(sheet, value=value)
        cells.append(cell)
    return cells
