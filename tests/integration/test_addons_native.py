"""add-addon, remove-addon and addons against a real Plone, natively.

One project runs for the module. Each test leaves it as it found it: what a test adds, it
removes (and asserts that the user's files come back byte for byte). The add-ons are
real: collective.contact_behaviors from the package index (Plone 6.0-6.2, a GenericSetup
profile, a plone.autoinclude entry point) and the repository's demo add-on served from a
git repository the tests create, without its entry point (so Zope needs a ZCML include).
"""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from plonedev.backend.environment import find_uv
from tests.integration.plone_project import (
    REPO,
    PlonedevProject,
    make_native_init_project,
    make_project,
)

pytestmark = pytest.mark.slow

INDEX_ADDON = "collective.contact_behaviors"
INDEX_PROFILE = "collective.contact_behaviors:default"
DEMO = "plonedev-demo"


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PlonedevProject]:
    project = make_native_init_project(tmp_path_factory.mktemp("addons"))
    project.run("up")
    yield project
    project.run("down", check=False)


@pytest.fixture
def running(project: PlonedevProject) -> PlonedevProject:
    """The project with its services up (a test may have stopped them)."""
    if _states(project).get("backend") != "running":
        project.run("up")
    return project


@pytest.fixture(scope="module")
def demo_repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A git repository of the demo add-on without its plone.autoinclude entry point.

    Branch `broken`: its ZCML includes a package that does not exist (Zope cannot start).
    Branch `badprofile`: its profile's post handler raises (the install fails in the site).
    """
    repo = tmp_path_factory.mktemp("repos") / DEMO
    shutil.copytree(
        REPO / "sources" / DEMO,
        repo,
        ignore=shutil.ignore_patterns("__pycache__", "*.egg-info", ".ruff_cache"),
    )
    pyproject = repo / "pyproject.toml"
    text = pyproject.read_text()
    start, end = text.index("# plone.autoinclude"), text.index("[tool.hatch")
    pyproject.write_text(text[:start] + text[end:])
    git = _git(repo)
    git("init", "-q", "-b", "main")
    git("add", "-A")
    git("commit", "-qm", "demo add-on without an entry point")
    zcml = repo / "src" / "plonedev_demo" / "configure.zcml"
    original = zcml.read_text()
    git("checkout", "-qb", "broken")
    zcml.write_text(
        original.replace("</configure>", '  <include package=".missing" />\n</configure>')
    )
    git("commit", "-qam", "ZCML that cannot load")
    git("checkout", "-q", "main")
    git("checkout", "-qb", "badprofile")
    zcml.write_text(
        original.replace(
            'directory="profiles/default"',
            'directory="profiles/default"\n      post_handler=".fail"',
        )
    )
    init = repo / "src" / "plonedev_demo" / "__init__.py"
    init.write_text(
        init.read_text() + "\n\ndef fail(context):\n    raise RuntimeError('broken on purpose')\n"
    )
    git("commit", "-qam", "a profile that fails")
    git("checkout", "-q", "main")
    return repo


# -- what the user sees --------------------------------------------------------------------


def test_an_addon_from_the_index_is_added_active_in_the_site_and_removed(
    running: PlonedevProject, tmp_path: Path
) -> None:
    project = running
    pyproject_before = project.root.joinpath("pyproject.toml").read_bytes()

    added = project.run("add-addon", INDEX_ADDON)
    assert f"Added {INDEX_ADDON}" in added.stdout
    assert f"{INDEX_PROFILE} installed in 'Plone'" in added.stdout
    config = _config(project)
    assert config["addons"] == [INDEX_ADDON]
    assert INDEX_PROFILE in config["profiles"]
    addon = _site_addon(project, INDEX_ADDON)
    assert addon["is_installed"] is True
    assert addon["install_profile_id"] == INDEX_PROFILE
    listed = _listed(project)[INDEX_ADDON]
    assert listed["installed"] and listed["profile"] == "installed"
    assert listed["where"] == "pyproject.toml: tool.plonedev.addons"

    # The profile configured, the (existing) site without it, as after a teammate's
    # add-addon: `up` installs it.
    status, _ = project.request(
        "POST", f"{project.backend}/Plone/@addons/{INDEX_ADDON}/uninstall", {}, auth=True
    )
    assert status < 300 and _site_addon(project, INDEX_ADDON)["is_installed"] is False
    up = project.run("up")
    assert f"Installed the profile {INDEX_PROFILE}" in up.stdout, up.stdout
    assert _site_addon(project, INDEX_ADDON)["is_installed"] is True

    # A teammate's fresh clone: `up` installs the add-on and its profile in the new site.
    clone = make_project(tmp_path, 'runtime = "native"', with_demo=False)
    text = clone.root.joinpath("pyproject.toml").read_text()
    clone.root.joinpath("pyproject.toml").write_text(
        text.replace(
            "[tool.plonedev]\n",
            f'[tool.plonedev]\naddons = ["{INDEX_ADDON}"]\nprofiles = ["{INDEX_PROFILE}"]\n',
        )
    )
    try:
        clone.run("up")
        assert _site_addon(clone, INDEX_ADDON)["is_installed"] is True
    finally:
        clone.run("down", check=False)

    removed = project.run("remove-addon", INDEX_ADDON)
    assert f"{INDEX_PROFILE} uninstalled from 'Plone'" in removed.stdout
    assert project.root.joinpath("pyproject.toml").read_bytes() == pyproject_before
    assert _site_addon(project, INDEX_ADDON).get("is_installed") is not True
    frozen = _freeze(project)
    assert "collective-contact-behaviors" not in frozen
    assert "pycountry" not in frozen  # installed only for the add-on: gone with it


def test_a_git_source_is_checked_out_included_in_zcml_installed_and_removed(
    running: PlonedevProject, demo_repo: Path
) -> None:
    project = running
    before = _snapshot(project)

    added = project.run("add-addon", DEMO, "--git", str(demo_repo))
    assert "plonedev_demo:default installed in 'Plone'" in added.stdout
    mx_ini = project.root.joinpath("mx.ini").read_text()
    assert f"[{DEMO}]\nurl = {demo_repo}\nbranch = main\n" in mx_ini
    checkout = project.root / "sources" / DEMO
    assert (checkout / ".git").is_dir()
    # No plone.autoinclude entry point: plonedev includes its ZCML explicitly.
    assert _config(project)["zcml-includes"] == ["plonedev_demo"]
    site_zcml = project.root / ".plonedev" / "instance" / "etc" / "site.zcml"
    assert '<include package="plonedev_demo" />' in site_zcml.read_text()
    status, body = project.request(
        "GET", f"{project.backend}/Plone/@@demo-hello", accept="text/plain"
    )
    assert (status, body) == (200, "Hello from plonedev-demo: hello")
    assert _site_addon(project, "plonedev_demo")["is_installed"] is True
    listed = _listed(project)[DEMO]
    assert (listed["checkout"], listed["dirty"], listed["import_name"]) == (
        "checked out",
        "",
        "plonedev_demo",
    )

    removed = project.run("remove-addon", DEMO)
    assert f"deleted {checkout}" in removed.stdout
    assert _snapshot(project) == before
    status, _ = project.request("GET", f"{project.backend}/Plone/@@demo-hello")
    assert status == 404


def test_a_local_folder_is_added_while_the_services_are_stopped(
    project: PlonedevProject, tmp_path: Path
) -> None:
    project.run("down")
    folder = tmp_path / "elsewhere" / "demo-in-progress"
    shutil.copytree(
        REPO / "sources" / DEMO,
        folder,
        ignore=shutil.ignore_patterns("__pycache__", ".ruff*", "*.egg-info"),
    )
    before = _snapshot(project)

    # The services are started for the change (the profile needs the site), then stopped.
    project.run("add-addon", DEMO, "--path", str(folder))
    assert set(_states(project).values()) == {"stopped"}
    mx_ini = project.root.joinpath("mx.ini").read_text()
    assert f"[{DEMO}]\nurl = demo-in-progress\nvcs = fs\npath = {folder}\n" in mx_ini
    assert "plonedev_demo:default" in _config(project)["profiles"]

    project.run("up")
    assert _site_addon(project, "plonedev_demo")["is_installed"] is True
    status, _ = project.request("GET", f"{project.backend}/Plone/@@demo-hello")
    assert status == 200

    project.run("remove-addon", DEMO)
    assert folder.joinpath("pyproject.toml").is_file()  # the user's code is never deleted
    assert _snapshot(project) == before


# -- all or nothing --------------------------------------------------------------------------

FAILURES = {
    "unknown package": (
        ["collective.plonedev-no-such-addon"],
        "not found in the package registry",
    ),
    "version conflict": (
        ["collective.monkeypatcher==1.2.1"],
        "collective-monkeypatcher==3.0.0",  # the constraints' pin, named by the error
    ),
    "git url that cannot be cloned": (
        [DEMO, "--git", "file:///nonexistent/plonedev-demo.git"],
        "cannot clone file:///nonexistent/plonedev-demo.git",
    ),
    "backend does not start": (
        [DEMO, "--git", "{repo}", "--branch", "broken"],
        "the backend does not start with plonedev-demo",
    ),
    "profile fails in the site": (
        [DEMO, "--git", "{repo}", "--branch", "badprofile"],
        "installing plonedev_demo: HTTP 500",
    ),
}


@pytest.mark.parametrize("case", FAILURES)
def test_a_failed_add_changes_nothing_and_the_site_still_answers(
    running: PlonedevProject, demo_repo: Path, case: str
) -> None:
    project = running
    arguments, message = FAILURES[case]
    before = _snapshot(project)
    created = _content_ids(project)

    failed = project.run(
        "add-addon", *(a.replace("{repo}", str(demo_repo)) for a in arguments), check=False
    )

    assert failed.returncode != 0
    error = " ".join(failed.stderr.split())  # rich wraps long lines
    assert message in error
    if case != "git url that cannot be cloned":  # refused before anything changed
        assert "add-addon rolled back: restored pyproject.toml" in error
    assert _snapshot(project) == before
    assert _states(project)["backend"] == "running"
    status, _ = project.request("GET", f"{project.backend}/Plone/++api++")
    assert status == 200
    assert _content_ids(project) == created  # the site's data is untouched


# -- helpers -----------------------------------------------------------------------------


def _snapshot(project: PlonedevProject) -> dict[str, str]:
    """Every file of the project but the data, logs and run state, by content; the
    environment by its exact package set and install record."""
    root = project.root
    skipped = {root / "var", root / ".plonedev" / "logs", root / ".plonedev" / "run"}
    # Written before every backend start (as `up` does) for Zope to read: run state.
    skipped.add(root / ".plonedev" / "instance" / "inituser")
    # The runtime the project runs in (set by `up`, cleared by `down`): run state too.
    skipped.add(root / ".plonedev" / "project.json")
    venv = root / ".plonedev" / "venv"
    files: dict[str, str] = {}
    for path in sorted(root.rglob("*")):
        if any(path.is_relative_to(s) for s in (*skipped, venv)) or "__pycache__" in path.parts:
            continue
        if path.is_file():
            files[str(path.relative_to(root))] = hashlib.sha256(path.read_bytes()).hexdigest()
        elif path.is_dir():
            files[str(path.relative_to(root)) + "/"] = ""
    files["<venv packages>"] = _freeze(project)
    files["<venv stamp>"] = (venv / ".plonedev-install.json").read_text()
    return files


def _freeze(project: PlonedevProject) -> str:
    python = project.root / ".plonedev" / "venv" / "bin" / "python"
    return subprocess.run(
        [find_uv(), "pip", "freeze", "--python", str(python)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout


def _config(project: PlonedevProject) -> dict[str, Any]:
    data = tomllib.loads(project.root.joinpath("pyproject.toml").read_text())
    config: dict[str, Any] = data["tool"]["plonedev"]
    return config


def _site_addon(project: PlonedevProject, addon_id: str) -> dict[str, Any]:
    status, body = project.request("GET", f"{project.backend}/Plone/@addons/{addon_id}", auth=True)
    assert status == 200, body
    data = json.loads(body)
    return data if isinstance(data, dict) else {}  # [] for an add-on @addons does not know


def _listed(project: PlonedevProject) -> dict[str, dict[str, Any]]:
    payload = json.loads(project.run("addons", "--json").stdout)
    return {addon["name"]: addon for addon in payload["addons"]}


def _states(project: PlonedevProject) -> dict[str, str]:
    payload = json.loads(project.run("status", "--json").stdout)
    return {s["name"]: s["state"] for s in payload["services"]}


def _content_ids(project: PlonedevProject) -> list[str]:
    status, body = project.request("GET", f"{project.backend}/Plone/++api++", auth=True)
    assert status == 200
    return sorted(item["@id"] for item in json.loads(body)["items"])


def _git(repo: Path) -> Any:
    def run(*args: str) -> None:
        subprocess.run(
            ["git", "-c", "user.name=t", "-c", "user.email=t@example.org", *args],
            cwd=repo,
            check=True,
        )

    return run
