"""The batcher: a quiet period and a max wait, driven by a fake clock (no sleeps)."""

from __future__ import annotations

import pytest

from plonedev.watch.debounce import Batcher


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


def test_nothing_pending_has_no_timeout(clock: FakeClock) -> None:
    batcher: Batcher[str] = Batcher(0.3, 2.0, clock)
    assert batcher.timeout() is None
    assert batcher.take() == []
    batcher.add([])  # an empty read from the watcher starts nothing
    assert batcher.timeout() is None


def test_a_batch_is_due_after_the_quiet_period(clock: FakeClock) -> None:
    batcher: Batcher[str] = Batcher(0.3, 2.0, clock)
    batcher.add(["a.py"])
    assert batcher.timeout() == pytest.approx(0.3)
    clock.advance(0.29)
    assert batcher.take() == []
    clock.advance(0.01)
    assert batcher.timeout() == 0.0
    assert batcher.take() == ["a.py"]
    assert batcher.timeout() is None
    assert batcher.take() == []


def test_each_new_item_restarts_the_quiet_period(clock: FakeClock) -> None:
    batcher: Batcher[str] = Batcher(0.3, 2.0, clock)
    batcher.add(["a.py"])
    clock.advance(0.2)
    batcher.add(["b.py"])
    clock.advance(0.2)
    assert batcher.take() == []  # 0.4 s after a.py, but only 0.2 s after b.py
    assert batcher.timeout() == pytest.approx(0.1)
    clock.advance(0.1)
    assert batcher.take() == ["a.py", "b.py"]


def test_repeats_are_folded_and_keep_their_first_place(clock: FakeClock) -> None:
    batcher: Batcher[str] = Batcher(0.3, 2.0, clock)
    batcher.add(["a.py", "b.py", "a.py"])
    batcher.add(["c.py", "b.py"])
    assert len(batcher) == 3
    clock.advance(0.3)
    assert batcher.take() == ["a.py", "b.py", "c.py"]


def test_a_stream_that_never_pauses_still_flushes_at_max_wait(clock: FakeClock) -> None:
    batcher: Batcher[int] = Batcher(0.3, 2.0, clock)
    taken: list[list[int]] = []
    for tick in range(100):  # a change every 1/8 s (exact in binary) for 12.5 s
        batcher.add([tick])
        batch = batcher.take()
        if batch:
            taken.append(batch)
        clock.advance(0.125)
    # Every 2 s (16 ticks after a batch's first item), although it was never quiet.
    assert [len(batch) for batch in taken] == [17] * 5
    assert taken[0][0] == 0
    # No item lost, none twice.
    rest = batcher.flush()
    assert sorted(i for batch in [*taken, rest] for i in batch) == list(range(100))


def test_the_timeout_counts_down_to_the_max_wait(clock: FakeClock) -> None:
    batcher: Batcher[int] = Batcher(0.3, 1.0, clock)
    batcher.add([1])
    clock.advance(0.25)
    batcher.add([2])
    clock.advance(0.25)
    batcher.add([3])
    clock.advance(0.25)
    batcher.add([4])
    assert batcher.timeout() == pytest.approx(0.25)  # max wait, before the quiet period
    clock.advance(0.25)
    assert batcher.take() == [1, 2, 3, 4]


def test_flush_takes_a_batch_that_is_not_due(clock: FakeClock) -> None:
    batcher: Batcher[str] = Batcher(0.3, 2.0, clock)
    batcher.add(["a"])
    assert batcher.flush() == ["a"]
    assert batcher.timeout() is None


def test_bad_settings_are_refused() -> None:
    with pytest.raises(ValueError):
        Batcher(0.0, 1.0)
    with pytest.raises(ValueError):
        Batcher(0.5, 0.2)


def test_a_small_group_after_a_quiet_period_is_due_at_once(clock: FakeClock) -> None:
    batcher: Batcher[str] = Batcher(0.3, 2.0, clock, leading=3)
    batcher.add(["a.py", ".a.py.tmp", "a.py"])  # one save: a repeat is one item
    assert batcher.timeout() == 0.0
    assert batcher.take() == ["a.py", ".a.py.tmp"]


def test_what_follows_a_leading_batch_within_quiet_waits(clock: FakeClock) -> None:
    batcher: Batcher[str] = Batcher(0.3, 2.0, clock, leading=3)
    batcher.add(["a.py"])
    assert batcher.take() == ["a.py"]
    clock.advance(0.1)
    batcher.add(["b.py"])
    assert batcher.timeout() == pytest.approx(0.3)
    clock.advance(0.3)
    assert batcher.take() == ["b.py"]
    clock.advance(0.3)
    batcher.add(["c.py"])  # quiet again: a new leading edge
    assert batcher.take() == ["c.py"]


def test_a_big_group_or_a_second_group_is_a_burst(clock: FakeClock) -> None:
    batcher: Batcher[str] = Batcher(0.3, 2.0, clock, leading=3)
    batcher.add([f"f{i}.py" for i in range(4)])
    assert batcher.timeout() == pytest.approx(0.3)
    batcher.flush()
    clock.advance(1.0)
    batcher.add(["a.py"])
    batcher.add(["b.py"])  # before the first was taken: no longer a lone save
    assert batcher.timeout() == pytest.approx(0.3)


def test_leading_zero_always_waits_for_quiet(clock: FakeClock) -> None:
    batcher: Batcher[str] = Batcher(0.3, 2.0, clock)
    batcher.add(["a.py"])
    assert batcher.timeout() == pytest.approx(0.3)
