"""The coalition's shared workspace: a FastAPI service (REST API with OpenAPI, server-rendered
pages) over the ledger, scenario versions, background plan and simulation jobs and published
plans, with users, roles and per-donor confidentiality.

`create_app` builds the app from `ServiceSettings`; nothing connects at import. Routes are
thin (`api`, `pages`); the rules live in `access` (who sees what), `ledger`, `plans`,
`scenarios`, `jobs`/`runner`/`worker` (background jobs in their own processes, state in the
database) and `accounts` (argon2 passwords, tokens, sessions). Every run goes through the
workflow layer (`resupply.workflow.runs`), as the CLI's do.
"""

from __future__ import annotations

from resupply.service.app import create_app
from resupply.service.settings import Limits, ServiceSettings

__all__ = ["Limits", "ServiceSettings", "create_app"]
