"""`resupply serve` (the shared workspace), `resupply user ...` and `resupply token ...`
(its accounts). The service itself is `resupply.service`."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Annotated

import typer

from resupply.cli.app import DbOpt, app, err, out, user_errors

user_app = typer.Typer(name="user", no_args_is_help=True, rich_markup_mode=None,
                       help="Accounts of the shared workspace (resupply serve).")
token_app = typer.Typer(name="token", no_args_is_help=True, rich_markup_mode=None,
                        help="API tokens for scripts (Authorization: Bearer TOKEN).")
app.add_typer(user_app)
app.add_typer(token_app)


@app.command("serve")
@user_errors
def serve_cmd(  # noqa: PLR0917  (a Typer command: one parameter per option)
    host: Annotated[str, typer.Option("--host", help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="Port to listen on.", min=1,
                                      max=65535)] = 8000,
    db: DbOpt = None,
    workdir: Annotated[Path | None, typer.Option(
        "--workdir", help="Directory for the jobs' run directories (default: jobs/ in the "
        "user data directory, or a temporary one with --demo).")] = None,
    workers: Annotated[int, typer.Option(
        "--workers", help="Server processes (each runs jobs too; claims are safe).", min=1,
        max=16)] = 1,
    demo: Annotated[bool, typer.Option(
        "--demo", help="Seed a new workspace with ukraine-2022, a coordinator and two donors "
        "(one-time passwords printed); without --db it lives in a temporary directory.")
    ] = False,
) -> None:
    """Serve the shared workspace: REST API under /api/v1 (OpenAPI at /openapi.json) and the
    pages, until Ctrl-C.

    Example: resupply serve --demo
    """
    import uvicorn

    from resupply.service import ServiceSettings, create_app

    if demo and db is None:
        folder = Path(tempfile.mkdtemp(prefix="resupply-demo-"))
        db = f"sqlite:///{folder / 'workspace.db'}"
        workdir = workdir or folder / "work"
    if workdir is None:
        from platformdirs import user_data_dir

        workdir = Path(user_data_dir("resupply")) / "jobs"
    if demo:
        _seed(db)
    out.print(f"resupply workspace on http://{host}:{port}/ (OpenAPI: /openapi.json)",
              markup=False)
    if workers == 1:
        uvicorn.run(create_app(ServiceSettings(db=db, workdir=workdir)), host=host, port=port,
                    log_level="warning")
        return
    from resupply.service.app import SETTINGS_ENV

    os.environ[SETTINGS_ENV] = json.dumps({"db": db, "workdir": str(workdir)})
    uvicorn.run("resupply.service.app:from_environment", factory=True, workers=workers,
                host=host, port=port, log_level="warning")


def _actor() -> str:
    """Who a command acts as in the audit log: ``cli:<login name>``."""
    from resupply.store.ledger import current_user

    return f"cli:{current_user()}"


def _seed(db: str | None) -> None:
    from resupply.service.demo import seed_demo
    from resupply.service.workspace import Workspace

    ws = Workspace.open(db)
    try:
        accounts = seed_demo(ws)
    finally:
        ws.close()
    out.print("demo accounts (one-time passwords, shown only now):", markup=False)
    for account in accounts:
        out.print(f"  {account.username:<12} {account.role:<16} {account.password}",
                  markup=False, highlight=False)


@user_app.command("add")
@user_errors
def user_add_cmd(
    username: Annotated[str, typer.Argument(help="Login name.")],
    role: Annotated[str, typer.Option("--role", help="coordinator, viewer or donor:<id>.")],
    password: Annotated[str | None, typer.Option(
        "--password", help="Default: a generated one-time password, printed once.")] = None,
    db: DbOpt = None,
) -> None:
    """Add a user of the workspace (its password is stored as an argon2 hash only).

    Example: resupply user add anna --role donor:usa
    """
    from resupply.service import accounts
    from resupply.service.roles import Role
    from resupply.service.workspace import Workspace

    chosen = password or accounts.new_password()
    ws = Workspace.open(db)
    try:
        user = accounts.add_user(ws, username, Role.parse(role), chosen, actor=_actor())
    finally:
        ws.close()
    out.print(f"added {user.username} ({user.role})", markup=False)
    if password is None:
        out.print(f"one-time password: {chosen}", markup=False, highlight=False)


@user_app.command("list")
@user_errors
def user_list_cmd(db: DbOpt = None) -> None:
    """List the users and their roles.

    Example: resupply user list --db sqlite:///workspace.db
    """
    from resupply.service import accounts
    from resupply.service.workspace import Workspace

    ws = Workspace.open(db)
    try:
        for user in accounts.users(ws):
            out.print(f"{user.username}\t{user.role}", markup=False, highlight=False)
    finally:
        ws.close()


@token_app.command("create")
@user_errors
def token_create_cmd(
    username: Annotated[str, typer.Argument(help="The user the token acts as.")],
    name: Annotated[str, typer.Option("--name", help="What the token is for.")] = "script",
    db: DbOpt = None,
) -> None:
    """Create an API token (printed once; only its hash is stored).

    Example: resupply token create anna --name nightly-import
    """
    from resupply.service import accounts
    from resupply.service.workspace import Workspace

    ws = Workspace.open(db)
    try:
        token_id, token = accounts.create_token(ws, username, name, actor=_actor())
    finally:
        ws.close()
    err.print(f"token {token_id} of {username} (shown once; revoke with `resupply token "
              f"revoke {token_id}`):", markup=False)
    out.print(token, markup=False, highlight=False)


@token_app.command("revoke")
@user_errors
def token_revoke_cmd(
    token_id: Annotated[int, typer.Argument(metavar="ID", help="Token id (`token list`).")],
    db: DbOpt = None,
) -> None:
    """Revoke an API token: it stops working at once.

    Example: resupply token revoke 3
    """
    from resupply.service import accounts
    from resupply.service.workspace import Workspace

    ws = Workspace.open(db)
    try:
        accounts.revoke_token(ws, token_id, actor=_actor())
    finally:
        ws.close()
    out.print(f"revoked token {token_id}", markup=False)


@token_app.command("list")
@user_errors
def token_list_cmd(db: DbOpt = None) -> None:
    """List the tokens: id, user, name, revoked or live.

    Example: resupply token list
    """
    from resupply.service import accounts
    from resupply.service.workspace import Workspace

    ws = Workspace.open(db)
    try:
        for token_id, user, name, revoked in accounts.tokens(ws):
            out.print(f"{token_id}\t{user}\t{name}\t{'revoked' if revoked else 'live'}",
                      markup=False, highlight=False)
    finally:
        ws.close()
