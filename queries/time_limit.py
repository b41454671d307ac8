"""A request's time limit, where the store that runs its statements can read it.

``QueryRunner`` (api/querying.py) runs a lookup on the request's own thread inside
``time_limit``; a store whose statements run elsewhere (Neo4j) gives each one the seconds left
as its timeout, so the server stops the work at the limit rather than finish it for a client
that was already answered 503.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

_DEADLINE: ContextVar[float | None] = ContextVar("innograph_deadline", default=None)


@contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    """The work inside has ``seconds`` (``seconds_left`` counts them down)."""
    token = _DEADLINE.set(time.monotonic() + seconds)
    try:
        yield
    finally:
        _DEADLINE.reset(token)


def seconds_left() -> float | None:
    """Seconds left of the current time limit (0 or less: past it); None outside one."""
    deadline = _DEADLINE.get()
    return None if deadline is None else deadline - time.monotonic()
