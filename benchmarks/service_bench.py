"""Service benchmark: ledger reads and plan submissions against `resupply serve` on loopback.

Usage::

    python benchmarks/service_bench.py --out benchmarks/results/service.json

A server process (uvicorn, one worker, jobs not run so that only the answer is timed) is
started on 127.0.0.1 on a fresh PostgreSQL schema of ``$RESUPPLY_BENCH_POSTGRES_URL``
(default ``postgresql+psycopg://postgres@127.0.0.1:5432/test``; dropped afterwards) or, with
``--db sqlite``, a SQLite file; ``--workers`` server processes (default 1). Seed: tiny
uploaded, a coordinator and donors east and west, ``--pledges`` pledges per donor. Load:
``--clients`` threads with keep-alive connections,
``--requests`` in all (bounded), each a donor's ``GET /api/v1/ledger/pledges?limit=100``
(what the ledger page reads); then ``--plans`` plan submissions, one at a time.

Targets (issue 12): ledger reads >= 500 requests/s with p99 < 100 ms; a plan submission
answered in < 200 ms. The load generator runs on the same 2 cores as the server, so the
figures are a lower bound of what the server alone would do.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx

TARGET_RPS = 500.0
TARGET_P99_MS = 100.0
TARGET_SUBMIT_MS = 200.0
PG_DEFAULT = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


@contextmanager
def database(kind: str, folder: Path) -> Iterator[str]:
    """A database URL for the run (a PostgreSQL schema dropped afterwards, or a file)."""
    if kind == "sqlite":
        yield f"sqlite:///{folder / 'bench.db'}"
        return
    import psycopg

    base = os.environ.get("RESUPPLY_BENCH_POSTGRES_URL", PG_DEFAULT)
    schema = f"bench_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(base.replace("+psycopg", ""), autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")
    try:
        yield f"{base}?options=-csearch_path%3D{schema}"
    finally:
        with psycopg.connect(base.replace("+psycopg", ""), autocommit=True) as conn:
            conn.execute(f"DROP SCHEMA {schema} CASCADE")


def seed(url: str, pledges: int) -> dict[str, str]:
    """Accounts, tiny, and ``pledges`` pledges per donor; the tokens."""
    import datetime as dt

    from resupply.domain.load import bundled_text
    from resupply.service import accounts
    from resupply.service import scenarios as stored
    from resupply.service.roles import Role
    from resupply.service.workspace import Workspace
    from resupply.store import Event, EventKind

    ws = Workspace.open(url)
    try:
        stored.upload(ws, bundled_text("tiny").encode(), "tiny.yaml", "bench")
        tokens = {}
        for user, role in (("coordinator", "coordinator"), ("east", "donor:east"),
                           ("west", "donor:west")):
            accounts.add_user(ws, user, Role.parse(role), "bench-password")
            tokens[user] = accounts.create_token(ws, user, "bench")[1]
        day = dt.date(2022, 6, 1)
        ws.store.append([Event(f"{d}-{n}", EventKind.COMMITTED, d, "m795", 10.0 + n, day,
                               "bench", due=day) for d in ("east", "west")
                         for n in range(pledges)])
    finally:
        ws.close()
    return tokens


SERVE = """
import sys, uvicorn
uvicorn.run("resupply.service.app:from_environment", factory=True, host="127.0.0.1",
            port=int(sys.argv[1]), workers=int(sys.argv[2]), log_level="warning",
            access_log=False)
"""


@contextmanager
def server(url: str, folder: Path, workers: int) -> Iterator[str]:
    """A server (``workers`` processes) on a free loopback port; stopped afterwards."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    from resupply.service.app import SETTINGS_ENV

    settings = {"db": url, "workdir": str(folder), "run_jobs": False,
                "limits": {"jobs_per_user": 10**6}}
    process = subprocess.Popen([sys.executable, "-c", SERVE, str(port), str(workers)],
                               env={**os.environ, "PYTHONUNBUFFERED": "1",
                                    SETTINGS_ENV: json.dumps(settings)})
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):
            try:
                httpx.get(f"{base}/openapi.json", timeout=1.0)
                break
            except httpx.TransportError:
                time.sleep(0.1)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=30)


def percentile(values: list[float], q: float) -> float:
    """The q-quantile (nearest rank) of ``values``."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * len(ordered)) - 1))]


def read_load(base: str, token: str, requests: int, clients: int) -> dict[str, Any]:
    """``requests`` ledger reads from ``clients`` threads; rate and latency."""
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    each = requests // clients

    def work() -> None:
        with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token}"},
                          timeout=30.0) as client:
            mine = []
            for _ in range(each):
                start = time.perf_counter()
                answer = client.get("/api/v1/ledger/pledges?limit=100")
                mine.append(time.perf_counter() - start)
                if answer.status_code != 200:
                    errors[0] += 1
            with lock:
                latencies.extend(mine)

    threads = [threading.Thread(target=work) for _ in range(clients)]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - start
    return {"requests": len(latencies), "clients": clients, "errors": errors[0],
            "wall_s": wall, "rps": len(latencies) / wall,
            "p50_ms": 1000 * percentile(latencies, 0.50),
            "p99_ms": 1000 * percentile(latencies, 0.99),
            "max_ms": 1000 * max(latencies)}


def submissions(base: str, token: str, plans: int) -> dict[str, Any]:
    """``plans`` plan submissions one after another; answer times."""
    times = []
    with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token}"},
                      timeout=30.0) as client:
        for _ in range(plans):
            start = time.perf_counter()
            answer = client.post("/api/v1/jobs/plan", json={"scenario": "tiny"})
            times.append(time.perf_counter() - start)
            assert answer.status_code == 202, answer.text
    return {"plans": plans, "p50_ms": 1000 * percentile(times, 0.5),
            "max_ms": 1000 * max(times)}


def main() -> None:
    """Run and write the JSON record."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=["postgresql", "sqlite"], default="postgresql")
    parser.add_argument("--pledges", type=int, default=50)
    parser.add_argument("--requests", type=int, default=4000)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--plans", type=int, default=20)
    parser.add_argument("--workers", type=int, default=1, help="Server processes.")
    parser.add_argument("--out", type=Path, default=Path("benchmarks/results/service.json"))
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp, database(args.db, Path(tmp)) as url:
        tokens = seed(url, args.pledges)
        with server(url, Path(tmp) / "work", args.workers) as base:
            read_load(base, tokens["east"], 200, 2)  # warm-up
            reads = read_load(base, tokens["east"], args.requests, args.clients)
            submit = submissions(base, tokens["coordinator"], args.plans)
    record = {"db": args.db, "workers": args.workers, "pledges_per_donor": args.pledges,
              "reads": reads, "submit": submit, "load_average": os.getloadavg(),
              "targets": {"rps": TARGET_RPS, "p99_ms": TARGET_P99_MS,
                          "submit_ms": TARGET_SUBMIT_MS},
              "met": {"rps": reads["rps"] >= TARGET_RPS, "p99": reads["p99_ms"] < TARGET_P99_MS,
                      "submit": submit["max_ms"] < TARGET_SUBMIT_MS}}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(record, indent=2) + "\n")
    print(json.dumps(record, indent=2))


if __name__ == "__main__":
    main()
