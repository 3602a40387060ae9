"""The one streaming runner: lines reach the progress callback as the tool prints them,
and a failure carries the tool's last lines, not only its exit code."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from plonedev.errors import PlonedevError
from plonedev.streaming import SHOWN_LINES, ToolFailed, follow, last_lines, run_streaming

# Prints 30 numbered lines (some to stderr, one blank), then fails with exit 3.
_FAILING = (
    "import sys\n"
    "for i in range(1, 31):\n"
    "    print(f'line {i}', file=sys.stderr if i % 2 else sys.stdout, flush=True)\n"
    "print('', flush=True)\n"
    "sys.exit(3)\n"
)


def test_the_callback_sees_each_line_and_the_output_is_returned(tmp_path: Path) -> None:
    seen: list[str] = []
    code = "print('one'); print(); print('two', flush=True)"
    output = run_streaming(
        [sys.executable, "-c", code], cwd=tmp_path, what="x", hint="", on_line=seen.append
    )
    assert seen == ["one", "two"]  # blank lines are no progress
    assert output.splitlines() == ["one", "", "two"]


def test_a_failure_carries_the_last_lines_and_the_hint_from_the_output(tmp_path: Path) -> None:
    seen: list[str] = []
    with pytest.raises(ToolFailed) as caught:
        run_streaming(
            [sys.executable, "-c", _FAILING],
            cwd=tmp_path,
            what="the tool installing things",
            hint=lambda output: "saw the end" if "line 30" in output else "no",
            on_line=seen.append,
        )
    error = caught.value
    assert error.message == "the tool installing things failed (exit 3)"
    assert error.returncode == 3
    assert error.hint == "saw the end"
    shown = [line.strip() for line in error.details.splitlines()]
    assert shown == [f"line {i}" for i in range(31 - SHOWN_LINES, 31)]  # stderr included
    assert seen == [f"line {i}" for i in range(1, 31)]


def test_a_program_that_cannot_start(tmp_path: Path) -> None:
    with pytest.raises(PlonedevError) as caught:
        run_streaming(
            [str(tmp_path / "no-such-tool")], cwd=tmp_path, what="pnpm install", hint="fix"
        )
    assert caught.value.message.startswith("pnpm install: cannot run ")
    assert caught.value.hint == "fix"


def test_the_error_boundary_prints_the_last_lines_above_the_one_line_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from plonedev import ui

    with pytest.raises(ToolFailed) as caught:
        run_streaming([sys.executable, "-c", _FAILING], cwd=tmp_path, what="uv", hint="fix it")
    ui.print_error(caught.value)
    lines = capsys.readouterr().err.strip().splitlines()
    assert [line.strip() for line in lines[:-1]][-1] == "line 30"
    assert len(lines) == SHOWN_LINES + 1
    assert lines[-1] == "Error: uv failed (exit 3) — fix it"


def test_follow_keeps_what_came_before_a_stream_that_fails() -> None:
    # python-on-whales raises from inside the iteration when docker exits non-zero.
    def stream() -> Iterator[str]:
        yield "step 1  \n"
        yield "   \n"
        yield "step 2\n"
        raise RuntimeError("docker failed")

    seen: list[str] = []
    output: list[str] = []
    with pytest.raises(RuntimeError):
        follow(stream(), seen.append, output)
    assert output == ["step 1", "", "step 2"]
    assert seen == ["step 1", "step 2"]


def test_last_lines_are_the_end_without_blank_lines() -> None:
    lines = [f"line {i}" for i in range(SHOWN_LINES + 5)] + ["  ", ""]
    assert last_lines(lines) == lines[5:-2]
    assert last_lines(["a", " ", "b"], count=1) == ["b"]
