"""A team's project, as a new member meets it: clone, then the README's one command.

The project comes from `plonedev init` with the team's add-on from a git repository
(a local bare one: the demo add-on), committed. A new member clones it and runs the
command the README gives, which runs plonedev through uvx at the version the project
pins. That plonedev is a wheel built from this repository, found by uv through
UV_FIND_LINKS (the package index has no plonedev; everything else comes from it).
The site comes up with the add-on active.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
import tomlkit

from plonedev.backend.environment import find_uv
from plonedev.runtime.ports import free_port
from tests.integration.plone_project import REPO, PlonedevProject

pytestmark = [pytest.mark.slow, pytest.mark.timeout(1800)]

ADDON = "plonedev-demo"


def _git(cwd: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.name=Team", "-c", "user.email=team@example.org", *args],
        cwd=cwd,
        check=True,
        capture_output=True,
        timeout=120,
    )


@pytest.fixture(scope="module")
def wheel_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """plonedev as a wheel built from this checkout, the way it is published."""
    dist = tmp_path_factory.mktemp("dist")
    subprocess.run(
        [find_uv(), "build", "--wheel", "--out-dir", str(dist), str(REPO)],
        check=True,
        capture_output=True,
        timeout=600,
    )
    assert len(list(dist.glob("plonedev-*.whl"))) == 1
    return dist


@pytest.fixture
def addon_repo(tmp_path: Path) -> Path:
    """The team's add-on: a bare git repository, as on the team's git server."""
    work = tmp_path / "addon-work"
    shutil.copytree(
        REPO / "sources" / ADDON,
        work,
        ignore=shutil.ignore_patterns("__pycache__", "*.egg-info", ".ruff_cache"),
    )
    _git(work, "init", "-q", "-b", "main")
    _git(work, "add", "-A")
    _git(work, "commit", "-qm", "the team's add-on")
    bare = tmp_path / f"{ADDON}.git"
    _git(tmp_path, "clone", "-q", "--bare", str(work), str(bare))
    return bare


@pytest.fixture
def team_project(tmp_path: Path, addon_repo: Path) -> Path:
    """`plonedev init` plus the add-on, committed: what the team pushes."""
    origin = tmp_path / "team-site"
    origin.mkdir()
    PlonedevProject(origin, {}).run("init")
    with (origin / "mx.ini").open("a") as mx_ini:
        mx_ini.write(f"\n[{ADDON}]\nurl = file://{addon_repo}\nbranch = main\n")
    pyproject = origin / "pyproject.toml"
    document = tomlkit.parse(pyproject.read_text())
    section = document["tool"]["plonedev"]
    section["profiles"] = ["plonedev_demo:default"]
    # Only what a test must change: no Docker engine even if CI has one, and a free port.
    section["runtime"] = "native"
    section["ports"] = {"backend": free_port()}
    pyproject.write_text(tomlkit.dumps(document))
    _git(origin, "init", "-q", "-b", "main")
    _git(origin, "add", "-A")
    _git(origin, "commit", "-qm", "a new Plone project")
    return origin


@pytest.fixture
def member(tmp_path: Path, team_project: Path) -> Iterator[PlonedevProject]:
    """A new member's clone of the team's project."""
    clone = tmp_path / "member" / "team-site"
    clone.parent.mkdir()
    _git(clone.parent, "clone", "-q", str(team_project), str(clone))
    pyproject = tomlkit.parse((clone / "pyproject.toml").read_text())
    port = int(pyproject["tool"]["plonedev"]["ports"]["backend"])
    project = PlonedevProject(clone, {"backend": port})
    yield project
    project.run("down", check=False)


def readme_command(readme: str) -> str:
    """The one command in the README's bash block."""
    blocks = re.findall(r"```bash\n(.*?)\n```", readme, re.S)
    assert len(blocks) == 1, readme
    return str(blocks[0]).strip()


def test_a_new_member_clones_and_runs_the_readme_command(
    member: PlonedevProject, wheel_dir: Path
) -> None:
    command = readme_command((member.root / "README.md").read_text())
    assert command == "uvx --from 'plonedev>=0.1,<0.2' plonedev up"
    env = {
        **os.environ,
        "PATH": f"{Path(find_uv()).parent}{os.pathsep}{os.environ['PATH']}",  # uvx
        "UV_FIND_LINKS": str(wheel_dir),
        "COLUMNS": "200",
    }
    env.pop("VIRTUAL_ENV", None)
    done = subprocess.run(
        ["bash", "-c", command],
        cwd=member.root,
        env=env,
        capture_output=True,
        text=True,
        timeout=1500,
        check=False,
    )
    assert done.returncode == 0, f"{done.stdout}\n{done.stderr}"
    assert "site created" in done.stdout
    assert (member.root / "sources" / ADDON / ".git").is_dir()  # checked out by mxdev

    status, body = member.request("GET", f"{member.backend}/Plone/++api++/@demo-info")
    assert status == 200, body  # the service exists only with the add-on's profile installed
    assert json.loads(body)["addon"] == ADDON
    status, body = member.request("GET", f"{member.backend}/Plone/++api++/@addons", auth=True)
    installed = {a["id"]: a["is_installed"] for a in json.loads(body)["items"]}
    assert installed["plonedev_demo"] is True
