"""Request-size limit (413) as ASGI middleware, and the login rate limiter (429).

The body limit is checked on ``Content-Length`` before anything is read, and on the bytes
actually received for a chunked body, so that no handler ever holds more than the limit.
"""

from __future__ import annotations

import json
import threading
import time
from collections import deque
from collections.abc import Callable

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from resupply.service.errors import RateLimitedError


class BodyTooLargeError(Exception):
    """Raised inside `receive` when a chunked body passes the limit."""


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
        seen = 0
        started = False

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > self.max_bytes:
                raise BodyTooLargeError
            return message

        async def tracked(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counted, tracked)
        except BodyTooLargeError:
            if not started:
                await self._refuse(send)

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
