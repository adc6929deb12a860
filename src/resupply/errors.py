"""One exception tree for everything resupply raises on purpose.

::

    ResupplyError                   anything resupply reports to a user
    ├── ScenarioError               a scenario file is unreadable or invalid; holds located issues
    ├── UnknownScenarioError        a name is neither a file nor a bundled scenario
    ├── PlanningError               the planner could not produce a plan (status, explanation)
    │   └── InfeasiblePlanError     no plan meets the hard constraints; names the families
    ├── SimulationError             the simulator was given settings it cannot run
    ├── OutputError                 an output path cannot be written ("cannot write PATH: why")
    │   └── OutputExistsError       the path holds something that is not ours; --force to write
    └── StoreError                  the database is unreachable, too old or was misused
        ├── LedgerError             a ledger event contradicts its pledge or the arguments
        └── ImportRowsError         rows of an import file are invalid; holds located issues

Faces (the CLI, the service) catch `ResupplyError` and print its message; anything else is a bug.
"""

from __future__ import annotations

from dataclasses import dataclass


class ResupplyError(Exception):
    """Base of every error resupply raises for a user to read."""


@dataclass(frozen=True, slots=True)
class Issue:
    """One located problem in an input file.

    `line` and `col` are 1-based; `path` is the dotted field path (``depots.2.capacity_t``).
    """

    file: str
    line: int
    col: int
    path: str
    message: str

    def __str__(self) -> str:
        where = self.path or "(document)"
        return f"{self.file}:{self.line}:{self.col}: {where}: {self.message}"


class ScenarioError(ResupplyError):
    """A scenario could not be loaded; `issues` lists every problem found, in file order."""

    def __init__(self, issues: list[Issue]) -> None:
        self.issues = sorted(issues, key=lambda i: (i.file, i.line, i.col, i.path))
        super().__init__("\n".join(str(i) for i in self.issues))


class UnknownScenarioError(ResupplyError):
    """A scenario argument names neither a readable file nor a bundled scenario."""


class PlanningError(ResupplyError):
    """The planner could not produce a plan."""


class InfeasiblePlanError(PlanningError):
    """No plan satisfies the hard constraints; the message names the violated families."""


class SimulationError(ResupplyError):
    """The simulator was asked for something it cannot run."""


class OutputError(ResupplyError):
    """An output path cannot be written; the message is ``cannot write PATH: reason``."""


class OutputExistsError(OutputError):
    """An output path exists and is not resupply's to replace without ``--force``."""


class StoreError(ResupplyError):
    """The database could not be opened, is at the wrong schema revision, or an operation failed."""


class LedgerError(StoreError):
    """A ledger event was refused: unknown pledge, donor or item that contradicts it, bad kind."""


@dataclass(frozen=True, slots=True)
class RowIssue:
    """One problem with one row of an import file: ``FILE:LINE: field: message``.

    `line` is the 1-based line (CSV) or row (XLSX) of the record in the file.
    """

    file: str
    line: int
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.field}: {self.message}"


class ImportRowsError(StoreError):
    """An import was refused; `issues` lists every bad row, in file order. Nothing was written."""

    def __init__(self, issues: list[RowIssue], summary: str = "") -> None:
        self.issues = sorted(issues, key=lambda i: (i.file, i.line, i.field))
        self.summary = summary or f"{len(self.issues)} row error(s); nothing was written"
        super().__init__("\n".join([*(str(i) for i in self.issues), self.summary]))
