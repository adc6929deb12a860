"""`resupply user ...`, `resupply token ...` and `resupply serve --demo` (uvicorn replaced by
a stand-in that calls the app once), end to end on a SQLite file."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from resupply.cli.app import build_app, out

app = build_app()  # every command module, in the order of --help


def ok(*args: str) -> str:
    result = CliRunner().invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result.stdout


def test_user_add_token_create_and_revoke(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'ws.db'}"
    said = ok("user", "add", "anna", "--role", "donor:usa", "--db", db)
    password = said.split("one-time password: ")[1].strip()
    assert len(password) >= 16
    assert ok("user", "list", "--db", db).split() == ["anna", "donor:usa"]
    token = ok("token", "create", "anna", "--db", db).strip()
    assert token.startswith("rs_")
    assert ok("token", "list", "--db", db).split() == ["1", "anna", "script", "live"]
    ok("token", "revoke", "1", "--db", db)
    assert ok("token", "list", "--db", db).split() == ["1", "anna", "script", "revoked"]
    again = CliRunner().invoke(app, ["token", "revoke", "1", "--db", db])
    assert again.exit_code == 1 and "no live token 1" in again.output
    bad = CliRunner().invoke(app, ["user", "add", "bob", "--role", "admin", "--db", db])
    assert bad.exit_code == 1 and "donor:<id>" in bad.output
    from resupply.service.audit import entries
    from resupply.service.workspace import Workspace

    ws = Workspace.open(db)
    try:
        _, logged = entries(ws, 0, 10)
    finally:
        ws.close()
    assert [e.action for e in logged] == ["token.revoke", "token.create", "user.add"]
    assert all(e.actor.startswith("cli:") for e in logged)


def test_serve_demo_seeds_a_workspace_one_can_log_in_to(tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    import uvicorn

    seen: dict[str, Any] = {}

    def fake_run(asgi: Any, host: str, port: int, log_level: str) -> None:
        with TestClient(asgi) as client:
            seen["me"] = client.post("/api/v1/auth/login", json=seen["login"]).json()
            seen["scenarios"] = client.get("/api/v1/scenarios").json()

    def capture(*args: str) -> str:
        result = CliRunner().invoke(app, list(args))
        assert result.exit_code == 0, result.output
        return result.stdout

    monkeypatch.setattr(uvicorn, "run", lambda *a, **k: (
        seen.setdefault("login", _first_login(seen["out"])), fake_run(*a, **k)))
    monkeypatch.setattr(out, "print", _recorder(seen))
    db = f"sqlite:///{tmp_path / 'demo.db'}"
    capture("serve", "--demo", "--db", db, "--workdir", str(tmp_path / "work"))
    assert seen["me"]["role"] == "coordinator"
    assert [s["name"] for s in seen["scenarios"]["scenarios"]] == ["ukraine-2022"]
    assert re.search(r"usa +donor:usa +\S{16}", seen["out"])
    assert re.search(r"germany +donor:germany +\S{16}", seen["out"])


def _recorder(seen: dict[str, Any]) -> Any:
    def record(text: object, **_kw: Any) -> None:
        seen["out"] = seen.get("out", "") + f"{text}\n"

    return record


def _first_login(out: str) -> dict[str, str]:
    match = re.search(r"coordinator +coordinator +(\S+)", out)
    assert match, out
    return {"username": "coordinator", "password": match.group(1)}
