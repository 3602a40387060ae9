"""Group a stream of items into batches: a batch is due after a quiet period.

An editor's save, a `git checkout` or a formatter run is many file events within a few
milliseconds; handling them one by one would restart a service many times. The batch
is due once nothing new arrived for `quiet` seconds, or `max_wait` seconds after its
first item, so a stream that never pauses (a build writing files) still flushes.

The clock is injected, so tests drive time by hand and never sleep.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Hashable, Iterable
from typing import Generic, TypeVar

Clock = Callable[[], float]
T = TypeVar("T", bound=Hashable)


class Batcher(Generic[T]):
    def __init__(
        self, quiet: float = 0.3, max_wait: float = 2.0, clock: Clock = time.monotonic
    ) -> None:
        if quiet <= 0 or max_wait < quiet:
            raise ValueError("need 0 < quiet <= max_wait")
        self.quiet = quiet
        self.max_wait = max_wait
        self._clock = clock
        self._items: dict[T, None] = {}  # insertion-ordered set: a repeat keeps its place
        self._first = 0.0
        self._last = 0.0

    def __len__(self) -> int:
        return len(self._items)

    def add(self, items: Iterable[T]) -> None:
        """Add items; an empty iterable changes nothing (does not extend the quiet period)."""
        now: float | None = None
        for item in items:
            if now is None:
                now = self._clock()
                if not self._items:
                    self._first = now
                self._last = now
            self._items[item] = None

    def timeout(self) -> float | None:
        """Seconds until the pending batch is due (0 when it is); None when nothing is pending."""
        if not self._items:
            return None
        now = self._clock()
        due = min(self._last + self.quiet, self._first + self.max_wait)
        return max(due - now, 0.0)

    def take(self) -> list[T]:
        """The pending batch if it is due (and forget it), else an empty list."""
        if self.timeout() != 0.0:
            return []
        return self.flush()

    def flush(self) -> list[T]:
        """The pending items, due or not, in the order they first arrived."""
        items = list(self._items)
        self._items.clear()
        return items
