"""Who may see what: the confidentiality rules between donors, in one place.

A donor sees its own pledges, deliveries and tranches (and, read only, those of donors the
coordinator shared with it: `shares`), and other donors only as aggregates;
an aggregate is shown only when at least `MIN_OTHER_DONORS` donors *other than the asker*
contribute to it, so that no figure, count or difference of figures reveals one other
donor's contribution (own total subtracted from an aggregate of two leaves the sum of two).
A viewer sees aggregates under the same rule (with no own part). The coordinator sees all.

Objects a principal may not see answer as if they did not exist (`NotFoundError`, 404), so that
an error does not confirm another donor's pledge id.
"""

from __future__ import annotations

from collections.abc import Collection

from resupply.errors import ResupplyError
from resupply.service.roles import Principal, RoleKind
from resupply.service.scenarios import NotFoundError

MIN_OTHER_DONORS = 2
"""Least number of other donors behind an aggregate a donor or viewer may see."""


class ForbiddenError(ResupplyError):
    """The principal's role may not call this at all (403)."""


def require_coordinator(who: Principal) -> None:
    """`ForbiddenError` unless ``who`` is the coordinator."""
    if not who.is_coordinator:
        raise ForbiddenError(f"only the coordinator may do this; you are {who.role}")


def require_ledger_reader(who: Principal) -> None:
    """`ForbiddenError` for viewers (they see aggregates only)."""
    if who.role.kind is RoleKind.VIEWER:
        raise ForbiddenError("a viewer sees aggregates only (GET /api/v1/ledger/status)")


def donor_scope(who: Principal, donor: str | None = None) -> list[str] | None:
    """The donors whose objects ``who`` may list: None (all) for the coordinator, else its
    own and those shared with it, or only ``donor`` of those (another answers
    `NotFoundError`)."""
    require_ledger_reader(who)
    if who.is_coordinator:
        return None if donor is None else [donor]
    if donor is not None and donor not in who.sees:
        raise NotFoundError(f"no donor {donor!r} among your pledges")
    return [donor] if donor is not None else sorted(who.sees)


def check_reader(who: Principal, donor: str, what: str) -> None:
    """`NotFoundError` (as for a missing object) unless ``who`` may read ``donor``'s."""
    require_ledger_reader(who)
    if not who.is_coordinator and donor not in who.sees:
        raise NotFoundError(f"no {what}")


def check_writer(who: Principal, donor: str, what: str) -> None:
    """`NotFoundError` unless ``who`` may write ``donor``'s (its own; the coordinator any);
    a shared donor is read only (`ForbiddenError`)."""
    check_reader(who, donor, what)
    if not who.is_coordinator and donor != who.donor:
        raise ForbiddenError(f"{donor}'s figures are shared with you to read, not to change")


def aggregate_visible(who: Principal, contributors: Collection[str]) -> bool:
    """May ``who`` see an aggregate over ``contributors`` (donor ids)?"""
    if who.is_coordinator:
        return True
    others = set(contributors) - who.sees
    return len(others) >= MIN_OTHER_DONORS
