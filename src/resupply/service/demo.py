"""`resupply serve --demo`: a workspace seeded with ``ukraine-2022``, a coordinator and two
donor accounts with one-time passwords, so that a newcomer sees it work in one command."""

from __future__ import annotations

from dataclasses import dataclass

from resupply.domain.load import bundled_text
from resupply.service import accounts
from resupply.service import scenarios as stored
from resupply.service.roles import Role
from resupply.service.workspace import Workspace

DEMO_SCENARIO = "ukraine-2022"
DEMO_USERS = (("coordinator", "coordinator"), ("usa", "donor:usa"),
              ("germany", "donor:germany"))
"""(username, role) of the demo accounts; the donors are donors of ``ukraine-2022``."""


@dataclass(frozen=True)
class DemoAccount:
    """A seeded account and its one-time password (printed once, stored only hashed)."""

    username: str
    role: str
    password: str


def seed_demo(ws: Workspace, scenario: str = DEMO_SCENARIO) -> list[DemoAccount]:
    """Upload the bundled ``scenario`` and create the demo accounts (on an empty workspace)."""
    if accounts.users(ws):
        raise accounts.AccountError("the demo needs an empty workspace; this one has users "
                                    "(leave out --db, or point it at a new database)")
    stored.upload(ws, bundled_text(scenario).encode(), f"{scenario}.yaml", "demo")
    made = []
    for username, role in DEMO_USERS:
        password = accounts.new_password()
        accounts.add_user(ws, username, Role.parse(role), password)
        made.append(DemoAccount(username, role, password))
    return made
