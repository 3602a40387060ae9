"""remove-addon against the fakes: the reverse of add-addon, and its rollback (the real
thing: tests/integration/test_addons_native.py)."""

from __future__ import annotations

import pytest

from plonedev.commands.add_addon import add_addon
from plonedev.commands.remove_addon import remove_addon
from plonedev.commands.snapshot import snapshots
from plonedev.errors import PlonedevError, ServiceError
from plonedev.report import QuietReporter
from tests.unit.commands.conftest import FakeProject
from tests.unit.commands.fakes import install_fake_backup_tools


@pytest.fixture
def added(running: FakeProject) -> FakeProject:
    """collective.foo added to the running project and active in its site."""
    add_addon(running.root, "collective.foo", QuietReporter())
    running.runtime.calls.clear()
    running.environment.calls.clear()
    return running


def test_removing_an_addon_deactivates_unconfigures_and_uninstalls_it(
    running: FakeProject,
) -> None:
    pyproject = (running.root / "pyproject.toml").read_bytes()
    add_addon(running.root, "collective.foo", QuietReporter())
    running.runtime.calls.clear()
    result = remove_addon(running.root, "collective.foo", QuietReporter())
    assert running.plone.installed() == set()
    assert result.profile == "collective.foo:default"
    assert (running.root / "pyproject.toml").read_bytes() == pyproject
    requirements = (running.paths.state / "requirements-mxdev.txt").read_text()
    assert "collective.foo" not in requirements
    assert result.uninstalled == ("collective.foo",)
    assert "collective.foo" not in running.environment.packages
    assert running.runtime.calls == ["restart backend"]
    assert result.edits == (
        "pyproject.toml: tool.plonedev.addons -= 'collective.foo'",
        "pyproject.toml: tool.plonedev.profiles -= 'collective.foo:default'",
    )


def test_a_local_folder_loses_its_section_and_include_but_its_code_stays(
    fake: FakeProject,
) -> None:
    folder = fake.local_addon()
    mx_ini = (fake.root / "mx.ini").read_bytes()
    add_addon(fake.root, "acme.todo", QuietReporter(), path=folder)
    result = remove_addon(fake.root, "acme.todo", QuietReporter())
    assert (fake.root / "mx.ini").read_bytes() == mx_ini
    assert fake.config().get("zcml-includes", []) == []
    assert "acme_todo" not in fake.generated()
    assert (folder / "pyproject.toml").is_file()  # the user's code, never deleted
    assert (result.checkout_removed, result.checkout_kept) == (None, None)
    assert result.profile_note == "no site 'Plone': nothing to uninstall"


def test_an_unknown_addon_is_refused_and_nothing_changes(added: FakeProject) -> None:
    files = added.snapshot()
    with pytest.raises(PlonedevError) as caught:
        remove_addon(added.root, "collective.bar", QuietReporter())
    assert caught.value.message == "collective.bar is not one of the project's add-ons"
    assert caught.value.hint == "`plonedev addons` lists them"
    assert added.snapshot() == files
    assert added.runtime.calls == [] and added.plone.installed() == {"collective.foo"}


def test_a_failed_removal_puts_the_files_the_packages_and_the_profile_back(
    added: FakeProject,
) -> None:
    environment = added.environment
    environment.fail_install = PlonedevError("uv pip install failed: network down")
    files, packages = added.snapshot(), set(environment.packages)
    with pytest.raises(PlonedevError) as caught:
        remove_addon(added.root, "collective.foo", QuietReporter())
    assert added.snapshot() == files
    assert environment.packages == packages
    assert added.plone.installed() == {"collective.foo"}  # installed again in the site
    failed, undone = caught.value.message.splitlines()
    assert failed == "uv pip install failed: network down"
    assert undone.startswith("remove-addon rolled back: restored pyproject.toml")
    assert undone.endswith("; collective.foo:default installed again")
    assert added.runtime.calls == []


def test_a_backend_that_does_not_start_without_the_addon_gets_it_back(
    added: FakeProject,
) -> None:
    added.runtime.fail = {"backend": "KeyError: 'collective.foo'"}
    files = added.snapshot()
    with pytest.raises(ServiceError) as caught:
        remove_addon(added.root, "collective.foo", QuietReporter())
    assert caught.value.message.startswith("backend exited during start-up\n")
    assert "backend restarted on the previous set" in caught.value.message
    assert added.snapshot() == files
    assert "collective.foo" in added.environment.packages
    assert added.runtime.alive == {"backend"}
    assert added.plone.installed() == {"collective.foo"}


def test_uninstalling_the_profile_saves_the_data_first(added: FakeProject) -> None:
    added.paths.filestorage.parent.mkdir(parents=True)
    added.paths.filestorage.write_bytes(b"the site with collective.foo")
    install_fake_backup_tools(added.paths)
    remove_addon(added.root, "collective.foo", QuietReporter())
    (saved,) = snapshots(added.root)
    assert not isinstance(saved, Exception) and saved.taken_before == "remove-addon"
    assert saved.addons == {"collective.foo": "1.2"}  # the data was written with it
    assert added.plone.installed() == set()


def test_no_snapshot_saves_nothing(added: FakeProject) -> None:
    added.paths.filestorage.parent.mkdir(parents=True)
    added.paths.filestorage.write_bytes(b"data")
    install_fake_backup_tools(added.paths)
    remove_addon(added.root, "collective.foo", QuietReporter(), snapshot=False)
    assert snapshots(added.root) == []
