"""Each registered runtime is whole, and an unknown name is one line."""

from __future__ import annotations

from pathlib import Path

import pytest

from plonedev.errors import PlonedevError
from plonedev.project_setup.find_project import open_project
from plonedev.runtime.engine_probe import EngineProbe
from plonedev.runtime.select import Resolution
from plonedev.runtimes.kind import RuntimeKind
from plonedev.runtimes.registry import RUNTIMES, running_in, runtime_kind
from tests.conftest import write_pyproject


@pytest.mark.parametrize("name", sorted(RUNTIMES))
def test_each_runtime_provides_every_capability(name: str, tmp_path: Path) -> None:
    kind = runtime_kind(name)
    # runtime_checkable: every attribute and method of the protocol is there.
    assert isinstance(kind, RuntimeKind) and kind.name == name
    write_pyproject(tmp_path, 'name = "shop"\n')
    context = open_project(tmp_path)
    running = running_in(context, Resolution(name, "test"))
    assert running.runtime.name == name
    assert kind.environment(context).description
    executor = kind.watcher(running)
    assert executor.runtime.name == name
    (finding,) = kind.findings(context, EngineProbe(False, "", "no engine"))
    assert finding[0] == "docker compose" and finding[3] == (name == "docker")  # required


def test_an_unknown_runtime_is_one_line_naming_the_known_ones() -> None:
    with pytest.raises(PlonedevError) as raised:
        runtime_kind("podman")
    assert str(raised.value) == "unknown runtime 'podman' (use one of native, docker)"
