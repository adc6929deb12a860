"""The scenario schema: every field with its type, unit, default and description, in one place.

The JSON Schema (`resupply schema`), the field reference (docs/scenario.md) and the validation
messages are all generated from these models. Units are written in brackets at the end of each
description (``[t]``, ``[rounds/day]``) and repeated in the ``unit`` key of the JSON Schema.

Models are frozen: a scenario variant is made with ``model_copy(update=...)``, never by mutation.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, model_validator

Id = Annotated[
    str,
    Field(
        min_length=1,
        max_length=64,
        pattern=r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$",
        description="Identifier: letters, digits, '_', '.', '-'; starts with a letter or digit.",
    ),
]


def _date_not_number(value: Any) -> Any:
    if isinstance(value, int | float) and not isinstance(value, bool):
        raise ValueError("must be a date written as YYYY-MM-DD")
    return value


Date = Annotated[dt.date, BeforeValidator(_date_not_number)]
"""A calendar date, written YYYY-MM-DD (numbers such as Unix times are refused)."""


def unit_field(default: Any, description: str, unit: str, **constraints: Any) -> Any:
    """A numeric pydantic `Field`: strict (no booleans or strings taken as numbers), its unit at
    the end of its description and in its schema."""
    text = f"{description} [{unit}]" if unit else description
    return Field(default, description=text, json_schema_extra={"unit": unit}, strict=True,
                 **constraints)


class Model(BaseModel):
    """Base of every scenario model: frozen, unknown keys rejected, no NaN or infinity."""

    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)


class Standard(Model):
    """A family of mutually compatible equipment (e.g. `soviet`, `nato`)."""

    id: Id
    name: str = Field("", description="Human-readable name.")


class Family(Model):
    """A class of interchangeable supply within one standard (a calibre, a spare part)."""

    id: Id
    standard: Id = Field(description="Standard the family belongs to (id in `standards`).")
    name: str = Field("", description="Human-readable name.")
    kind: Literal["ammunition", "spare_part"] = Field(
        "ammunition",
        description="`ammunition` is fired by platforms (`uses`); `spare_part` is worn by rounds "
        "fired (`wear`).",
    )
    unit: str = Field("rounds", description="What one unit of the family is called in reports.")
    priority: float = unit_field(
        1.0, "Weight of a shortfall of this family relative to others.", "1", gt=0, le=1000
    )
    shortfall_penalty_eur: float | None = unit_field(
        None,
        "Penalty per unit of need not met. Default: `weights.shortfall_value_multiple` x mean "
        "item value of the family x `priority`.",
        "EUR/unit",
        ge=0,
        le=1e12,
    )


class PricePoint(Model):
    """A purchase price of an item from a date on (a step function)."""

    date: Date = Field(description="Date from which the price holds.")
    eur_per_unit: float = unit_field(..., "Price of one unit dispatched from this date.",
                                     "EUR/unit", ge=0, le=1e10)


class Item(Model):
    """A concrete supply type that donors hold, belonging to one family."""

    id: Id
    family: Id = Field(description="Family of the item (id in `families`).")
    name: str = Field("", description="Human-readable name.")
    mass_kg: float = unit_field(..., "Shipping mass of one unit, packaging included.", "kg", gt=0,
                                le=1e6)
    value_eur: float = unit_field(0.0, "Value of one unit.", "EUR", ge=0, le=1e10)
    whole_units: bool = Field(
        False, description="Ship only whole units (used by the MILP, `plan --integer`)."
    )
    purchase_prices: list[PricePoint] = Field(
        default_factory=list,
        description="Purchase price of one unit by dispatch date (a step function; the first "
        "price also holds before its date). The planner pays it on every unit dispatched "
        "(term `purchase`); none: no purchase cost.",
    )


class FamilyUse(Model):
    """A family a platform fires, and how much of it per day at intensity 1."""

    family: Id = Field(description="Ammunition family fired (id in `families`).")
    rounds_per_day: float = unit_field(
        ..., "Units fired per platform in service per day at intensity 1.", "units/day", ge=0,
        le=1e7
    )


class Wear(Model):
    """A spare part a platform wears out in proportion to the rounds it fires."""

    family: Id = Field(description="Spare-part family worn (id in `families`, kind `spare_part`).")
    per_round: float = unit_field(..., "Spare parts consumed per round fired.", "units/round",
                                  ge=0, le=1)


class Platform(Model):
    """A weapon system of the recipient, with its fleet at the start."""

    id: Id
    name: str = Field("", description="Human-readable name.")
    standard: Id = Field(description="Standard of the platform; it fires only families of it.")
    uses: list[FamilyUse] = Field(min_length=1, description="Ammunition families fired.")
    wear: list[Wear] = Field(default_factory=list, description="Spare parts worn by firing.")
    initial: int = unit_field(0, "Platforms in service on the start date.", "platforms", ge=0,
                              le=1_000_000)
    training_days: int = unit_field(
        0, "Days from delivery until a crew is trained and the platform enters service.", "days",
        ge=0, le=3650
    )
    training_per_week: float | None = unit_field(
        None, "Platforms whose crews can start training per week (null: unlimited).",
        "platforms/week", gt=0, le=1e6
    )
    attrition_per_day: float = unit_field(
        0.0, "Fraction of the platforms in service lost each day.", "1/day", ge=0, lt=1
    )


class Delivery(Model):
    """Platforms delivered to the recipient on a date (a capability package when linked)."""

    platform: Id = Field(description="Platform delivered (id in `platforms`).")
    date: Date = Field(description="Date the platforms arrive at the hub.")
    count: int = unit_field(..., "Platforms delivered.", "platforms", gt=0, le=1_000_000)
    donor: Id | None = Field(None, description="Donor delivering them (id in `donors`).")
    first_load_days: float = unit_field(
        0.0,
        "Capability package: days of the platforms' own fire that must arrive with them "
        "(0: not linked).",
        "days",
        ge=0,
        le=365,
    )


class StockLine(Model):
    """A quantity of one item held somewhere."""

    item: Id = Field(description="Item held (id in `items`).")
    quantity: float = unit_field(..., "Units held.", "units", ge=0, le=1e12)


class RatePoint(Model):
    """One point of a production ramp; rates are linear between points, constant after the last."""

    date: Date = Field(description="Date of the point.")
    per_day: float = unit_field(..., "Production rate from this date.", "units/day", ge=0,
                                le=1e9)


class Production(Model):
    """A donor's production of one item over time (zero before the first point)."""

    item: Id = Field(description="Item produced (id in `items`).")
    rates: list[RatePoint] = Field(min_length=1, description="Rate points, in date order.")


class Release(Model):
    """From which date a donor releases an item, or every item of a family, for dispatch."""

    item: Id | None = Field(None, description="Item released (give `item` or `family`).")
    family: Id | None = Field(None, description="Family released (give `item` or `family`).")
    date: Date = Field(description="First day the donor may dispatch it.")
    slip_days_mean: float = unit_field(
        0.0, "Mean random slip of the release date (simulation only).", "days", ge=0, le=3650
    )

    @model_validator(mode="after")
    def _one_target(self) -> Release:
        if (self.item is None) == (self.family is None):
            raise ValueError("give exactly one of `item` or `family`")
        return self


class Pause(Model):
    """Days on which a donor dispatches nothing (a political pause), both dates included."""

    start: Date = Field(description="First day of the pause.")
    end: Date = Field(description="Last day of the pause (on or after `start`).")

    @model_validator(mode="after")
    def _ordered(self) -> Pause:
        if self.end < self.start:
            raise ValueError(f"`end` {self.end} is before `start` {self.start}; a pause ends "
                             "on or after the day it starts")
        return self


class Donor(Model):
    """A country or organisation that holds, produces, releases and ships items."""

    id: Id
    name: str = Field("", description="Human-readable name.")
    stock: list[StockLine] = Field(default_factory=list, description="Stock on the start date.")
    production: list[Production] = Field(default_factory=list, description="Production ramps.")
    releases: list[Release] = Field(
        default_factory=list,
        description="Release dates; an item with no matching release is released from the start. "
        "An item rule overrides a family rule.",
    )
    lead_days: int = unit_field(0, "Days from dispatch to arrival at the hub.", "days", ge=0,
                                le=3650)
    tranche_every_days: int = unit_field(
        1, "Tranche cadence: the donor dispatches only every N days.", "days", ge=1, le=3650
    )
    tranche_offset_days: int = unit_field(
        0, "Day of the first tranche, counted from the start.", "days", ge=0, le=3650
    )
    min_tranche_t: float = unit_field(
        0.0, "Smallest tranche worth sending (MILP only, `plan --integer`).", "t", ge=0, le=1e7
    )
    delay_days_mean: float = unit_field(
        0.0, "Mean random delay of a tranche (simulation only).", "days", ge=0, le=365
    )
    fair_share: float | None = unit_field(
        None, "Burden sharing: target share of the total value shipped (null: none).", "1",
        ge=0, le=1
    )
    transport_eur_per_t: float = unit_field(0.0, "Transport cost to the hub.", "EUR/t", ge=0,
                                            le=1e7)
    dispatch_t_per_day: float | None = unit_field(
        None, "Tons the donor can dispatch on one day (loading, transport booked); capacity "
        "not used on a day is lost, not carried to the next (null: unlimited).", "t/day",
        gt=0, le=1e8)
    tranche_fixed_eur: float = unit_field(
        0.0, "Fixed cost of each tranche the donor sends, whatever its size: the planner's "
        "term `tranche_fixed` (MILP only, `plan --integer`) and the simulator's cost per order "
        "(`orders_per_day` and `cost_per_day` of its metrics).", "EUR/tranche", ge=0, le=1e10)
    pauses: list[Pause] = Field(
        default_factory=list,
        description="Dated pauses, in plan and simulation: nothing is dispatched on these days; "
        "production keeps accumulating and the backlog may be sent once the pause is over.",
    )
    pause_prob_per_day: float = unit_field(
        0.0, "Random pauses (simulation only, `simulate --pauses`): probability that the "
        "donor, sending the day before, stops on a day. While paused it dispatches nothing "
        "(what is already on its way still arrives) and production keeps accumulating; on "
        "resuming it may send the backlog. Available q / (p + q) of the days in the long run, "
        "pauses of 1 / q days on average, with q = `resume_prob_per_day`.", "1/day", ge=0,
        le=1)
    resume_prob_per_day: float | None = unit_field(
        None, "Random pauses: probability that the donor, paused the day before, resumes on "
        "a day; required with `pause_prob_per_day` > 0.", "1/day", gt=0, le=1)

    @model_validator(mode="after")
    def _resume_with_pause(self) -> Donor:
        if self.pause_prob_per_day > 0 and self.resume_prob_per_day is None:
            raise ValueError("`pause_prob_per_day` > 0 needs `resume_prob_per_day` (above 0, "
                             "at most 1: the mean pause lasts 1 / resume_prob_per_day days)")
        return self


class Pledge(Model):
    """A donor's promise to dispatch a quantity of an item by a date."""

    id: Id
    donor: Id = Field(description="Donor pledging (id in `donors`).")
    item: Id = Field(description="Item pledged (id in `items`).")
    quantity: float = unit_field(..., "Units pledged.", "units", gt=0, le=1e12)
    date: Date = Field(description="Date by which the quantity is dispatched.")
    binding: Literal["fixed", "minimum"] = Field(
        "minimum",
        description="`fixed`: exactly this quantity by the date; `minimum`: at least this.",
    )
    status: Literal["announced", "committed", "dispatched", "delivered", "cancelled"] = Field(
        "committed", description="Ledger state; `cancelled` pledges are ignored by the planner."
    )


class Hub(Model):
    """Where deliveries enter the recipient."""

    name: str = Field("hub", description="Human-readable name.")
    throughput_t_per_day: float = unit_field(
        ..., "Tons that can move on from the hub per day.", "t/day", gt=0, le=1e8
    )
    strike_prob_per_day: float = unit_field(
        0.0, "Probability the hub is struck on a day (its stock, a certified plan's reserve "
        "included, decays in the plan and is struck in the simulation; 0: out of reach).",
        "1/day", ge=0, le=1)
    loss_fraction: float = unit_field(0.0, "Mean fraction of the hub's stock destroyed when "
                                      "struck.", "1", ge=0, le=1)


class Depot(Model):
    """Where stock is held near use."""

    id: Id
    name: str = Field("", description="Human-readable name.")
    capacity_t: float = unit_field(..., "Storage capacity.", "t", gt=0, le=1e9)
    transit_days: int = unit_field(0, "Days from the hub to the depot.", "days", ge=0, le=365)
    strike_prob_per_day: float = unit_field(0.0, "Probability the depot is struck on a day.",
                                            "1/day", ge=0, le=1)
    loss_fraction: float = unit_field(0.0, "Mean fraction of stock destroyed when struck.", "1",
                                      ge=0, le=1)
    demand_share: float = unit_field(..., "Share of the recipient's need served from this depot.",
                                     "1", ge=0, le=1)
    transport_eur_per_t: float = unit_field(0.0, "Transport cost from the hub.", "EUR/t", ge=0,
                                            le=1e7)
    initial_stock: list[StockLine] = Field(default_factory=list,
                                           description="Stock on the start date.")


class NetworkHub(Model):
    """An entry hub of a network: where donors' deliveries enter the recipient (an air or rail
    head); it stocks what waits to move on, and may be struck."""

    id: Id
    name: str = Field("", description="Human-readable name.")
    throughput_t_per_day: float = unit_field(
        ..., "Tons that can move on from the hub per day.", "t/day", gt=0, le=1e8)
    capacity_t: float | None = unit_field(
        None, "Storage capacity (null: unlimited).", "t", gt=0, le=1e9)
    strike_prob_per_day: float = unit_field(0.0, "Probability the hub is struck on a day.",
                                            "1/day", ge=0, le=1)
    loss_fraction: float = unit_field(0.0, "Mean fraction of stock destroyed when struck.", "1",
                                      ge=0, le=1)


class Route(Model):
    """A route of a network: from a donor to an entry hub, or from a hub or a depot to a depot
    (a rear depot feeding a forward one)."""

    id: Id
    origin: Id = Field(description="Where the route starts: a donor, hub or depot id.")
    destination: Id = Field(
        description="Where it ends: a hub id (from a donor) or a depot id (from a hub or a "
        "depot).")
    mode: str = Field("", description="How it is travelled (rail, road, air), for reports.")
    transit_days: int = unit_field(0, "Days from departure to arrival.", "days", ge=0, le=365)
    capacity_t_per_day: float | None = unit_field(
        None, "Tons that can depart on the route per day (null: unlimited).", "t/day", gt=0,
        le=1e8)
    cost_eur_per_t: float = unit_field(0.0, "Transport cost.", "EUR/t", ge=0, le=1e7)
    fixed_eur_per_shipment: float = unit_field(
        0.0, "Fixed cost of each day something departs on the route, whatever the tonnage "
        "(a chartered flight or train, a convoy, a port call): the planner's term "
        "`route_fixed` (MILP only, `plan --integer`; the LP leaves it out and says so). On a "
        "supply route it comes on top of the donor's `tranche_fixed_eur`.", "EUR/shipment",
        ge=0, le=1e10)
    open_from: Date | None = Field(None, description="First day the route may be used (null: "
                                   "from the start).")
    open_until: Date | None = Field(None, description="Last day the route may be used (null: "
                                    "to the end).")


class Network(Model):
    """Several entry hubs and the routes between donors, hubs and depots. Replaces `hub` and
    the depots' `transit_days` and `transport_eur_per_t` and the donors' `lead_days` and
    `transport_eur_per_t`, which the routes then carry.

    The planner chooses the flow on every route each day. The simulator follows the same
    network: each hub holds its own stock (throughput, storage limit and strikes of its
    own); a plan's units take the plan's routes in the plan's shares (`routes.parquet` of
    the plan directory), and everything else (other policies, what a plan catches up, what a
    route cannot carry) takes the open routes of its donor or depot by shortest transit,
    each within its capacity that day; a donor with no open supply route sends nothing, and
    stock above a hub's storage capacity waits outside until the next day. A route from a
    depot to a depot carries the plan's flows (and, under other policies, what the routes
    from the hubs could not) after the day's arrivals, within what the rear depot holds."""

    hubs: list[NetworkHub] = Field(min_length=1, description="Entry hubs.")
    routes: list[Route] = Field(min_length=1, description="Routes.")


class IntensityPoint(Model):
    """Combat intensity from a date on (a step function; 1 means the platforms' nominal rates)."""

    date: Date = Field(description="Date from which the level holds.")
    level: float = unit_field(..., "Multiplier of every platform's rate of fire.", "1", ge=0,
                              le=100)


class Weights(Model):
    """Penalties and weights of the planning objective and of inventory-theory costs."""

    shortfall_value_multiple: float = unit_field(
        10.0, "Default shortfall penalty as a multiple of the family's mean item value.", "1",
        ge=0, le=1e6
    )
    shortfall_timing: float = unit_field(
        1e-3, "Shortfall on the first day costs this share more than on the last (linear in "
        "between), so that when supply is short the plan meets need early and runs out once, "
        "rather than spreading the same shortfall thin over many days.", "1", ge=0, le=1
    )
    strike_loss: float = unit_field(1.0, "Weight on the value of expected strike losses.", "1",
                                    ge=0, le=1e6)
    transport: float = unit_field(1.0, "Weight on transport cost.", "1", ge=0, le=1e6)
    smoothness: float = unit_field(
        0.01, "Cost per unit of change in a donor's dispatch between tranches.", "EUR/unit",
        ge=0, le=1e6
    )
    fair_share_band: float = unit_field(
        0.05, "Burden sharing: allowed deviation from a donor's fair share.", "1", ge=0, le=1
    )
    fairness_penalty: float = unit_field(
        1.0, "Burden sharing: cost per EUR shipped outside a donor's band.", "EUR/EUR", ge=0,
        le=1e6
    )
    holding_per_unit_day: float = unit_field(
        0.0, "Holding cost h on every unit held at the end of a day at the hub or a depot "
        "(planner term `holding`; the simulator's inventory cost).", "EUR/(unit day)", ge=0,
        le=1e9
    )
    backorder_per_unit_day: float = unit_field(
        0.0, "Backorder cost p (inventory theory).", "EUR/(unit day)", ge=0, le=1e9
    )


class Uncertainty(Model):
    """What the simulator draws at random around the expected values."""

    demand_distribution: Literal["negative_binomial", "lognormal"] = Field(
        "negative_binomial",
        description="Distribution of daily consumption around the need (its mean is the need "
        "in both): `negative_binomial` with shape `demand_dispersion` (Poisson when null), or "
        "`lognormal` with coefficient of variation `demand_cv`.",
    )
    demand_dispersion: float | None = unit_field(
        None, "Negative-binomial shape k of daily consumption (null: Poisson; smaller: wilder).",
        "1", gt=0, le=1e9
    )
    demand_cv: float | None = unit_field(
        None, "Coefficient of variation (sd / mean) of lognormal daily consumption; required "
        "with `demand_distribution: lognormal`, refused otherwise.", "1", gt=0, le=10
    )
    surge_prob_per_day: float = unit_field(0.0, "Probability that a day is an intensity surge.",
                                           "1/day", ge=0, le=1)
    surge_multiplier: float = unit_field(
        1.5, "Consumption on a surge day relative to a normal day; both are scaled so that "
        "the mean over days stays the need (surges spread consumption, they do not add to "
        "it).", "1", ge=1, le=100)
    strike_loss_concentration: float = unit_field(
        20.0, "Beta concentration of the fraction lost in a strike (larger: closer to the mean).",
        "1", gt=0, le=1e6
    )

    @model_validator(mode="after")
    def _cv_with_lognormal(self) -> Uncertainty:
        lognormal = self.demand_distribution == "lognormal"
        if lognormal and self.demand_cv is None:
            raise ValueError("`demand_distribution: lognormal` needs `demand_cv` (sd / mean, "
                             "above 0, at most 10)")
        if not lognormal and self.demand_cv is not None:
            raise ValueError("`demand_cv` is the lognormal's; set `demand_distribution: "
                             "lognormal` or drop it (the negative binomial's spread is "
                             "`demand_dispersion`)")
        if lognormal and self.demand_dispersion is not None:
            raise ValueError("`demand_dispersion` is the negative binomial's; drop it with "
                             "`demand_distribution: lognormal` (its spread is `demand_cv`)")
        return self


class Scenario(Model):
    """Everything resupply needs to plan and stress-test a supply: one file."""

    schema_version: Literal[1] = Field(1, description="Version of this schema.")
    name: Id = Field(description="Short name of the scenario.")
    description: str = Field("", description="What the scenario represents and its sources.")
    start: Date = Field(description="First day of the horizon (day 0).")
    horizon_days: int = unit_field(..., "Days planned and simulated.", "days", ge=1, le=3650)
    standards: list[Standard] = Field(min_length=1, description="Equipment standards.")
    families: list[Family] = Field(min_length=1, description="Supply families.")
    items: list[Item] = Field(min_length=1, description="Concrete supply items.")
    platforms: list[Platform] = Field(default_factory=list, description="Recipient platforms.")
    deliveries: list[Delivery] = Field(default_factory=list, description="Platform deliveries.")
    donors: list[Donor] = Field(default_factory=list, description="Donors.")
    pledges: list[Pledge] = Field(default_factory=list, description="Pledges of donors.")
    hub: Hub | None = Field(None, description="The entry point of deliveries into the "
                            "recipient (give `hub` or `network`).")
    network: Network | None = Field(
        None, description="Several entry hubs and routes with transit, capacity and cost "
        "(give `hub` or `network`).")
    depots: list[Depot] = Field(min_length=1, description="Depots of the recipient.")
    intensity: list[IntensityPoint] = Field(
        default_factory=list, description="Intensity profile (step function; 1 before any point)."
    )
    weights: Weights = Field(default_factory=Weights,
                             description="Penalties and weights of the objective.")
    uncertainty: Uncertainty = Field(default_factory=Uncertainty,
                                     description="Randomness drawn by the simulator.")

    @model_validator(mode="after")
    def _hub_or_network(self) -> Scenario:
        if (self.hub is None) == (self.network is None):
            raise ValueError("give exactly one of `hub` (one entry hub) or `network` (several "
                             "hubs and routes)")
        return self

    @property
    def end(self) -> dt.date:
        """Last day of the horizon (day ``horizon_days - 1``)."""
        return self.start + dt.timedelta(days=self.horizon_days - 1)
