"""doctor's findings for a machine that lacks something, each with its fix (a port taken
by another program and bad config: tests/unit/test_cli_errors.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from plonedev import model_builder
from plonedev.commands.doctor import Check, DoctorResult, doctor
from plonedev.runtimes import native as native_module
from tests.unit.commands.conftest import FakeProject

VARNISH_HINT = "not found (apt-get install varnish)"
POSTGRES_HINT = "not found (Debian: apt-get install postgresql)"


@pytest.fixture
def machine(fake: FakeProject, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> FakeProject:
    """No Docker engine; the fake site listens on the backend port, as the backend would."""
    monkeypatch.setenv("DOCKER_HOST", f"unix://{tmp_path}/no-docker.sock")
    fake.runtime.alive = {"backend"}
    return fake


def checks(result: DoctorResult) -> dict[str, Check]:
    return {check.name: check for check in result.checks}


def test_a_native_project_is_healthy_without_docker_and_its_own_port_is_no_problem(
    machine: FakeProject,
) -> None:
    result = doctor(machine.root)
    found = checks(result)
    assert found["docker engine"].ok is False
    assert found["docker engine"].required is False
    assert found["docker compose"].detail == "not checked: no Docker engine answers"
    assert found["docker compose"].required is False
    port = machine.plone.port
    assert found["port backend"] == Check(
        "port backend", True, f"127.0.0.1:{port} in use by this project's backend"
    )
    assert result.healthy, result.checks


def test_a_port_held_by_another_program_names_the_setting_to_change(
    machine: FakeProject,
) -> None:
    machine.runtime.alive = set()  # the fake site is not this project's backend now
    found = checks(doctor(machine.root))
    assert found["port backend"].ok is False
    assert found["port backend"].detail.endswith(
        "taken by another program (set tool.plonedev.ports.backend)"
    )


def test_a_machine_without_git_is_told_how_to_install_it(
    machine: FakeProject, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    empty = tmp_path / "empty-bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    result = doctor(machine.root)
    git = checks(result)["git"]
    assert (git.ok, git.required) == (False, True)
    assert git.detail == (
        "not found: needed to check out git sources (Debian: apt-get install git)"
    )
    assert not result.healthy


@pytest.mark.parametrize(
    ("section", "finder", "check"),
    [
        ("varnish = true", "varnish_available", Check("varnishd", False, VARNISH_HINT)),
        ('storage = "relstorage"', "find_programs", Check("postgresql", False, POSTGRES_HINT)),
    ],
)
def test_a_service_whose_program_is_missing_says_what_to_install(
    machine: FakeProject, monkeypatch: pytest.MonkeyPatch, section: str, finder: str, check: Check
) -> None:
    machine.configure(section + "\n")
    monkeypatch.setattr(native_module, finder, lambda: None)
    result = doctor(machine.root)
    assert checks(result)[check.name] == check
    assert not result.healthy


def test_a_missing_program_is_one_finding_and_the_ports_are_still_checked(
    machine: FakeProject, monkeypatch: pytest.MonkeyPatch
) -> None:
    machine.configure("varnish = true\n")
    monkeypatch.setattr(native_module, "varnish_available", lambda: None)
    monkeypatch.setattr(model_builder, "varnish_available", lambda: None)  # for the model too
    found = checks(doctor(machine.root))
    assert found["varnishd"].detail == VARNISH_HINT
    assert "services" not in found  # said once, by its own finding
    assert {"port backend", "port varnish"} <= found.keys()


def test_without_varnish_or_postgresql_configured_neither_is_checked(
    machine: FakeProject, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(native_module, "varnish_available", lambda: None)
    monkeypatch.setattr(native_module, "find_programs", lambda: None)
    found = checks(doctor(machine.root))
    assert "varnishd" not in found and "postgresql" not in found
