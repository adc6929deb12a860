"""Request-size limit (413) as ASGI middleware, and the login rate limiter (429).

The body limit is checked on ``Content-Length`` before anything is read; a body without one
(chunked) is read up to the limit before the handler runs, so that no handler ever holds
more than the limit.
"""

from __future__ import annotations

import json
import threading
import time
from collections import deque
from collections.abc import Callable

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from resupply.service.errors import RateLimitedError


class BodyLimit:
    """Answer 413 to any request whose body is over ``max_bytes``."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app, self.max_bytes = app, max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers", [])).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > self.max_bytes):
            await self._refuse(send)
            return
        if declared is None and scope.get("method") not in {"GET", "HEAD", "OPTIONS"}:
            body = await self._read_bounded(receive)
            if body is None:
                await self._refuse(send)
                return
            receive = _replay(body)
        await self.app(scope, receive, send)

    async def _read_bounded(self, receive: Receive) -> bytes | None:
        """A body without Content-Length, read whole; None as soon as it passes the limit."""
        parts, seen, more = [], 0, True
        while more:
            message = await receive()
            chunk = message.get("body", b"")
            seen += len(chunk)
            if seen > self.max_bytes:
                return None
            parts.append(chunk)
            more = message.get("more_body", False)
        return b"".join(parts)

    async def _refuse(self, send: Send) -> None:
        body = json.dumps({"detail": f"request body too large: the limit is "
                           f"{self.max_bytes:,} bytes", "issues": []}).encode()
        await send({"type": "http.response.start", "status": 413,
                    "headers": [(b"content-type", b"application/json"),
                                (b"content-length", str(len(body)).encode())]})
        await send({"type": "http.response.body", "body": body})


class LoginLimiter:
    """At most ``attempts`` failed logins per key (username, client address) per window."""

    def __init__(self, attempts: int, window_s: float,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.attempts, self.window_s, self.clock = attempts, window_s, clock
        self._failures: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def check(self, *keys: str) -> None:
        """`RateLimitedError` when any key has used up its attempts."""
        now = self.clock()
        with self._lock:
            for key in keys:
                times = self._failures.get(key)
                while times and now - times[0] > self.window_s:
                    times.popleft()
                if times is not None and len(times) >= self.attempts:
                    wait = self.window_s - (now - times[0])
                    raise RateLimitedError(f"too many failed logins; try again in {wait:.0f} s")

    def failed(self, *keys: str) -> None:
        """Count one failed attempt against each key."""
        now = self.clock()
        with self._lock:
            for key in keys:
                self._failures.setdefault(key, deque()).append(now)


def _replay(body: bytes) -> Receive:
    """A `receive` that hands over an already-read body once."""
    sent = False

    async def receive() -> Message:
        nonlocal sent
        if sent:
            return {"type": "http.disconnect"}
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return receive
