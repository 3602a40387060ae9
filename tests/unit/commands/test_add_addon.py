"""add-addon's transaction against the fakes: what a success writes, and that each kind of
failure puts every file back byte for byte, the environment's packages and the services
as they were (the real thing: tests/integration/test_addons_native.py)."""

from __future__ import annotations

import pytest

from plonedev.commands.add_addon import add_addon
from plonedev.commands.down import down
from plonedev.errors import PlonedevError, ServiceError
from plonedev.report import QuietReporter
from tests.unit.commands.conftest import FakeProject


def test_an_index_addon_is_configured_installed_restarted_into_and_activated(
    running: FakeProject,
) -> None:
    mx_ini = (running.root / "mx.ini").read_bytes()
    result = add_addon(running.root, "collective.foo", QuietReporter())
    config = running.config()
    assert config["addons"] == ["collective.foo"]
    assert config["profiles"] == ["collective.foo:default"]  # a new site gets it on `up`
    assert (running.root / "mx.ini").read_bytes() == mx_ini
    requirements = (running.paths.state / "requirements-mxdev.txt").read_text()
    assert "\ncollective.foo\n" in requirements
    assert "collective.foo" in running.environment.packages
    assert running.runtime.calls == ["restart backend"]
    assert running.plone.installed() == {"collective.foo"}
    assert (result.name, result.version, result.profile) == (
        "collective.foo",
        "1.2",
        "collective.foo:default",
    )
    assert result.edits == (
        "pyproject.toml: tool.plonedev.addons += 'collective.foo'",
        "pyproject.toml: tool.plonedev.profiles += 'collective.foo:default'",
    )
    assert running.environment.calls[-1] == "release"


def test_a_local_folder_without_an_entry_point_gets_its_section_and_a_zcml_include(
    fake: FakeProject,
) -> None:
    folder = fake.local_addon()
    result = add_addon(fake.root, "acme.todo", QuietReporter(), path=folder)
    mx_ini = (fake.root / "mx.ini").read_text()
    assert mx_ini.endswith("[acme.todo]\nurl = acme.todo\nvcs = fs\n")
    assert fake.config()["zcml-includes"] == ["acme_todo"]
    assert "acme_todo" in fake.generated()  # written from the config
    assert "-e ./sources/acme.todo" in (fake.paths.state / "requirements-mxdev.txt").read_text()
    assert result.checkout == folder
    assert result.profile == ""
    assert result.profile_note.startswith("no site 'Plone' yet")
    # The services were stopped: started for the change, stopped again after it.
    assert fake.runtime.calls == ["up backend", "stop backend"]
    assert fake.runtime.alive == set()


def test_a_failed_install_puts_every_file_back_byte_for_byte_and_the_packages_too(
    running: FakeProject,
) -> None:
    environment = running.environment
    environment.fail_install = PlonedevError(
        "uv pip install failed: No solution found when resolving dependencies",
        details="Because collective.foo==1.2 depends on plone.api>=9 ...",
    )
    files, packages = running.snapshot(), set(environment.packages)
    with pytest.raises(PlonedevError) as caught:
        add_addon(running.root, "collective.foo", QuietReporter())
    assert running.snapshot() == files
    assert environment.packages == packages  # the half-done install is undone
    assert "restore" in environment.calls
    failed, undone = caught.value.message.splitlines()
    assert failed == (
        "cannot install collective.foo: uv pip install failed: No solution found when "
        "resolving dependencies"
    )
    assert undone.startswith("add-addon rolled back: restored pyproject.toml")
    assert undone.endswith("; .plonedev/venv restored to its previous packages")
    assert "constraints" in caught.value.hint  # why uv found no solution
    assert caught.value.details.startswith("Because collective.foo==1.2")
    assert running.runtime.calls == []  # the backend never restarted
    assert running.plone.installed() == set()


def test_an_addon_the_site_cannot_activate_is_rolled_back_and_the_services_stop_again(
    running: FakeProject,
) -> None:
    down(running.root, QuietReporter())
    running.runtime.calls.clear()
    running.plone.broken = {"collective.foo"}  # its profile fails in the site
    files, packages = running.snapshot(), set(running.environment.packages)
    with pytest.raises(PlonedevError) as caught:
        add_addon(running.root, "collective.foo", QuietReporter())
    assert caught.value.message.startswith("the site 'Plone' did not install collective.foo\n")
    assert "backend restarted on the previous set" in caught.value.message
    assert running.snapshot() == files  # the profile recorded in pyproject.toml too
    assert running.environment.packages == packages
    # Started for the change, restarted on the previous set, stopped as it was.
    assert running.runtime.calls == ["up backend", "restart backend", "stop backend"]
    assert running.runtime.alive == set()


def test_a_backend_that_does_not_start_with_the_addon_runs_again_without_it(
    running: FakeProject,
) -> None:
    running.runtime.fail = {"backend": "ZopeXMLConfigurationError: collective.foo"}
    files = running.snapshot()
    with pytest.raises(ServiceError) as caught:
        add_addon(running.root, "collective.foo", QuietReporter())
    assert caught.value.message.startswith(
        "the backend does not start with collective.foo: backend exited during start-up\n"
    )
    assert caught.value.details == "ZopeXMLConfigurationError: collective.foo"
    assert running.snapshot() == files
    assert "collective.foo" not in running.environment.packages
    # It exited, so the previous set brings it up again.
    assert running.runtime.calls == ["restart backend", "up backend"]
    assert running.runtime.alive == {"backend"}
    assert running.plone.installed() == set()
