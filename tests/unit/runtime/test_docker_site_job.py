"""`up` says "site created" only when the site job created the site in this run."""

from __future__ import annotations

from pathlib import Path

from plonedev.paths import ProjectPaths
from plonedev.runtime.docker import DockerRuntime
from plonedev.runtime.protocol import SITE_CREATED


class _Engine:
    """Only the container log, as the engine keeps it across the runs of one container."""

    def __init__(self, lines: list[str]) -> None:
        self.lines = lines

    def logs(self, container_id: str, tail: int) -> list[str]:
        return self.lines[-tail:]


def _job_done(tmp_path: Path, lines: list[str]):  # type: ignore[no-untyped-def]
    runtime = DockerRuntime(ProjectPaths(tmp_path), engine=_Engine(lines))  # type: ignore[arg-type]
    return runtime._job_done("site", "c1", 1.0)


def test_the_run_that_created_the_site_says_so(tmp_path: Path) -> None:
    event = _job_done(tmp_path, ["Redefining mime type", "plonedev-site: created Plone in 3.2 s"])
    assert event is not None
    assert (event.action, event.detail, event.seconds) == (SITE_CREATED, "Plone", 3.2)


def test_a_later_run_that_found_the_site_says_nothing(tmp_path: Path) -> None:
    lines = [
        "plonedev-site: created Plone in 3.2 s",  # the first `up`'s run, still in the log
        "Redefining mime type",
        "plonedev-site: exists Plone",
    ]
    assert _job_done(tmp_path, lines) is None
