"""Text longer than the ledger's columns (issue 15: PostgreSQL refused it with an error,
SQLite kept it): every back end refuses the same events with the field, its length and the
limit, and writes nothing of the batch; `ledger add` and imports say it, located."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path

import pytest

from resupply.errors import ImportRowsError, LedgerError
from resupply.store import MemoryStore, Store
from resupply.store.events import TEXT_LIMITS, EventKind
from resupply.store.imports import import_file
from resupply.store.ledger import record

from .factories import DAY, ev, write_csv

Cli = Callable[..., tuple[int, str, str]]


@pytest.mark.parametrize("field", sorted(TEXT_LIMITS))
def test_every_back_end_refuses_a_field_one_longer_than_its_column(store: Store,
                                                                   field: str) -> None:
    limit = TEXT_LIMITS[field]
    fits = dataclasses.replace(ev("p", "committed", 5, key="k"), **{field: "a" * limit})
    over = dataclasses.replace(ev("q", "committed", 5, key="k2"), **{field: "b" * (limit + 1)})
    with pytest.raises(LedgerError) as caught:
        store.append([fits, over])  # all or nothing
    assert f"{field} is {limit + 1:,} characters long" in str(caught.value)
    assert f"at most {limit:,}" in str(caught.value)
    assert store.events() == []
    assert store.append([fits]).written == 1
    [back] = store.events()
    assert getattr(back, field) == "a" * limit  # kept whole, not cut


def test_the_limits_are_the_columns_widths() -> None:
    from resupply.store.models import LedgerEventRow

    columns = LedgerEventRow.__table__.columns
    assert {name: columns[name].type.length for name in TEXT_LIMITS} == dict(TEXT_LIMITS)


def test_record_refuses_a_long_donor_before_writing() -> None:
    store = MemoryStore()
    with pytest.raises(LedgerError, match="committed refused: donor is 201 characters long"):
        record(store, EventKind.COMMITTED, donor="d" * 201, item="m795", quantity=1, date=DAY,
               recorded_by="t", pledge_id="p")
    assert store.events() == []


def test_an_import_names_the_line_and_field_of_a_long_name(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "l.csv", "pledge_id,kind,donor,item,quantity,date\n"
                     "x,committed,west,m795,30,2022-06-01\n"
                     f"y,committed,{'w' * 250},m795,30,2022-06-01\n")
    store = MemoryStore()
    with pytest.raises(ImportRowsError, match=r"l\.csv:3: donor: donor is 250 characters long"):
        import_file(store, path, "csv", recorded_by="t")
    assert store.events() == []


def test_ledger_add_says_the_limit(cli: Cli) -> None:
    code, _, err = cli("ledger", "add", "committed", "--donor", "d" * 300, "--item", "m795",
                       "--quantity", "5", "--date", "2022-06-01")
    assert code != 0 and "donor is 300 characters long" in err and "at most 200" in err
    assert "Traceback" not in err and "DataError" not in err
