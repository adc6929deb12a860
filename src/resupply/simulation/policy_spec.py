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
``sS:LOW:HIGH``        `MinMaxSpec(low=LOW, high=HIGH)` (units)          `MinMaxPolicy`
``sS:Nd:Md``           `MinMaxSpec(low=N, high=M, days=True)`            `MinMaxPolicy`
=====================  ================================================  =====================

``str(spec)`` writes the text back exactly (numbers in their shortest form that reads back to
the same float), so ``parse_spec(str(spec)) == spec``: a stored run names the very policy it
ran, ``order-up-to:56.60395592743389`` and not a rounded ``order-up-to:56.604``.

Every number of a spec has a type and a range (`Range`: `DAYS`, `BUFFER_DAYS`, `LEVEL`,
`COVER_DAYS`), checked where a value is made and, for a text, with the spec and the valid
range in the message: NaN, infinities and numbers beyond 64 bits are refused before any
policy is built.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable
from dataclasses import dataclass

from resupply.errors import SimulationError

SPECS = ("plan[:fixed], lump, cadence:N[:B], order-up-to[:LEVEL|:Nd], rolling:N, "
         "sS:LOW:HIGH|sS:Nd:Md")
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


@dataclass(frozen=True)
class Range:
    """One number of a spec: what it is, whether whole, and its range: ``lo..hi``, or
    above `lo` and at most `hi` when `positive`."""

    name: str
    whole: bool
    lo: float
    hi: float
    positive: bool = False

    @property
    def valid(self) -> str:
        """The valid values, in words."""
        kind = "a whole number" if self.whole else "a number"
        return (f"{kind} above {self.lo:g}, at most {self.hi:g}" if self.positive
                else f"{kind} in {self.lo:g}..{self.hi:g}")

    def holds(self, value: object) -> bool:
        """True when ``value`` is of this part's type and inside its range (a bool is not a
        number; NaN and infinities are outside every range)."""
        if isinstance(value, bool) or not isinstance(value, numbers.Real):
            return False
        if self.whole and not isinstance(value, numbers.Integral):
            return False
        number = float(value)
        return self.lo < number <= self.hi if self.positive else self.lo <= number <= self.hi

    def check(self, value: object, what: str) -> None:
        """`SimulationError` unless ``value`` `holds` (for a value made in code)."""
        if not self.holds(value):
            raise SimulationError(f"policy {what}: {self.name} must be {self.valid}, not "
                                  f"{value!r}")

    def parse(self, text: str, spec: str) -> float:
        """``text`` as this part's number; `SimulationError` naming the spec and the range."""
        try:
            value: float = int(text) if self.whole else float(text)
        except ValueError:
            value = math.nan
        if not self.holds(value):
            raise SimulationError(f"policy {spec!r}: {self.name} {text[:40]!r} must be "
                                  f"{self.valid}; use {SPECS}")
        return value


DAYS = Range("the number of days", whole=True, lo=1, hi=36_500)
"""A period of days (cadence, re-plan interval): up to 100 years. [days]"""
BUFFER_DAYS = Range("the buffer", whole=False, lo=0, hi=36_500, positive=True)
"""Days of need a cadence shipment adds as buffer (positive). [days]"""
LEVEL = Range("the order-up-to level", whole=False, lo=0, hi=1e12, positive=True)
"""Units an order-up-to policy tops up to (positive, at most the ledger's limit). [units]"""
COVER_DAYS = Range("the days of cover", whole=False, lo=0, hi=36_500, positive=True)
"""Days of need an order-up-to policy tops up to (``Nd``). [days]"""
REORDER_LEVEL = Range("the reorder point s", whole=False, lo=0, hi=1e12)
"""Units at or below which an (s,S) policy orders (0: when nothing is left). [units]"""
REORDER_DAYS = Range("the reorder point s", whole=False, lo=0, hi=36_500)
"""Days of need beyond the lead time at or below which an (s,S) policy orders. [days]"""


def split_specs(text: str, option: str = "--policies") -> list[str]:
    """The comma-separated spec texts of ``text``, stripped; `SimulationError` when there
    are none (``,,,`` names no policy, it does not mean the defaults)."""
    specs = [s.strip() for s in text.split(",") if s.strip()]
    if not specs:
        raise SimulationError(f"{option} {text!r} names no policy; give a comma-separated list "
                              f"of {SPECS}")
    return specs


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
        DAYS.check(self.every, "cadence N")
        BUFFER_DAYS.check(self.buffer_days, "cadence buffer B")

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
            LEVEL.check(self.level, "order-up-to LEVEL")
            if self.days != DEFAULT_COVER_DAYS:
                raise SimulationError("policy order-up-to takes a LEVEL or Nd days, not both")
        COVER_DAYS.check(self.days, "order-up-to days N")

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
        DAYS.check(self.every, "rolling N")

    def __str__(self) -> str:
        return f"rolling:{self.every}"


@dataclass(frozen=True)
class MinMaxSpec:
    """(s,S): order only when a family's inventory position is at or below ``low`` (s), then
    up to ``high`` (S); per family and depot, in units, or with ``days`` in days of the need
    beyond the lead time (as ``order-up-to:Nd``)."""

    low: float
    """Reorder point s. [units, or days with ``days``]"""
    high: float
    """Order-up-to level S, above s. [units, or days with ``days``]"""
    days: bool = False
    """s and S are days of need beyond the lead time, not units."""

    def __post_init__(self) -> None:
        (REORDER_DAYS if self.days else REORDER_LEVEL).check(self.low, "sS s")
        (COVER_DAYS if self.days else LEVEL).check(self.high, "sS S")
        if not self.low < self.high:
            raise SimulationError(f"policy sS: s must be below S, got s={self.low!r}, "
                                  f"S={self.high!r}")

    def __str__(self) -> str:
        unit = "d" if self.days else ""
        return f"sS:{spec_number(self.low)}{unit}:{spec_number(self.high)}{unit}"


PolicySpec = PlanSpec | LumpSpec | CadenceSpec | OrderUpToSpec | RollingSpec | MinMaxSpec
"""Any policy spec."""


def _cadence(args: list[str], spec: str) -> PolicySpec | None:
    if len(args) not in (1, 2):
        return None
    every = int(DAYS.parse(args[0], spec))
    if len(args) == 1:
        return CadenceSpec(every)
    return CadenceSpec(every, BUFFER_DAYS.parse(args[1], spec))


def _order_up_to(args: list[str], spec: str) -> PolicySpec | None:
    if not args:
        return OrderUpToSpec()
    if len(args) > 1:
        return None
    if args[0].endswith("d"):
        return OrderUpToSpec(days=COVER_DAYS.parse(args[0][:-1], spec))
    return OrderUpToSpec(level=LEVEL.parse(args[0], spec))


def _min_max(args: list[str], spec: str) -> PolicySpec | None:
    if len(args) != 2:
        return None
    days = [a.endswith("d") for a in args]
    if days[0] != days[1]:
        raise SimulationError(f"policy {spec!r}: give s and S both in units (sS:20:60) or both "
                              f"in days (sS:5d:15d)")
    if days[0]:
        low, high = (a[:-1] for a in args)
        return _checked(lambda: MinMaxSpec(REORDER_DAYS.parse(low, spec),
                                           COVER_DAYS.parse(high, spec), days=True), spec)
    return _checked(lambda: MinMaxSpec(REORDER_LEVEL.parse(args[0], spec),
                                       LEVEL.parse(args[1], spec)), spec)


def _checked(make: Callable[[], PolicySpec], spec: str) -> PolicySpec:
    """``make()``, its `SimulationError` restated with the spec text and the valid forms."""
    try:
        return make()
    except SimulationError as exc:
        if repr(spec) in str(exc):
            raise
        raise SimulationError(f"{exc} (in {spec!r}); use {SPECS}") from None


def _rolling(args: list[str], spec: str) -> PolicySpec | None:
    return RollingSpec(int(DAYS.parse(args[0], spec))) if len(args) == 1 else None


_PARSERS: dict[str, Callable[[list[str], str], PolicySpec | None]] = {
    "plan": lambda args, _: PlanSpec(fixed=bool(args)) if args in ([], ["fixed"]) else None,
    "lump": lambda args, _: None if args else LumpSpec(),
    "cadence": _cadence,
    "order-up-to": _order_up_to,
    "rolling": _rolling,
    "sS": _min_max,
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
