"""Accounts: users with argon2-hashed passwords, API tokens and browser sessions.

A token or session cookie is 32 random bytes (URL-safe base64); only its SHA-256 is stored,
so a copy of the database does not let anyone in. Tokens start with ``rs_`` so that a
leaked one is easy to recognise.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Connection, insert, select
from sqlalchemy.exc import IntegrityError

from resupply.errors import ResupplyError
from resupply.service import audit
from resupply.service.roles import Principal, Role
from resupply.service.workspace import SESSIONS, TOKENS, USERS, Workspace, as_utc, utcnow

TOKEN_PREFIX = "rs_"
_HASHER = PasswordHasher()
_DUMMY_HASH = _HASHER.hash("not a password of anyone")
"""Verified against when the username is unknown, so both answers take the same work."""


class AccountError(ResupplyError):
    """A user, token or session operation was refused (duplicate user, unknown token...)."""


@dataclass(frozen=True)
class User:
    """A stored user (without the password hash)."""

    id: int
    username: str
    role: Role
    created_at: dt.datetime


def digest(secret: str) -> str:
    """The stored form of a token or session cookie: SHA-256, hex."""
    return hashlib.sha256(secret.encode()).hexdigest()


def new_password() -> str:
    """A one-time password to print: 16 URL-safe characters (96 bits)."""
    return secrets.token_urlsafe(12)


def add_user(ws: Workspace, username: str, role: Role, password: str, *,
             actor: str = "cli") -> User:
    """Create a user; `AccountError` when the name is taken or the password is short.
    Audited as done by ``actor``."""
    if len(password) < 8:
        raise AccountError("a password needs at least 8 characters")
    if not username or len(username) > 100:
        raise AccountError("a username needs 1 to 100 characters")
    now = utcnow()

    def work(conn: Connection) -> int:
        result = conn.execute(insert(USERS).values(
            username=username, role=str(role), password_hash=_HASHER.hash(password),
            created_at=now))
        audit.log(conn, actor, "user.add", f"user {username}", after={"role": str(role)})
        return int(result.inserted_primary_key[0])  # type: ignore[index]

    try:
        user_id = ws.write(work)
    except IntegrityError:
        raise AccountError(f"user {username!r} exists already") from None
    return User(user_id, username, role, now)


def users(ws: Workspace) -> list[User]:
    """Every user, by name."""
    with ws.read() as conn:
        rows = conn.execute(select(USERS.c.id, USERS.c.username, USERS.c.role,
                                   USERS.c.created_at).order_by(USERS.c.username)).all()
    return [User(r.id, r.username, Role.parse(r.role), as_utc(r.created_at)) for r in rows]


def check_password(ws: Workspace, username: str, password: str) -> User | None:
    """The user when the password is right, else None (same argon2 work either way)."""
    with ws.read() as conn:
        row = conn.execute(select(USERS).where(USERS.c.username == username)).first()
    stored = row.password_hash if row is not None else _DUMMY_HASH
    try:
        _HASHER.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return None
    if row is None:
        return None
    return User(row.id, row.username, Role.parse(row.role), as_utc(row.created_at))


def _user_id(conn: Connection, username: str) -> int:
    user_id = conn.execute(select(USERS.c.id).where(USERS.c.username == username)).scalar()
    if user_id is None:
        raise AccountError(f"no user {username!r}; `resupply user list` shows the users")
    return int(user_id)


def create_token(ws: Workspace, username: str, name: str, *,
                 actor: str = "cli") -> tuple[int, str]:
    """A new API token of ``username``: (its id, the token, shown once); audited."""
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)

    def work(conn: Connection) -> int:
        result = conn.execute(insert(TOKENS).values(
            user_id=_user_id(conn, username), name=name, token_hash=digest(token),
            created_at=utcnow()))
        token_id = int(result.inserted_primary_key[0])  # type: ignore[index]
        audit.log(conn, actor, "token.create", f"token {token_id}",
                  after={"user": username, "name": name})
        return token_id

    return ws.write(work), token


def revoke_token(ws: Workspace, token_id: int, *, actor: str = "cli") -> None:
    """Revoke a token by id; `AccountError` when there is no such live token; audited."""
    def work(conn: Connection) -> int:
        done = conn.execute(TOKENS.update().where(
            TOKENS.c.id == token_id, TOKENS.c.revoked_at.is_(None)).values(
            revoked_at=utcnow())).rowcount
        if done:
            audit.log(conn, actor, "token.revoke", f"token {token_id}",
                      after={"revoked": True})
        return int(done)

    if ws.write(work) == 0:
        raise AccountError(f"no live token {token_id}; `resupply token list` shows them")


def tokens(ws: Workspace) -> list[tuple[int, str, str, bool]]:
    """Every token as (id, user, name, revoked), by id."""
    with ws.read() as conn:
        rows = conn.execute(select(TOKENS.c.id, USERS.c.username, TOKENS.c.name,
                                   TOKENS.c.revoked_at).join(USERS).order_by(TOKENS.c.id))
        return [(r.id, r.username, r.name, r.revoked_at is not None) for r in rows]


def principal_for_token(ws: Workspace, token: str) -> Principal | None:
    """The principal of a live API token, or None."""
    with ws.read() as conn:
        row = conn.execute(select(USERS.c.id, USERS.c.username, USERS.c.role).join(
            TOKENS).where(TOKENS.c.token_hash == digest(token),
                          TOKENS.c.revoked_at.is_(None))).first()
    return None if row is None else Principal(row.id, row.username, Role.parse(row.role))


def open_session(ws: Workspace, user: User, hours: float) -> tuple[str, str]:
    """A new browser session of ``user``: (cookie value, CSRF token)."""
    cookie, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(24)
    now = utcnow()
    def work(conn: Connection) -> None:
        conn.execute(insert(SESSIONS).values(
            token_hash=digest(cookie), user_id=user.id, csrf=csrf, created_at=now,
            expires_at=now + dt.timedelta(hours=hours)))
        audit.log(conn, user.username, "auth.login", f"user {user.username}")

    ws.write(work)
    return cookie, csrf


def principal_for_session(ws: Workspace, cookie: str) -> Principal | None:
    """The principal of a live session cookie, or None."""
    with ws.read() as conn:
        row = conn.execute(select(USERS.c.id, USERS.c.username, USERS.c.role, SESSIONS.c.csrf,
                                  SESSIONS.c.expires_at).join(SESSIONS).where(
            SESSIONS.c.token_hash == digest(cookie))).first()
    if row is None or as_utc(row.expires_at) <= utcnow():
        return None
    return Principal(row.id, row.username, Role.parse(row.role), via="session", csrf=row.csrf)


def close_session(ws: Workspace, cookie: str) -> None:
    """End a session (logout): it expires now."""
    ws.write(lambda conn: conn.execute(SESSIONS.update().where(
        SESSIONS.c.token_hash == digest(cookie)).values(expires_at=utcnow())))
