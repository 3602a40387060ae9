"""The line a user reads per action, and the traceback shown when a start fails."""

from __future__ import annotations

from pathlib import Path

from plonedev.watch.outcome import ActionOutcome, describe, traceback_tail

ROOT = Path("/p")
PKG = ROOT / "sources" / "demo" / "src" / "demo"


def test_a_line_names_the_service_what_was_done_how_long_and_why() -> None:
    outcome = ActionOutcome(
        "backend", True, "reloaded 2 modules", 0.31, (PKG / "a.py", PKG / "b.py")
    )
    assert describe(outcome, ROOT) == (
        "backend: reloaded 2 modules in 0.3 s — sources/demo/src/demo/a.py, "
        "sources/demo/src/demo/b.py"
    )


def test_many_triggers_are_counted_not_listed() -> None:
    triggers = tuple(PKG / f"m{i}.py" for i in range(500))
    line = describe(ActionOutcome("backend", True, "restarted", 2.5, triggers), ROOT)
    assert line.endswith("sources/demo/src/demo/m2.py and 497 more")
    assert "m3.py" not in line


def test_a_failure_carries_its_hint() -> None:
    outcome = ActionOutcome("project", False, "configuration not applied", 0.01, (), hint="fix it")
    assert describe(outcome, ROOT) == "project: configuration not applied in 0.01 s (fix it)"


def test_a_reload_of_a_few_milliseconds_still_says_how_long() -> None:
    outcome = ActionOutcome("backend", True, "reloaded 1 module", 0.012, (PKG / "a.py",))
    assert describe(outcome, ROOT) == (
        "backend: reloaded 1 module in 0.01 s — sources/demo/src/demo/a.py"
    )


def test_the_tail_starts_at_the_last_traceback() -> None:
    log = [
        "Traceback (most recent call last):",
        "  an older one",
        "OldError",
        "--- plonedev: starting backend: runwsgi",
        "Traceback (most recent call last):",
        '  File "greeting.py", line 1',
        "SyntaxError: invalid syntax",
    ]
    assert traceback_tail(log) == (
        'Traceback (most recent call last):\n  File "greeting.py", line 1\n'
        "SyntaxError: invalid syntax"
    )


def test_without_a_traceback_the_last_lines_are_shown() -> None:
    log = [f"line {i}" for i in range(30)]
    assert traceback_tail(log, max_lines=3) == "line 27\nline 28\nline 29"
