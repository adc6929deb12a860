"""How big a worksheet really is, read from the workbook's XML before any reader loads it.

python-calamine loads a sheet as one dense grid of (last row x last column) cells: a 5 KB
workbook with one cell at XFD1048576 asks it for 17 billion cells (550 GB) and the process
aborts. `check_sheet_size` finds the sheet's part in the zip (workbook.xml, then its
relationships), streams that XML with a byte budget, and takes the largest row and column any
``<row>`` or ``<c>`` element names (an element without ``r=`` counts as the next one); a sheet
beyond `MAX_CELLS` is refused with a message before calamine sees it.
"""

from __future__ import annotations

import posixpath
import re
import zipfile
from pathlib import Path
from xml.etree import ElementTree

from resupply.errors import StoreError

MAX_CELLS = 20_000_000
"""Largest dense sheet read (last row x last column) [cells]: a Kiel main-data sheet is
about 30,000 rows x 60 columns (1.8 million); calamine holds about 32 bytes a cell."""
MAX_XML_BYTES = 2_000_000_000
"""Most uncompressed sheet XML scanned [bytes] (guards against a zip bomb)."""
MAX_META_BYTES = 10_000_000
"""Largest workbook.xml or relationships part read [bytes]."""
CHUNK = 1 << 20

_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_PKG = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?(row|c)(?=[\s/>])([^>]*)>")
_REF = re.compile(rb"""\br\s*=\s*["']([A-Za-z]{0,3})(\d{1,9})["']""")


def check_sheet_size(path: Path, sheet: str) -> None:
    """Raise `StoreError` when the sheet named `sheet` spans more than `MAX_CELLS` cells."""
    try:
        with zipfile.ZipFile(path) as book:
            part = _sheet_part(book, sheet)
            if part is None:
                return  # no such sheet: the reader says so with the sheet names
            rows, cols = _extent(book, part)
    except (zipfile.BadZipFile, OSError, ElementTree.ParseError, KeyError) as exc:
        raise StoreError(f"{path}: not a readable .xlsx workbook ({exc})") from None
    if rows * cols > MAX_CELLS:
        raise StoreError(
            f"{path}: sheet {sheet!r} spans {rows:,} rows x {cols:,} columns "
            f"({rows * cols:,} cells); the limit is {MAX_CELLS:,} cells. A cell far outside "
            "the data (e.g. at XFD1048576) makes the sheet that large: delete the empty rows "
            "and columns beyond the data and save again")


def _sheet_part(book: zipfile.ZipFile, sheet: str) -> str | None:
    """The zip member holding the worksheet named `sheet`, from workbook.xml and its rels."""
    workbook = ElementTree.fromstring(_small(book, "xl/workbook.xml"))
    rel_id = next((s.get(f"{_REL}id") for s in workbook.iter(f"{_MAIN}sheet")
                   if s.get("name") == sheet), None)
    if rel_id is None:
        return None
    rels = ElementTree.fromstring(_small(book, "xl/_rels/workbook.xml.rels"))
    target = next((r.get("Target", "") for r in rels.iter(f"{_PKG}Relationship")
                   if r.get("Id") == rel_id), "")
    if not target:
        return None
    return target.lstrip("/") if target.startswith("/") else posixpath.normpath(
        posixpath.join("xl", target))


def _small(book: zipfile.ZipFile, name: str) -> bytes:
    if book.getinfo(name).file_size > MAX_META_BYTES:
        raise StoreError(f"{name} is larger than {MAX_META_BYTES:,} bytes")
    with book.open(name) as handle:
        data = handle.read(MAX_META_BYTES + 1)
    if len(data) > MAX_META_BYTES:
        raise StoreError(f"{name} is larger than {MAX_META_BYTES:,} bytes")
    return data


def _extent(book: zipfile.ZipFile, part: str) -> tuple[int, int]:
    """(last row, last column) named by the sheet's ``<row>`` and ``<c>`` elements, 1-based."""
    rows = cols = row = col = 0
    tail = b""
    seen = 0
    with book.open(part) as handle:
        while chunk := handle.read(CHUNK):
            seen += len(chunk)
            if seen > MAX_XML_BYTES:
                raise StoreError(f"{part} expands beyond {MAX_XML_BYTES:,} bytes")
            body, tail = _complete(tail + chunk)
            for match in _TAG.finditer(body):
                ref = _REF.search(match[2])
                if match[1] == b"row":
                    row = int(ref[2]) if ref else row + 1
                    col = 0
                else:
                    if ref and ref[1]:
                        row, col = int(ref[2]), _column(ref[1])
                    else:
                        col += 1
                    cols = max(cols, col)
                rows = max(rows, row)
    return rows, cols


def _complete(text: bytes) -> tuple[bytes, bytes]:
    """`text` split before a tag it ends inside of (kept for the next chunk), if any."""
    cut = text.rfind(b"<")
    if cut < 0 or text.find(b">", cut) >= 0:
        return text, b""
    if len(text) - cut > CHUNK:
        raise StoreError(f"an XML tag longer than {CHUNK:,} bytes")
    return text[:cut], text[cut:]


def _column(letters: bytes) -> int:
    """``b"A"`` -> 1, ``b"XFD"`` -> 16384."""
    number = 0
    for letter in letters.upper():
        number = number * 26 + letter - ord("A") + 1
    return number
