"""The hand corpus of broken scenarios: `resupply validate` prints the golden located messages."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

BROKEN = Path(__file__).parent / "broken"
CASES = sorted(p for p in BROKEN.iterdir() if p.suffix in {".yaml", ".json"})


@contextmanager
def inside(folder: Path) -> Iterator[None]:
    before = Path.cwd()
    os.chdir(folder)
    try:
        yield
    finally:
        os.chdir(before)


def test_corpus_has_at_least_ten_cases() -> None:
    assert len(CASES) >= 10


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_validate_prints_the_golden_messages(case: Path, cli: Callable[..., tuple[int, str, str]]
                                             ) -> None:
    expected = case.with_suffix(".expected").read_text()
    with inside(BROKEN):
        code, stdout, stderr = cli("validate", case.name)
    assert code == 2
    assert stdout == ""
    assert stderr == expected
    assert "Traceback" not in stderr


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_every_message_is_located(case: Path) -> None:
    for line in case.with_suffix(".expected").read_text().splitlines()[:-1]:
        file, row, col, rest = line.split(":", 3)
        assert file == case.name
        assert int(row) >= 1 and int(col) >= 1
        assert rest.strip()
