"""Importers: Kiel workbook (both column generations), Kiel weapons.csv, generic CSV."""

from __future__ import annotations

import csv
import datetime as dt
import textwrap
from pathlib import Path

import pytest

from resupply.domain import load_scenario
from resupply.errors import ImportRowsError, StoreError
from resupply.store import MemoryStore, derive
from resupply.store.events import EventKind
from resupply.store.imports import import_file
from resupply.store.ledger import export

from .factories import DATA, KIEL_HEADER, kiel_row, write_csv, write_workbook


def _kiel(tmp_path: Path) -> Path:
    return write_workbook(tmp_path / "kiel.xlsx", KIEL_HEADER, [
        kiel_row("1.1", "Germany", "2022-06-01", "Allocation", "PzH 2000", 7, 7),
        kiel_row("2.1", "United States", "2022-07-15", "Commitment", "M777 howitzer", 18, "."),
        kiel_row("3.1", "France", "2022-05-01", "Allocation", "Financial support", 1, 0,
                 aid="Financial"),
        kiel_row("4.1", "Poland", "2022-04-01", "Allocation", "T-72", "undisclosed", "."),
        kiel_row("5.1", "United States", "2022-09-01", "Allocation", "M777 howitzer", -2, "."),
        kiel_row("6.1", "Germany", "2022-10-01", "Allocation", "PzH 2000", 3, -1),
    ], title_rows=2)


def test_kiel_workbook_rows_become_events(tmp_path: Path) -> None:
    store = MemoryStore()
    report = import_file(store, _kiel(tmp_path), "kiel-xlsx", recorded_by="t")
    assert (report.rows, report.ignored, report.written) == (6, 1, 6)
    kinds = [(e.pledge_id, e.kind, e.quantity) for e in store.events()]
    assert kinds == [
        ("kiel-1.1", EventKind.COMMITTED, 7), ("kiel-1.1", EventKind.DELIVERED, 7),
        ("kiel-2.1", EventKind.ANNOUNCED, 18), ("kiel-5.1", EventKind.AMENDED, -2),
        ("kiel-6.1", EventKind.COMMITTED, 3), ("kiel-6.1", EventKind.DELIVERED, -1)]
    assert store.events()[0].source == "kiel.xlsx:4"  # two title rows, then the header
    warned = {(w.line, w.field) for w in report.warnings}
    assert (7, "item_numb") in warned  # 'undisclosed'
    assert (5, "item_numb_deliv") in warned  # '.'
    states = derive(store.events())
    us = [s for s in states.values() if s.donor == "United States"]
    assert sum(s.outstanding for s in us) == 16  # 18 pledged, 2 withdrawn by a correction


def test_a_kiel_reimport_writes_nothing(tmp_path: Path) -> None:
    store = MemoryStore()
    path = _kiel(tmp_path)
    import_file(store, path, "kiel-xlsx", recorded_by="t")
    again = import_file(store, path, "kiel-xlsx", recorded_by="t")
    assert (again.written, again.skipped) == (0, 6)


def test_the_older_kiel_column_generation(tmp_path: Path) -> None:
    header = ["ID", "Countries", "Announcement Date", "Type of Aid General", "Item",
              "No. of Units", "Converted Value in EUR"]
    path = write_workbook(tmp_path / "old.xlsx", header, [
        [1, "Norway", dt.datetime(2022, 5, 20), "Military", "M109A3GN", 22, 1e6],
        [2, "Norway", dt.datetime(2022, 5, 21), "Humanitarian", "Tents", 100, 1e4]])
    store = MemoryStore()
    report = import_file(store, path, "kiel-xlsx", recorded_by="t")
    assert (report.written, report.ignored) == (1, 1)
    event = store.events()[0]
    assert (event.donor, event.item, event.quantity, event.date) == \
        ("Norway", "M109A3GN", 22, dt.date(2022, 5, 20))


def test_kiel_bad_rows_are_located_and_nothing_is_written(tmp_path: Path) -> None:
    path = write_workbook(tmp_path / "bad.xlsx", KIEL_HEADER, [
        kiel_row("1.1", "Germany", "2022-06-01", "Allocation", "PzH 2000", 7, 7),
        kiel_row("2.1", "", "2022-13-45", "Allocation", "M777", "seven", 0)])
    store = MemoryStore()
    with pytest.raises(ImportRowsError) as caught:
        import_file(store, path, "kiel-xlsx", recorded_by="t")
    shown = [str(i) for i in caught.value.issues]
    assert f"{path}:3: announcement_date: expected a date like 2022-06-01, got '2022-13-45'" \
        in shown
    assert f"{path}:3: donor: missing" in shown
    assert any(s.startswith(f"{path}:3: item_numb: expected a number") for s in shown)
    assert store.count() == 0
    report = import_file(store, path, "kiel-xlsx", recorded_by="t", partial=True)
    assert report.written == 2 and {i.line for i in report.errors} == {3}


def test_kiel_workbook_without_the_sheet_or_columns(tmp_path: Path) -> None:
    wrong_sheet = write_workbook(tmp_path / "a.xlsx", KIEL_HEADER, [], sheet="Other")
    with pytest.raises(StoreError, match="no sheet 'Bilateral Assistance, MAIN DATA'"):
        import_file(MemoryStore(), wrong_sheet, "kiel-xlsx", recorded_by="t")
    no_numbers = write_workbook(tmp_path / "b.xlsx", ["donor", "item", "announcement_date"], [])
    with pytest.raises(ImportRowsError, match="item_numb"):
        import_file(MemoryStore(), no_numbers, "kiel-xlsx", recorded_by="t")
    (tmp_path / "c.xlsx").write_text("not a workbook")
    with pytest.raises(StoreError, match=r"not a readable \.xlsx"):
        import_file(MemoryStore(), tmp_path / "c.xlsx", "kiel-xlsx", recorded_by="t")


WEAPONS = DATA / "kiel-ust-website" / "weapons.csv"


@pytest.mark.skipif(not WEAPONS.is_file(), reason="../shared/data is absent")
def test_the_real_kiel_weapons_file() -> None:
    store = MemoryStore()
    report = import_file(store, WEAPONS, "kiel-weapons", recorded_by="t")
    with WEAPONS.open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert report.rows == len(rows) == 61
    assert report.errors == []
    stated = sum(int(r["number_of_weapons"]) for r in rows)
    mismatch = {w.line for w in report.warnings}
    recorded = sum(e.quantity for e in store.events())
    if not mismatch:
        assert recorded == stated
    assert all(e.date == dt.date(2026, 8, 4) for e in store.events())  # release_info.csv
    assert import_file(store, WEAPONS, "kiel-weapons", recorded_by="t").written == 0


def test_kiel_weapons_lists_and_dates(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "weapons.csv", textwrap.dedent("""\
        "donor","category","number_of_weapons","monetary_value_eur","weapons_list"
        "Canada","Air Defense",1,49013492,"Surface-to-Air Missile System (NASAMS) (1)"
        "Poland","Tanks",3,1,"T-72M1 (2); PT-91 Twardy"
        """))
    with pytest.raises(StoreError, match="--date"):
        import_file(MemoryStore(), path, "kiel-weapons", recorded_by="t")
    with pytest.raises(ImportRowsError, match=r"weapons.csv:3: weapons_list: 'PT-91 Twardy'"):
        import_file(MemoryStore(), path, "kiel-weapons", recorded_by="t",
                    date=dt.date(2026, 8, 4))
    store = MemoryStore()
    import_file(store, path, "kiel-weapons", recorded_by="t", date=dt.date(2026, 8, 4),
                partial=True)
    assert [(e.item, e.quantity) for e in store.events()] == [
        ("Surface-to-Air Missile System (NASAMS)", 1)]


GOOD_CSV = """\
pledge_id,kind,donor,item,quantity,date,due,source
p1,committed,west,m795,1000,2022-06-01,2022-06-20,https://example.org/a
p1,delivered,west,m795,400,2022-06-10,,
p2,announced,east,of540,500,2022-06-02,,
"""


def test_generic_csv_and_idempotence(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "ledger.csv", GOOD_CSV)
    store = MemoryStore()
    assert import_file(store, path, "csv", recorded_by="t").written == 3
    assert import_file(store, path, "csv", recorded_by="t").written == 0
    assert store.events()[1].source == "ledger.csv:3"
    assert derive(store.events())["p1"].outstanding == 600


def test_identical_lines_are_separate_pledges_and_reimport_writes_nothing(
        tmp_path: Path) -> None:
    line = "committed,west,m795,10,2022-06-01\n"
    path = write_csv(tmp_path / "dup.csv", "kind,donor,item,quantity,date\n" + line * 3)
    store = MemoryStore()
    assert import_file(store, path, "csv", recorded_by="t").written == 3
    states = derive(store.events())
    assert len(states) == 3  # docs/ledger.md: one pledge per line
    assert sum(s.pledged for s in states.values()) == 30  # not 10: nothing merged
    again = import_file(store, path, "csv", recorded_by="t")
    assert (again.written, again.skipped) == (0, 3)
    # one more identical line is one more pledge, the three recorded stay as they were
    grown = write_csv(tmp_path / "dup4.csv", "kind,donor,item,quantity,date\n" + line * 4)
    assert import_file(store, grown, "csv", recorded_by="t").written == 1
    assert sum(s.pledged for s in derive(store.events()).values()) == 40


@pytest.mark.parametrize(("text", "expected"), [
    ("who,what\nwest,m795\n", ":1: kind: missing column `kind`"),
    ("kind,donor,item,quantity,date\ncommitted,west,m795,10,2022-02-30\n",
     ":2: date: expected a date like 2022-06-01, got '2022-02-30'"),
    ("kind,donor,item,quantity,date\ncommitted,west,m795,-5,2022-06-01\n",
     ":2: quantity: negative (-5) for a committed event"),
    ("kind,donor,item,quantity,date\ncommitted,west,m795,ten,2022-06-01\n",
     ":2: quantity: expected a number, got 'ten'"),
    ("kind,donor,item,quantity,date\npromised,west,m795,1,2022-06-01\n",
     ":2: kind: expected one of announced"),
    ('kind,donor,item,quantity,date\ncommitted,west,m795,1,2022-06-01\n'
     'delivered,"Wset",m795,1,2022-06-01\n',
     ":3: donor: unknown donor 'Wset'; did you mean 'west'?"),
])
def test_malformed_csv_is_reported_by_line_and_nothing_is_written(
        tmp_path: Path, text: str, expected: str) -> None:
    path = write_csv(tmp_path / "bad.csv", text)
    mapping = write_csv(tmp_path / "map.yaml", "items: {m795: m795}\ndonors: {west: west}\n")
    store = MemoryStore()
    with pytest.raises(ImportRowsError) as caught:
        import_file(store, path, "csv", recorded_by="t", mapping=mapping)
    assert any(str(i).startswith(f"{path}{expected}") for i in caught.value.issues), \
        caught.value
    assert store.count() == 0


def test_unmapped_items_get_suggestions_and_null_means_ignore(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "l.csv", "kind,donor,item,quantity,date\n"
                     "committed,west,M795 shell,5,2022-06-01\n"
                     "committed,west,cash,5,2022-06-01\n"
                     "committed,west,M759 shel,5,2022-06-01\n")
    mapping = write_csv(tmp_path / "map.yaml", 'items:\n  "M795 shell": m795\n  cash: null\n')
    with pytest.raises(ImportRowsError) as caught:
        import_file(MemoryStore(), path, "csv", recorded_by="t", mapping=mapping)
    assert [str(i) for i in caught.value.issues] == [
        f"{path}:4: item: 'M759 shel' is not in {mapping}; did you mean 'M795 shell'?; "
        "add it under `items:`"]
    store = MemoryStore()
    report = import_file(store, path, "csv", recorded_by="t", mapping=mapping, partial=True)
    assert (report.written, report.ignored) == (1, 1)
    assert store.events()[0].item == "m795"


def test_a_mapping_to_ids_the_scenario_lacks_is_located(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "l.csv", GOOD_CSV)
    mapping = write_csv(tmp_path / "map.yaml", "items:\n  m795: m795\n  of540: of504\n")
    with pytest.raises(ImportRowsError) as caught:
        import_file(MemoryStore(), path, "csv", recorded_by="t", mapping=mapping,
                    scenario=load_scenario("tiny"))
    assert str(caught.value.issues[0]) == \
        f"{mapping}:3: items.of540: 'of504' is not in scenario tiny; did you mean 'of540'?"


ORYX = DATA / "oryx-donated-vehicles" / "donated_vehicles.csv"


@pytest.mark.skipif(not ORYX.is_file(), reason="../shared/data is absent")
def test_the_messy_oryx_file_is_reported_row_by_row(tmp_path: Path) -> None:
    mapping = write_csv(tmp_path / "oryx.yaml", textwrap.dedent("""\
        columns: {donor: supplier, item: vehicle_name, quantity: count}
        defaults: {kind: delivered, date: 2023-11-19}
        items: {"Su-25": su25, "M777": m777, "PzH 2000": pzh2000}
        donors: {Slovakia: sk, Germany: de, "United States": us, Poland: pl}
        """))
    store = MemoryStore()
    with pytest.raises(ImportRowsError) as caught:
        import_file(store, ORYX, "csv", recorded_by="t", mapping=mapping)
    with ORYX.open(newline="") as handle:
        rows = list(enumerate(csv.DictReader(handle), start=2))
    zero = {n for n, row in rows if float(row["count"] or 0) == 0}
    def squash(name: str) -> str:  # the mapping matches ignoring case and spaces
        return "".join(name.lower().split())

    mapped = {"su-25", "m777", "pzh2000"}
    donors = {"slovakia", "germany", "unitedstates", "poland"}
    no_supplier = {n for n, row in rows if squash(row["supplier"]) in {"", "none"}}
    unmapped = {n for n, row in rows if squash(row["vehicle_name"]) not in mapped}
    unmapped -= zero | no_supplier
    unknown_donor = {n for n, row in rows if squash(row["vehicle_name"]) in mapped
                     and squash(row["supplier"]) not in donors} - zero
    issues = caught.value.issues
    assert len(zero) == 85
    assert {i.line for i in issues if i.field == "quantity"} == zero
    assert {i.line for i in issues if i.field == "item"} == unmapped
    assert {i.line for i in issues if i.field == "donor"} == unknown_donor | no_supplier
    assert unknown_donor  # e.g. the NATO Su-25 on line 2
    assert store.count() == 0


@pytest.mark.skipif(not ORYX.is_file(), reason="../shared/data is absent")
def test_oryx_without_dates_is_refused_at_the_header(tmp_path: Path) -> None:
    mapping = write_csv(tmp_path / "oryx.yaml", "columns: {donor: supplier, item: vehicle_name,"
                        " quantity: count}\ndefaults: {kind: delivered}\n")
    with pytest.raises(ImportRowsError) as caught:
        import_file(MemoryStore(), ORYX, "csv", recorded_by="t", mapping=mapping)
    assert [str(i) for i in caught.value.issues] == [f"{ORYX}:1: date: missing column `date`"]


def test_an_export_imports_back_to_the_same_state(tmp_path: Path) -> None:
    source = MemoryStore()
    import_file(source, _kiel(tmp_path), "kiel-xlsx", recorded_by="t")
    exported = tmp_path / "ledger.csv"
    export(source.events(), "csv", exported)
    copy = MemoryStore()
    import_file(copy, exported, "csv", recorded_by="t")
    assert derive(copy.events()) == derive(source.events())
    assert import_file(copy, exported, "csv", recorded_by="t").written == 0


def test_successive_kiel_releases_record_only_what_changed(tmp_path: Path) -> None:
    store = MemoryStore()

    def release(n: int, pledged: object, delivered: object) -> int:
        path = write_workbook(tmp_path / f"r{n}.xlsx", KIEL_HEADER, [
            kiel_row("9.1", "Germany", "2022-06-01", "Allocation", "PzH 2000", pledged,
                     delivered)])
        return import_file(store, path, "kiel-xlsx", recorded_by="t").written

    assert release(1, 10, 7) == 2
    assert release(2, 12, 9) == 2
    assert release(2, 12, 9) == 0  # the same release again
    state = derive(store.events())["kiel-9.1"]
    assert (state.pledged, state.delivered) == (12, 9)
    assert release(3, 12, 7) == 1  # deliveries revised down: a negative delivered event
    state = derive(store.events())["kiel-9.1"]
    assert (state.pledged, state.delivered, state.outstanding) == (12, 7, 5)
    assert [e.quantity for e in store.events() if e.kind is EventKind.DELIVERED] == [7, 2, -2]


def test_with_a_scenario_and_no_mapping_names_must_be_scenario_ids_or_names(
        tmp_path: Path) -> None:
    path = write_csv(tmp_path / "l.csv", "kind,donor,item,quantity,date\n"
                     "committed,west,155 mm M795,5,2022-06-01\n"
                     "committed,West,m795,5,2022-06-01\n"
                     "committed,west,m759,5,2022-06-01\n"
                     "committed,wset,m795,5,2022-06-01\n")
    with pytest.raises(ImportRowsError) as caught:
        import_file(MemoryStore(), path, "csv", recorded_by="t", scenario=load_scenario("tiny"))
    assert [str(i) for i in caught.value.issues] == [
        f"{path}:4: item: unknown item 'm759'; did you mean 'm795'?; give --mapping to "
        "translate source names",
        f"{path}:5: donor: unknown donor 'wset'; did you mean 'west', 'east'?; give --mapping to "
        "translate source names"]
    store = MemoryStore()
    import_file(store, path, "csv", recorded_by="t", scenario=load_scenario("tiny"),
                partial=True)
    assert [(e.donor, e.item) for e in store.events()] == [("west", "m795"), ("west", "m795")]
