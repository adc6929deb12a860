"""Policy specs: what a policy is, as a frozen value parsed once from its text.

=====================  ================================================  =====================
text                   value                                             policy
=====================  ================================================  =====================
``plan``               `PlanSpec()`                                      `PlanPolicy`
``plan:fixed``         `PlanSpec(fixed=True)`                            `PlanPolicy`
``lump``               `LumpSpec()`                                      `LumpPolicy`
``cadence:N[:B]``      `CadenceSpec(every=N, buffer_days=B)`             `CadencePolicy`
``order-up-to``        `OrderUpToSpec()` (10 days of cover)              `OrderUpToPolicy`
``order-up-to:LEVEL``  `OrderUpToSpec(level=LEVEL)`                      `OrderUpToPolicy`
``order-up-to:Nd``     `OrderUpToSpec(days=N)`                           `OrderUpToPolicy`
``rolling:N``          `RollingSpec(every=N)`                            `RollingPolicy`
=====================  ================================================  =====================

``str(spec)`` writes the text back exactly (numbers in their shortest form that reads back to
the same float), so ``parse_spec(str(spec)) == spec``: a stored run names the very policy it
ran, ``order-up-to:56.60395592743389`` and not a rounded ``order-up-to:56.604``.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable
from dataclasses import dataclass

from resupply.errors import SimulationError

SPECS = "plan[:fixed], lump, cadence:N[:B], order-up-to[:LEVEL|:Nd], rolling:N"
"""The spec texts `parse_spec` accepts, for messages and help."""
DEFAULT_BUFFER_DAYS = 7.0
"""Buffer of ``cadence:N`` beyond the next N days. [days]"""
DEFAULT_COVER_DAYS = 10.0
"""Cover of ``order-up-to`` beyond the lead time. [days]"""
WHOLE_BELOW = 1e15
"""Whole numbers below this are written without a decimal point (``1200``, not ``1200.0``)."""


def spec_number(value: float) -> str:
    """The shortest text that reads back as exactly ``value`` (``7``, ``2.5``, ``1e-05``)."""
    if float(value).is_integer() and abs(value) < WHOLE_BELOW:
        return str(int(value))
    return repr(float(value))


def _positive(value: float, what: str) -> None:
    if not (math.isfinite(value) and value > 0):
        raise SimulationError(f"policy {what} must be a positive finite number, not {value!r}")


def _whole(value: object) -> bool:
    """True for a whole number >= 1 (a bool is not one)."""
    return isinstance(value, numbers.Integral) and not isinstance(value, bool) and int(value) >= 1


@dataclass(frozen=True)
class PlanSpec:
    """Follow a plan: tracking its inventory positions, or as fixed schedules."""

    fixed: bool = False
    """Follow x and z as fixed schedules instead of tracking the plan's positions."""

    def __str__(self) -> str:
        return "plan:fixed" if self.fixed else "plan"


@dataclass(frozen=True)
class LumpSpec:
    """Everything available as early as possible."""

    def __str__(self) -> str:
        return "lump"


@dataclass(frozen=True)
class CadenceSpec:
    """Ship every ``every`` days the need up to the next tranche plus ``buffer_days``."""

    every: int
    """Days between tranches. [days]"""
    buffer_days: float = DEFAULT_BUFFER_DAYS
    """Cover beyond the next tranche. [days]"""

    def __post_init__(self) -> None:
        if not _whole(self.every):
            raise SimulationError(f"policy cadence: N must be a whole number >= 1, not "
                                  f"{self.every!r}")
        _positive(self.buffer_days, "cadence buffer B")

    def __str__(self) -> str:
        default = self.buffer_days == DEFAULT_BUFFER_DAYS
        extra = "" if default else f":{spec_number(self.buffer_days)}"
        return f"cadence:{self.every}{extra}"


@dataclass(frozen=True)
class OrderUpToSpec:
    """Order up to ``level`` units per family and depot, or, without a level, up to the need
    of the lead time plus ``days`` days."""

    level: float | None = None
    """Target per family and depot. [units]"""
    days: float = DEFAULT_COVER_DAYS
    """Cover beyond the lead time when there is no level. [days]"""

    def __post_init__(self) -> None:
        if self.level is not None:
            _positive(self.level, "order-up-to LEVEL")
            if self.days != DEFAULT_COVER_DAYS:
                raise SimulationError("policy order-up-to takes a LEVEL or Nd days, not both")
        _positive(self.days, "order-up-to days N")

    def __str__(self) -> str:
        if self.level is not None:
            return f"order-up-to:{spec_number(self.level)}"
        if self.days == DEFAULT_COVER_DAYS:
            return "order-up-to"
        return f"order-up-to:{spec_number(self.days)}d"


@dataclass(frozen=True)
class RollingSpec:
    """Re-plan every ``every`` days on each run's history."""

    every: int
    """Days between re-plans. [days]"""

    def __post_init__(self) -> None:
        if not _whole(self.every):
            raise SimulationError(f"policy rolling: N must be a whole number >= 1, not "
                                  f"{self.every!r}")

    def __str__(self) -> str:
        return f"rolling:{self.every}"


PolicySpec = PlanSpec | LumpSpec | CadenceSpec | OrderUpToSpec | RollingSpec
"""Any policy spec."""


def _number(text: str, spec: str, whole: bool = False) -> float:
    try:
        value = int(text) if whole else float(text)
    except ValueError:
        raise SimulationError(f"policy {spec!r}: {text!r} is not a "
                              f"{'whole ' if whole else ''}number; use {SPECS}") from None
    if not (math.isfinite(value) and value > 0):
        raise SimulationError(f"policy {spec!r}: {text!r} must be positive")
    return value


def _cadence(args: list[str], spec: str) -> PolicySpec | None:
    if len(args) not in (1, 2):
        return None
    every = int(_number(args[0], spec, whole=True))
    if len(args) == 1:
        return CadenceSpec(every)
    return CadenceSpec(every, _number(args[1], spec))


def _order_up_to(args: list[str], spec: str) -> PolicySpec | None:
    if not args:
        return OrderUpToSpec()
    if len(args) > 1:
        return None
    if args[0].endswith("d"):
        return OrderUpToSpec(days=_number(args[0][:-1], spec))
    return OrderUpToSpec(level=_number(args[0], spec))


def _rolling(args: list[str], spec: str) -> PolicySpec | None:
    return RollingSpec(int(_number(args[0], spec, whole=True))) if len(args) == 1 else None


_PARSERS: dict[str, Callable[[list[str], str], PolicySpec | None]] = {
    "plan": lambda args, _: PlanSpec(fixed=bool(args)) if args in ([], ["fixed"]) else None,
    "lump": lambda args, _: None if args else LumpSpec(),
    "cadence": _cadence,
    "order-up-to": _order_up_to,
    "rolling": _rolling,
}
"""Head of a spec text -> parser of its arguments (None: wrong number of arguments)."""


def parse_spec(text: str) -> PolicySpec:
    """The spec a text names; raises `SimulationError` naming the valid forms."""
    head, _, rest = text.strip().partition(":")
    parser = _PARSERS.get(head)
    spec = None if parser is None else parser(rest.split(":") if rest else [], text)
    if spec is None:
        raise SimulationError(f"unknown policy {text!r}; use {SPECS}")
    return spec
