"""Group a stream of items into batches: at once for a lone save, after a quiet period
for a burst.

A `git checkout` or a formatter run is many file events within a few milliseconds;
handling them one by one would restart a service many times. Such a batch is due once
nothing new arrived for `quiet` seconds, or `max_wait` seconds after its first item, so
a stream that never pauses (a build writing files) still flushes.

A save in an editor is one small group (the watcher already folds an editor's temporary
file, rename or truncate-then-write into one group of a few events), and the developer
waits for it: a group of at most `leading` items that arrives after a quiet period is
due at once (a leading edge). What follows it within the quiet period is a burst, and
waits as above.

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
        self,
        quiet: float = 0.3,
        max_wait: float = 2.0,
        clock: Clock = time.monotonic,
        *,
        leading: int = 0,
    ) -> None:
        if quiet <= 0 or max_wait < quiet or leading < 0:
            raise ValueError("need 0 < quiet <= max_wait and leading >= 0")
        self.quiet = quiet
        self.max_wait = max_wait
        self.leading = leading
        self._clock = clock
        self._items: dict[T, None] = {}  # insertion-ordered set: a repeat keeps its place
        self._first = 0.0
        self._last = float("-inf")  # no item yet: the first one comes after a quiet period
        self._due_now = False

    def __len__(self) -> int:
        return len(self._items)

    def add(self, items: Iterable[T]) -> None:
        """Add items; an empty iterable changes nothing (does not extend the quiet period)."""
        group = list(dict.fromkeys(items))
        if not group:
            return
        now = self._clock()
        after_quiet = not self._items and now - self._last >= self.quiet
        if not self._items:
            self._first = now
        self._last = now
        self._items.update(dict.fromkeys(group))
        # A lone small group is due at once; anything more (even the same group again
        # before it was taken) makes the batch a burst.
        self._due_now = after_quiet and len(group) <= self.leading

    def timeout(self) -> float | None:
        """Seconds until the pending batch is due (0 when it is); None when nothing is pending."""
        if not self._items:
            return None
        if self._due_now:
            return 0.0
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
        self._due_now = False
        return items
