"""Mapping files: free-text names of a source translated once, at the edge, to scenario ids.

A mapping file (YAML)::

    items:                      # source item name -> scenario item id (null: not ledger data)
      "M777 howitzer": m777
      "155mm ammunition": m795
      "Financial support": null
    donors:                     # optional: source donor name -> donor id
      "United States": us
    columns:                    # generic CSV only: ledger column -> column of the file
      donor: supplier
      item: vehicle_name
      quantity: count
    defaults:                   # generic CSV only: value of a ledger column the file lacks
      kind: delivered

With a mapping, an item missing from ``items`` is an error on its row, with the closest
names as suggestions (difflib); never a silent drop. With a scenario, mapped ids must be
items (donors) of it. Names match exactly first, then ignoring case and spaces.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from difflib import get_close_matches
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from resupply.domain.schema import Scenario
from resupply.domain.source import PathKey, read_source
from resupply.errors import ImportRowsError, RowIssue, ScenarioError
from resupply.store.events import Event
from resupply.store.imports.rows import Parsed


class ImportMapping(BaseModel):
    """The parsed mapping file (see the module docstring)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    items: dict[str, str | None] = Field(default_factory=dict)
    donors: dict[str, str] | None = None
    columns: dict[str, str] = Field(default_factory=dict)
    defaults: dict[str, str | float | dt.date] = Field(default_factory=dict)


def load_mapping(path: Path, scenario: Scenario | None = None) -> ImportMapping:
    """Read and check a mapping file; `ImportRowsError` with located issues when invalid."""
    try:
        data, where = read_source(path)
    except ScenarioError as exc:
        raise ImportRowsError([RowIssue(i.file, i.line, i.path, i.message) for i in exc.issues],
                              "the mapping file is invalid") from None
    try:
        mapping = ImportMapping.model_validate(data)
    except ValidationError as exc:
        issues = []
        for err in exc.errors():
            line, _col = where.find(tuple(err["loc"]))
            issues.append(RowIssue(str(path), line, ".".join(map(str, err["loc"])), err["msg"]))
        raise ImportRowsError(issues, "the mapping file is invalid") from None
    if scenario is not None:
        issues = _unknown_ids(mapping, scenario, str(path), where.find)
        if issues:
            raise ImportRowsError(issues, "the mapping names ids the scenario does not have")
    return mapping


def _unknown_ids(mapping: ImportMapping, scenario: Scenario, file: str,
                 locate: Callable[[PathKey], tuple[int, int]]) -> list[RowIssue]:
    items = {i.id for i in scenario.items}
    donors = {d.id for d in scenario.donors}
    issues = []
    for section, table, known in (("items", mapping.items, items),
                                  ("donors", mapping.donors or {}, donors)):
        for name, ident in table.items():
            if ident is not None and ident not in known:
                line = locate((section, name))[0]
                issues.append(RowIssue(file, line, f"{section}.{name}",
                                       f"{ident!r} is not in scenario {scenario.name}"
                                       f"{_suggest(ident, known)}"))
    return issues


def _squash(name: str) -> str:
    return "".join(name.lower().split())


def _suggest(name: str, candidates: Iterable[str]) -> str:
    names = sorted(candidates)
    close = get_close_matches(name, names, n=3, cutoff=0.5)
    return f"; did you mean {', '.join(repr(c) for c in close)}?" if close else ""


class Resolver:
    """Translates source donor and item names with a mapping and/or a scenario."""

    def __init__(self, mapping: ImportMapping | None, scenario: Scenario | None,
                 mapping_name: str = "the mapping") -> None:
        self.mapping = mapping
        self.mapping_name = mapping_name
        self.scenario_items = _names({i.id: i.name for i in scenario.items}) if scenario else None
        self.scenario_donors = _names({d.id: d.name for d in scenario.donors}) \
            if scenario else None
        self.items = _loose(mapping.items) if mapping else None
        self.donors = _loose(mapping.donors) if mapping and mapping.donors is not None else None

    def item(self, name: str) -> str | None:
        """The scenario item id of `name`; None when mapped to null; `KeyError` (message)."""
        if self.items is not None:
            if _squash(name) in self.items:
                return self.items[_squash(name)]
            raise KeyError(f"{name!r} is not in {self.mapping_name}"
                           f"{_suggest(name, set(self.items_raw()))}; add it under `items:`")
        if self.scenario_items is not None:
            return self._in_scenario(name, self.scenario_items, "item")
        return name

    def donor(self, name: str) -> str:
        """The donor id of `name`; `KeyError` (message) for an unknown donor."""
        if self.donors is not None:
            ident = self.donors.get(_squash(name))
            if ident is None:
                known = set((self.mapping.donors or {}) if self.mapping else {})
                raise KeyError(f"unknown donor {name!r}{_suggest(name, known)}; add it under "
                               f"`donors:` in {self.mapping_name}")
            return ident
        if self.scenario_donors is not None:
            return self._in_scenario(name, self.scenario_donors, "donor")
        return name

    def items_raw(self) -> list[str]:
        """Source item names of the mapping."""
        return list(self.mapping.items) if self.mapping else []

    @staticmethod
    def _in_scenario(name: str, known: dict[str, str], what: str) -> str:
        found = known.get(_squash(name))
        if found is None:
            raise KeyError(f"unknown {what} {name!r}{_suggest(name, set(known.values()))}; "
                           "give --mapping to translate source names")
        return found


def _loose(table: dict[str, str | None] | dict[str, str]) -> dict[str, str | None]:
    return {_squash(k): v for k, v in table.items()}


def _names(ids_to_names: dict[str, str]) -> dict[str, str]:
    """Squashed id and name -> id, so both `m777` and `M777 howitzer` resolve."""
    found = {_squash(name): ident for ident, name in ids_to_names.items() if name}
    found.update({_squash(ident): ident for ident in ids_to_names})
    return found


def translate(parsed: Parsed, resolver: Resolver, recorded_by: str) -> list[Event]:
    """Events from `parsed`'s drafts; rows whose names do not resolve become errors there."""
    events: list[Event] = []
    for draft in parsed.drafts:
        try:
            item = resolver.item(draft.item)
        except KeyError as exc:
            parsed.error(draft.line, "item", str(exc.args[0]))
            continue
        try:
            donor = resolver.donor(draft.donor)
        except KeyError as exc:
            parsed.error(draft.line, "donor", str(exc.args[0]))
            continue
        if item is None:
            parsed.ignored += 1
            continue
        events.append(Event(draft.pledge_id, draft.kind, donor, item, draft.quantity,
                            draft.date, recorded_by, source=draft.source, due=draft.due,
                            note=draft.note, source_key=draft.key))
    return events
