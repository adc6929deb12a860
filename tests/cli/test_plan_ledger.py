"""`resupply plan --ledger`: open ledger pledges become minimum tranches of the plan."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest

Cli = Callable[..., tuple[int, str, str]]


def test_open_pledges_bind_the_plan(cli: Cli, tmp_path: Path,
                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RESUPPLY_DATABASE_URL", f"sqlite:///{tmp_path / 'ledger.db'}")
    for args in (("committed", "--pledge", "west-dm", "--donor", "west", "--item", "dm121",
                  "--quantity", "500", "--due", "2022-06-20", "--date", "2022-06-01"),
                 ("delivered", "--pledge", "west-dm", "--quantity", "100", "--date",
                  "2022-06-02"),
                 ("committed", "--pledge", "late", "--donor", "west", "--item", "m795",
                  "--quantity", "300", "--due", "2023-01-01", "--date", "2022-06-01")):
        code, _, err = cli("ledger", "add", *args)
        assert code == 0, err
    code, _, err = cli("plan", "tiny", "--ledger", "--out", str(tmp_path / "with"))
    assert code == 0, err
    assert "late: promised date 2023-01-01 is outside the scenario's horizon" in err
    code, _, err = cli("plan", "tiny", "--out", str(tmp_path / "without"))
    assert code == 0, err
    # The 400 still outstanding bind by the due date (day 19); without them none is sent.
    assert dm121_sent_by_day_19(tmp_path / "with") >= 400 - 1e-6
    assert dm121_sent_by_day_19(tmp_path / "without") < 1.0


def dm121_sent_by_day_19(plan_dir: Path) -> float:
    tranches = pd.read_csv(plan_dir / "tranches.csv")
    mine = tranches[(tranches["donor"] == "west") & (tranches["item"] == "dm121")
                    & (tranches["day"] <= 19)]
    return float(mine["quantity"].sum())
