"""The actuals file of a rolling re-plan goes through the bounded, located scenario loader."""

from __future__ import annotations

from pathlib import Path

import pytest

from resupply.compile import Problem
from resupply.errors import PlanningError
from resupply.planning.actuals import load_actuals


@pytest.mark.parametrize(("text", "says"), [
    (b"\xff\xfe\x00garbage", "actuals.yaml:1:1: (document): byte 0xff is not UTF-8"),
    (b"[" * 5000, "nesting is too deep"),
    (b"dispatched:\n  - {date: 2022-02-30, donor: west, item: m795, quantity: 5}\n",
     "actuals.yaml:2:12: dispatched.0.date: 2022-02-30 is not a calendar date"),
    (b"depot_stock:\n  - {depot: near, item: of540, quantity: .nan}\n",
     "actuals.yaml:2:42: depot_stock.0.quantity: must be a number in 0..1e+12, got nan"),
    (b"depot_stock:\n  - {depot: near, item: of540, quantity: " + b"9" * 5001 + b"}\n",
     "depot_stock.0.quantity: integer of 5,001 characters is too long to read"),
    (b"moves:\n  - {day: 99, item: m795, depot: near, quantity: 1}\n",
     "actuals.yaml:2:11: moves.0.day: give a day in 0..29"),
    (b"stock: []\n", "actuals.yaml:1:1: stock: unknown list `stock`"),
    (b"moves: 5\n", "actuals.yaml:1:8: moves: expected a list of entries"),
])
def test_bad_actuals_are_located_errors(tmp_path: Path, tiny_problem: Problem, text: bytes,
                                        says: str) -> None:
    path = tmp_path / "actuals.yaml"
    path.write_bytes(text)
    with pytest.raises(PlanningError) as caught:
        load_actuals(path, tiny_problem, 3)
    assert says in str(caught.value).replace(str(tmp_path) + "/", "")


def test_good_actuals_still_read(tmp_path: Path, tiny_problem: Problem) -> None:
    path = tmp_path / "actuals.yaml"
    path.write_text("depot_stock:\n  - {depot: near, item: of540, quantity: 800}\n"
                    "dispatched:\n  - {date: 2022-06-03, donor: west, item: m795, "
                    "quantity: 500}\n")
    actuals = load_actuals(path, tiny_problem, 5)
    assert actuals.depot_stock.sum() == 800 and actuals.dispatched.sum() == 500
    assert actuals.dispatched[:, :, 2].sum() == 500  # day 2 = 2022-06-03
