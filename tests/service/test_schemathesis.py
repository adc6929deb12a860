"""schemathesis against the OpenAPI schema, authenticated as each role: no 5xx, every
answer's status, content type and body as documented. Bounded and derandomized."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from resupply.service import create_app
from resupply.service.workspace import Workspace

from .conftest import ROLES, make_settings

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_schema_conformance]


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory,
           seeded: tuple[Path, dict[str, str]]) -> Iterator[tuple[Any, dict[str, str]]]:
    """The app on a copy of the seeded workspace (opened by hand: schemathesis calls the
    ASGI app without its lifespan)."""
    folder = tmp_path_factory.mktemp("schemathesis")
    shutil.copyfile(seeded[0], folder / "ws.db")
    config = make_settings(folder)
    app = create_app(config)
    app.state.workspace = Workspace.open(config.db)
    yield app, seeded[1]
    app.state.workspace.close()


def test_the_api_answers_as_documented_for_every_role(
        served: tuple[Any, dict[str, str]]) -> None:
    """Each operation, a few derandomized examples, called as every role and anonymously."""
    app, tokens = served
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 20
    failures: list[str] = []
    calls = [0]
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(max_examples=3, derandomize=True, deadline=None, database=None,
                  suppress_health_check=list(HealthCheck))
        def check(case: Any) -> None:
            for user in [*ROLES, None]:
                headers = {} if user is None else {"Authorization": f"Bearer {tokens[user]}"}
                case.call_and_validate(headers=headers, checks=CHECKS)
                calls[0] += 1

        try:
            check()
        except Exception as exc:  # collect every operation's failure, then fail once
            failures.append(f"{operation.label}: {exc}"[:2000])
    assert failures == []
    assert calls[0] >= len(operations) * (len(ROLES) + 1)  # every operation was exercised
