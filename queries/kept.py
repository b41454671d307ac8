"""What a store keeps of its settled content: values computed once per content generation.

``KeptValues`` is the one cache behind every store's ``settled(compute, key, weigh)``. A value
is computed once per key (one computation at a time: others asking meanwhile wait for it) and
kept until the content changes (another ``generation``). Most values are few per generation
(the snapshot, each measure's scores, statistics) and are kept without a bound; values there
are many of (an answer per fund and parameters) carry a weight and share a budget, the least
recently asked dropped first.

What is kept lives as long as its generation, so it is frozen out of the cyclic collector's
view when kept (``gc.freeze``), as ``innograph serve`` freezes the graph it loads: else every
full collection walks it all, with every request in flight paused: 1.5 s for the objects of
the 100k-node generated graph (the Neo4j store's snapshot, read for the first /changes by a
server started with --no-warm-up, was never frozen: requests of bench/time_queries' later
path load took up to 0.58 s); 0.3 s for 300 funds' backing answers.

``KeptAnswer`` is an answer kept that way: the same object is handed to everyone who asks, so
it must not be changed, and its JSON text is written once (``encoded``) and then served as
is: a fund's backing answer runs to hundreds of KiB.
"""

from __future__ import annotations

import gc
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

T = TypeVar("T")
#: The budget of a store's weighted values, in KiB: 100 MiB, 20,000 chains of backing answers
#: (``queries.backing.kept_weight``), those of 600 funds of the 100k-node generated graph.
KEPT_KIB = 100 * 1024
#: Weighs a value for the bound: its weight, or None to keep nothing (e.g. a partial answer
#: that asking again may complete).
Weigh = Callable[[Any], "int | None"]


class KeptAnswer(dict):
    """A JSON answer kept for asking again: read-only by contract (every caller gets the same
    object), with its encodings (by the writer's options) kept beside it."""

    __slots__ = ("_encoded",)

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self._encoded: dict[Hashable, bytes] = {}

    def encoded(self, options: Hashable, encode: Callable[[KeptAnswer], bytes | None]
                ) -> bytes | None:
        """``encode(self)``, written once per ``options`` (None is not kept: the writer
        declined and another writes it each time)."""
        found = self._encoded.get(options)
        if found is None:
            found = encode(self)
            if found is not None:
                self._encoded[options] = found  # two threads may both write: same bytes
        return found


class KeptValues:
    """Values of one content generation by key; weighted ones within ``budget``."""

    def __init__(self, budget: int):
        self.budget = budget
        self.held = 0  # the weight of the weighted values kept
        self._generation: Hashable = None
        self._fixed: dict[Hashable, Any] = {}
        self._weighted: OrderedDict[Hashable, tuple[Any, int]] = OrderedDict()
        self._lock = threading.Lock()
        self._computing: dict[tuple[Hashable, Hashable], threading.Lock] = {}
        self._owners: dict[tuple[Hashable, Hashable], int] = {}  # the thread computing each

    def value(self, generation: Hashable, key: Hashable, compute: Callable[[], T],
              weigh: Weigh | None = None) -> T:
        """The value kept for ``key`` in ``generation``, else ``compute()`` kept: without
        a bound when ``weigh`` is None, else within the budget (what it does not fit, or
        what ``weigh`` says not to keep, is returned and not kept)."""
        found = self._get(generation, key)
        if found is not _MISSING:
            return found
        slot = (generation, key)
        me = threading.get_ident()
        with self._lock:
            if self._owners.get(slot) == me:
                # its own computation asks for it again: waiting would never end (a store's
                # dated snapshot, kept again by the query service under the same key, hung so)
                raise RecursionError(f"{key!r} was asked for while it is being computed")
            computing = self._computing.setdefault(slot, threading.Lock())
        # one computation per key at a time: a request that gave up waiting (the API's time
        # limit) leaves its worker computing; the next ones wait for that value instead of
        # each computing it again
        with computing:
            found = self._get(generation, key)
            if found is not _MISSING:
                return found
            self._owners[slot] = me
            try:
                value = compute()
                self._put(generation, key, value, weigh)
            finally:
                with self._lock:
                    self._computing.pop(slot, None)
                    self._owners.pop(slot, None)
        return value

    def keys(self) -> list[Hashable]:
        """The keys of the values kept (of the last generation that kept one)."""
        with self._lock:
            return [*self._fixed, *self._weighted]

    def clear(self) -> None:
        with self._lock:
            self._fixed.clear()
            self._weighted.clear()
            self.held = 0

    def _get(self, generation: Hashable, key: Hashable) -> Any:
        with self._lock:
            if generation != self._generation:
                return _MISSING
            found = self._fixed.get(key, _MISSING)
            if found is _MISSING and key in self._weighted:
                self._weighted.move_to_end(key)
                found = self._weighted[key][0]
            return found

    def _put(self, generation: Hashable, key: Hashable, value: Any, weigh: Weigh | None
             ) -> None:
        weight = weigh(value) if weigh is not None else None
        if weigh is not None and (weight is None or weight > self.budget):
            return
        with self._lock:
            if generation != self._generation:  # another generation's values: never asked
                self._fixed.clear()              # again
                self._weighted.clear()
                self.held = 0
                self._generation = generation
            if weight is None:
                self._fixed[key] = value
            elif key not in self._weighted:
                self._weighted[key] = (value, weight)
                self.held += weight
                while self.held > self.budget:
                    _, (_, dropped) = self._weighted.popitem(last=False)
                    self.held -= dropped
        gc.freeze()  # one move of the collector's lists, whatever their size


_MISSING: Any = object()
