"""sync_sources with real git repositories: local bare repos served as file:// URLs."""

from __future__ import annotations

import os
import subprocess
import threading
from pathlib import Path
from typing import Any

import pytest

from plonedev.errors import PlonedevError
from plonedev.sources import SourcesResult, sync_sources

GIT_ENV = {
    "GIT_AUTHOR_NAME": "Test",
    "GIT_AUTHOR_EMAIL": "test@example.org",
    "GIT_COMMITTER_NAME": "Test",
    "GIT_COMMITTER_EMAIL": "test@example.org",
    "GIT_CONFIG_GLOBAL": os.devnull,
    "GIT_CONFIG_NOSYSTEM": "1",
}


def git(cwd: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, **GIT_ENV},
    )
    return done.stdout


@pytest.fixture(autouse=True)
def _git_identity(monkeypatch: pytest.MonkeyPatch) -> None:
    # mxdev's own git calls must not depend on the machine's git configuration.
    for key, value in GIT_ENV.items():
        monkeypatch.setenv(key, value)


def make_remote(base: Path, name: str) -> Path:
    """A bare repository holding a small Python package `name`, on branch main."""
    work = base / "upstream" / name
    package = work / "src" / name.replace(".", "_").replace("-", "_")
    package.mkdir(parents=True)
    (package / "__init__.py").write_text("VALUE = 1\n")
    (work / "pyproject.toml").write_text(
        f'[project]\nname = "{name}"\nversion = "1.0"\n'
        '[build-system]\nrequires = ["hatchling"]\nbuild-backend = "hatchling.build"\n'
    )
    git(work, "init", "--quiet", "--initial-branch=main")
    git(work, "add", ".")
    git(work, "commit", "--quiet", "-m", "first")
    bare = base / "remotes" / f"{name}.git"
    git(base, "clone", "--quiet", "--bare", str(work), str(bare))
    git(work, "remote", "add", "origin", str(bare))
    git(work, "fetch", "--quiet", "origin")
    git(work, "branch", "--quiet", "--set-upstream-to=origin/main")
    return bare


def push_change(base: Path, name: str, filename: str) -> None:
    """Commit a new file upstream (as a colleague would) and push it."""
    work = base / "upstream" / name
    (work / filename).write_text("new upstream file\n")
    git(work, "add", filename)
    git(work, "commit", "--quiet", "-m", f"add {filename}")
    git(work, "push", "--quiet", "origin", "main")


class Project:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.out = root / ".plonedev"
        self.requirements_in = self.out / "requirements-in.txt"
        self.out.mkdir(parents=True)
        (root / "constraints.txt").write_text("collective.one==1.0\nsix==1.16.0\n")
        self.requirements_in.write_text("-c constraints.txt\nsix\n")

    def mx_ini(self, text: str) -> None:
        (self.root / "mx.ini").write_text(text)

    def sync(self, **kwargs: Any) -> SourcesResult:
        return sync_sources(
            self.root, requirements_in=self.requirements_in, out_dir=self.out, **kwargs
        )


def git_source(name: str, remote: Path, extra: str = "") -> str:
    return f"[{name}]\nurl = {remote.as_uri()}\nbranch = main\n{extra}\n"


@pytest.fixture
def project(tmp_path: Path) -> Project:
    return Project(tmp_path / "project")


def test_clone_writes_an_editable_install_and_drops_the_pin(
    tmp_path: Path, project: Project
) -> None:
    remote = make_remote(tmp_path, "collective.one")
    project.mx_ini(git_source("collective.one", remote))

    result = project.sync()

    checkout = project.root / "sources" / "collective.one"
    assert (checkout / "src" / "collective_one" / "__init__.py").is_file()
    assert [(s.name, s.state) for s in result.sources] == [("collective.one", "checked-out")]
    assert result.requirements == project.out / "requirements-mxdev.txt"
    requirements = result.requirements.read_text()
    assert "\n-e ./sources/collective.one\n" in requirements
    assert "\n-c constraints-mxdev.txt\n" in requirements
    constraints = result.constraints.read_text()
    assert "# collective.one==1.0 -> mxdev disabled (source)" in constraints
    assert "\nsix==1.16.0\n" in constraints
    assert not (project.root / "requirements-mxdev.txt").exists()
    assert not (project.root / ".mxdev_cache").exists()


def test_update_pulls_new_commits(tmp_path: Path, project: Project) -> None:
    remote = make_remote(tmp_path, "collective.one")
    project.mx_ini(git_source("collective.one", remote))
    project.sync()
    push_change(tmp_path, "collective.one", "NEWS.txt")

    result = project.sync()

    assert [s.state for s in result.sources] == ["updated"]
    assert (project.root / "sources" / "collective.one" / "NEWS.txt").is_file()
    assert result.warnings == ()


def test_dirty_checkout_is_skipped_with_its_change_intact(tmp_path: Path, project: Project) -> None:
    remote = make_remote(tmp_path, "collective.one")
    project.mx_ini(git_source("collective.one", remote))
    project.sync()
    module = project.root / "sources" / "collective.one" / "src" / "collective_one" / "__init__.py"
    module.write_text("VALUE = 2  # my work in progress\n")
    push_change(tmp_path, "collective.one", "NEWS.txt")

    result = project.sync()

    assert [s.state for s in result.sources] == ["skipped-dirty"]
    assert len(result.warnings) == 1
    assert "[collective.one] not updated" in result.warnings[0]
    assert "uncommitted changes (src/collective_one/__init__.py)" in result.warnings[0]
    assert module.read_text() == "VALUE = 2  # my work in progress\n"
    assert not (project.root / "sources" / "collective.one" / "NEWS.txt").exists()
    # Still installed from the checkout.
    assert "\n-e ./sources/collective.one\n" in result.requirements.read_text()


def test_unpushed_commit_is_skipped(tmp_path: Path, project: Project) -> None:
    remote = make_remote(tmp_path, "collective.one")
    project.mx_ini(git_source("collective.one", remote))
    project.sync()
    checkout = project.root / "sources" / "collective.one"
    (checkout / "CHANGES.txt").write_text("my change\n")
    git(checkout, "add", "CHANGES.txt")
    git(checkout, "commit", "--quiet", "-m", "local work")
    push_change(tmp_path, "collective.one", "NEWS.txt")

    result = project.sync()

    assert [s.state for s in result.sources] == ["skipped-dirty"]
    assert "1 commit not pushed to origin/main" in result.warnings[0]
    assert git(checkout, "log", "-1", "--format=%s").strip() == "local work"
    assert not (checkout / "NEWS.txt").exists()


def test_missing_repository_is_a_plonedev_error(tmp_path: Path, project: Project) -> None:
    good = make_remote(tmp_path, "collective.one")
    missing = tmp_path / "remotes" / "collective.nope.git"
    project.mx_ini(git_source("collective.one", good) + git_source("collective.nope", missing))

    with pytest.raises(PlonedevError) as caught:
        project.sync()  # pytest's stdin raises if anything reads it: no prompt happened

    error = caught.value
    assert error.message == (
        f"mx.ini: [collective.nope]: cannot clone {missing.as_uri()}: repository not found"
    )
    assert "check the url in mx.ini" in error.hint
    # The other source was still cloned.
    assert (project.root / "sources" / "collective.one" / "pyproject.toml").is_file()


def test_missing_branch_is_a_plonedev_error(tmp_path: Path, project: Project) -> None:
    remote = make_remote(tmp_path, "collective.one")
    project.mx_ini(f"[collective.one]\nurl = {remote.as_uri()}\nbranch = nope\n")

    with pytest.raises(PlonedevError, match=r"\[collective.one\]: cannot clone .*: branch 'nope'"):
        project.sync()


def test_three_sources_are_cloned_in_parallel(tmp_path: Path, project: Project) -> None:
    names = ["collective.one", "collective.two", "collective.three"]
    project.mx_ini("".join(git_source(name, make_remote(tmp_path, name)) for name in names))
    threads: set[str] = set()
    lines: list[str] = []

    def on_line(line: str) -> None:
        lines.append(line)
        if line.startswith("Queued"):
            threads.add(threading.current_thread().name)

    result = project.sync(threads=3, on_line=on_line)

    assert {s.name: s.state for s in result.sources} == dict.fromkeys(names, "checked-out")
    assert len(threads) == 3, lines
    requirements = result.requirements.read_text()
    for name in names:
        assert f"\n-e ./sources/{name}\n" in requirements


def test_offline_keeps_checkouts_and_reports_missing_ones(tmp_path: Path, project: Project) -> None:
    one = make_remote(tmp_path, "collective.one")
    two = make_remote(tmp_path, "collective.two")
    project.mx_ini(git_source("collective.one", one))
    project.sync()
    push_change(tmp_path, "collective.one", "NEWS.txt")
    project.mx_ini(git_source("collective.one", one) + git_source("collective.two", two))

    result = project.sync(offline=True)

    assert [(s.name, s.state) for s in result.sources] == [
        ("collective.one", "kept"),
        ("collective.two", "missing"),
    ]
    assert not (project.root / "sources" / "collective.one" / "NEWS.txt").exists()
    assert result.warnings == (
        "[collective.two] is not checked out (offline), so it is not installed",
    )
    requirements = result.requirements.read_text()
    assert "\n-e ./sources/collective.one\n" in requirements
    assert "\n# -e ./sources/collective.two  # mxdev: source not checked out\n" in requirements


def test_update_false_leaves_a_checkout_alone_and_skips_mxdev_next_time(
    tmp_path: Path, project: Project
) -> None:
    remote = make_remote(tmp_path, "collective.one")
    project.mx_ini(git_source("collective.one", remote, "update = false"))
    assert [s.state for s in project.sync().sources] == ["checked-out"]
    push_change(tmp_path, "collective.one", "NEWS.txt")

    second = project.sync()
    third = project.sync()

    assert [s.state for s in second.sources] == ["kept"]
    assert not (project.root / "sources" / "collective.one" / "NEWS.txt").exists()
    assert (second.cached, third.cached) == (False, True)


def test_mxdev_finding_a_dirty_checkout_declines_instead_of_prompting(
    tmp_path: Path,
    project: Project,
    monkeypatch: pytest.MonkeyPatch,
    capfd: pytest.CaptureFixture[str],
) -> None:
    # A checkout that becomes dirty after plonedev's own check (simulated by hiding it):
    # mxdev then finds it dirty and would ask on stdin.
    remote = make_remote(tmp_path, "collective.one")
    project.mx_ini(git_source("collective.one", remote))
    project.sync()
    readme = project.root / "sources" / "collective.one" / "README.txt"
    readme.write_text("mine\n")
    monkeypatch.setattr("plonedev.sources.fetch.is_dirty", lambda path: None)

    result = project.sync()

    assert [s.state for s in result.sources] == ["skipped-dirty"]
    assert readme.read_text() == "mine\n"
    out, err = capfd.readouterr()
    assert (out, err) == ("", "")  # mxdev printed nothing


def test_is_dirty_reasons(tmp_path: Path) -> None:
    from plonedev.sources import is_dirty

    remote = make_remote(tmp_path, "collective.one")
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "--quiet", str(remote), str(clone))
    assert is_dirty(clone) is None

    (clone / "notes.txt").write_text("untracked\n")
    assert is_dirty(clone) == "it has uncommitted changes (notes.txt)"
    (clone / "notes.txt").unlink()

    git(clone, "checkout", "--quiet", "--detach")
    (clone / "CHANGES.txt").write_text("x\n")
    git(clone, "add", "CHANGES.txt")
    git(clone, "commit", "--quiet", "-m", "on a detached head")
    assert is_dirty(clone) == "it has 1 commit not pushed to any remote"
