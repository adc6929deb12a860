"""Who is asking: roles and the principal a request acts as.

=================  ==========================================================================
role               may
=================  ==========================================================================
``coordinator``    everything: scenarios, jobs, publishing, every donor's ledger, the audit log
``donor:<id>``     read and write its own pledges and deliveries, read its own tranches of the
                   published plan, see other donors only as aggregates (`confidentiality`)
``viewer``         aggregates only
=================  ==========================================================================
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from resupply.errors import ResupplyError

DONOR_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,199}$")


class RoleKind(StrEnum):
    """The three kinds of role."""

    COORDINATOR = "coordinator"
    DONOR = "donor"
    VIEWER = "viewer"


class RoleError(ResupplyError):
    """A role string is not one of coordinator, viewer, donor:<id>."""


@dataclass(frozen=True)
class Role:
    """A role: its kind and, for a donor, the donor id it acts for."""

    kind: RoleKind
    donor: str | None = None

    def __str__(self) -> str:
        return f"donor:{self.donor}" if self.kind is RoleKind.DONOR else str(self.kind)

    @classmethod
    def parse(cls, text: str) -> Role:
        """``coordinator``, ``viewer`` or ``donor:<id>``; `RoleError` otherwise."""
        if text in {RoleKind.COORDINATOR, RoleKind.VIEWER}:
            return cls(RoleKind(text))
        kind, _, donor = text.partition(":")
        if kind == RoleKind.DONOR and DONOR_ID.match(donor):
            return cls(RoleKind.DONOR, donor)
        raise RoleError(f"role {text!r} is not one of: coordinator, viewer, donor:<id> (a "
                        "donor id of the scenario, such as donor:usa)")


@dataclass(frozen=True)
class Principal:
    """The user a request acts as, how it authenticated, and its session's CSRF token."""

    user_id: int
    username: str
    role: Role
    via: str = "token"
    """``session`` (cookie) or ``token`` (bearer)."""
    csrf: str = ""
    shared: frozenset[str] = frozenset()
    """Other donors whose own figures the coordinator shared with this donor (read only)."""

    @property
    def is_coordinator(self) -> bool:
        """True for the coordinator."""
        return self.role.kind is RoleKind.COORDINATOR

    @property
    def donor(self) -> str | None:
        """The donor this principal acts for, or None."""
        return self.role.donor

    @property
    def sees(self) -> frozenset[str]:
        """The donors whose own figures this principal reads: its own and those shared."""
        own = frozenset() if self.role.donor is None else frozenset({self.role.donor})
        return own | self.shared
