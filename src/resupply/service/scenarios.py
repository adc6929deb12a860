"""Scenario versions: uploaded files, validated with located errors, kept as text by version.

An upload that does not validate raises the domain's `ScenarioError` (every issue with file,
line, column and field) and stores nothing. A valid one becomes the next version of its
scenario's ``name``; jobs name the version they ran.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Row, func, insert, select

from resupply.compile.build import scenario_hash
from resupply.domain.load import validate_data
from resupply.domain.schema import Scenario
from resupply.domain.source import parse_bytes
from resupply.errors import ResupplyError
from resupply.service import audit
from resupply.service.workspace import SCENARIOS, Workspace, as_utc, utcnow

SAFE_NAME = re.compile(r"[^A-Za-z0-9_.-]+")


class NotFoundError(ResupplyError):
    """The object asked for does not exist, or is not the asker's to see (same answer)."""


@dataclass(frozen=True)
class ScenarioVersion:
    """One stored version of a scenario (without its text)."""

    id: int
    name: str
    version: int
    filename: str
    scenario_hash: str
    uploaded_by: str
    created_at: dt.datetime


def safe_filename(filename: str) -> str:
    """The uploaded file's name, reduced to a safe base name (``scenario.yaml`` if none)."""
    base = SAFE_NAME.sub("_", Path(filename or "").name)[:200].strip("._")
    return base or "scenario.yaml"


def validate(raw: bytes, filename: str) -> Scenario:
    """The scenario in ``raw``; `ScenarioError` with every located issue when invalid."""
    name = safe_filename(filename)
    data, where = parse_bytes(raw, name, as_json=name.lower().endswith(".json"))
    return validate_data(data, where)


def upload(ws: Workspace, raw: bytes, filename: str, actor: str) -> ScenarioVersion:
    """Validate and store ``raw`` as the next version of its scenario; audited."""
    scenario = validate(raw, filename)
    name, fname = scenario.name, safe_filename(filename)
    text, digest = raw.decode("utf-8-sig"), scenario_hash(scenario)

    def work(conn: Connection) -> ScenarioVersion:
        last = conn.execute(select(func.max(SCENARIOS.c.version)).where(
            SCENARIOS.c.name == name)).scalar()
        version, now = int(last or 0) + 1, utcnow()
        result = conn.execute(insert(SCENARIOS).values(
            name=name, version=version, filename=fname, content=text, scenario_hash=digest,
            uploaded_by=actor, created_at=now))
        row_id = int(result.inserted_primary_key[0])  # type: ignore[index]
        stored = ScenarioVersion(row_id, name, version, fname, digest, actor, now)
        audit.log(conn, actor, "scenario.upload", f"scenario {name} v{version}",
                  after={"id": row_id, "name": name, "version": version, "hash": digest})
        return stored

    return ws.write(work)


def _version(r: Row[Any]) -> ScenarioVersion:
    return ScenarioVersion(r.id, r.name, r.version, r.filename, r.scenario_hash,
                           r.uploaded_by, as_utc(r.created_at))


_COLUMNS = [SCENARIOS.c[c] for c in ("id", "name", "version", "filename", "scenario_hash",
                                     "uploaded_by", "created_at")]


def latest_versions(ws: Workspace) -> list[ScenarioVersion]:
    """The newest version of every scenario, by name."""
    newest = select(SCENARIOS.c.name, func.max(SCENARIOS.c.version).label("v")).group_by(
        SCENARIOS.c.name).subquery()
    query = select(*_COLUMNS).join(newest, (SCENARIOS.c.name == newest.c.name)
                                   & (SCENARIOS.c.version == newest.c.v)).order_by(
        SCENARIOS.c.name)
    with ws.read() as conn:
        return [_version(r) for r in conn.execute(query)]


def versions(ws: Workspace, name: str) -> list[ScenarioVersion]:
    """Every version of scenario ``name``, newest first; `NotFoundError` when there is none."""
    with ws.read() as conn:
        rows = conn.execute(select(*_COLUMNS).where(SCENARIOS.c.name == name).order_by(
            SCENARIOS.c.version.desc())).all()
    if not rows:
        raise NotFoundError(f"no scenario {name!r}; GET /api/v1/scenarios lists them")
    return [_version(r) for r in rows]


def find(ws: Workspace, name: str, version: int | None) -> tuple[ScenarioVersion, str]:
    """A version (the newest when ``version`` is None) and its text."""
    chosen = versions(ws, name)
    match = chosen[0] if version is None else next(
        (v for v in chosen if v.version == version), None)
    if match is None:
        raise NotFoundError(f"scenario {name!r} has no version {version}; it has "
                       f"{', '.join(str(v.version) for v in chosen)}")
    return match, text_of(ws, match.id)


def text_of(ws: Workspace, scenario_id: int) -> str:
    """The uploaded text of a stored version."""
    with ws.read() as conn:
        text = conn.execute(select(SCENARIOS.c.content).where(
            SCENARIOS.c.id == scenario_id)).scalar()
    if text is None:
        raise NotFoundError(f"no stored scenario version {scenario_id}")
    return str(text)
