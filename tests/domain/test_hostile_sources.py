"""Hostile scenario files through the one bounded, located loader (`domain.source`)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from resupply.domain import load_scenario
from resupply.domain.source import MAX_BYTES, read_bounded
from resupply.errors import ScenarioError

Run = Callable[..., tuple[int, str, str]]
TINY = Path(__file__).resolve().parents[2] / "src/resupply/domain/scenarios/tiny.yaml"


def _variant(tmp_path: Path, old: str, new: str) -> Path:
    text = TINY.read_text()
    assert old in text
    path = tmp_path / "s.yaml"
    path.write_text(text.replace(old, new, 1))
    return path


@pytest.mark.parametrize(("old", "new", "field", "says"), [
    ("start: 2022-06-01", "start: 2022-02-30", "start", "is not a calendar date"),
    ("start: 2022-06-01", "start: 2022-13-01", "start", "is not a calendar date"),
    ("horizon_days: 30", "horizon_days: " + "9" * 5001, "horizon_days", "too long to read"),
    ("horizon_days: 30", "horizon_days: .inf", "horizon_days", "must be a valid integer"),
])
def test_unreadable_values_are_located_errors(tmp_path: Path, old: str, new: str, field: str,
                                              says: str) -> None:
    path = _variant(tmp_path, old, new)
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path)
    line = 1 + next(n for n, t in enumerate(path.read_text().splitlines()) if t.startswith(field))
    assert any(i.line == line and i.path == field and says in i.message
               for i in caught.value.issues), caught.value


def test_the_size_is_checked_before_reading(tmp_path: Path) -> None:
    path = tmp_path / "huge.yaml"
    with path.open("wb") as handle:  # sparse: claims 3 GB, costs nothing on disk
        handle.truncate(3 * 1024**3)
    with pytest.raises(ScenarioError, match="3,221,225,472 bytes or more; the limit is"):
        read_bounded(path)
    path.write_bytes(b"#" * (MAX_BYTES + 1))
    with pytest.raises(ScenarioError, match="the limit is"):
        load_scenario(path)


def test_a_huge_file_under_a_memory_cap_is_refused_not_read(tmp_path: Path,
                                                            real_cli: Run) -> None:
    path = tmp_path / "huge.yaml"
    with path.open("wb") as handle:
        handle.truncate(3 * 1024**3)
    code, _, err = real_cli("validate", str(path), cap=2 * 1024**3)
    assert code == 2, err
    assert "Traceback" not in err and "the limit is 5,242,880 bytes" in err


def test_a_donor_id_that_is_not_a_string_is_a_located_error(tmp_path: Path) -> None:
    """Found by the fuzz test: a list as a donor's id crashed the pledge-supply check."""
    path = _variant(tmp_path, "- id: west\n", "- id: []\n")
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path)
    assert any(i.path.startswith("donors.1.id") for i in caught.value.issues), caught.value
