"""The backend environment add-ons are installed into, behind one small interface.

add-addon and remove-addon only ever talk to a BackendEnvironment, the one their runtime
gives (RuntimeKind.environment in plonedev.runtimes).

Natively it is the project's venv (.plonedev/venv): installed by the very step `plonedev
up` runs, snapshotted as its exact package set (`uv pip freeze`) and restored with `uv pip
sync`. With Docker Compose it is the backend image (plonedev.addons.docker_environment):
snapshot = the current image (kept under a second tag), install + write_files = rebuilding
it and compose.yaml (plonedev.runtime.docker_prepare), restore = the kept image tagged
back, prune = nothing (a rebuilt image holds exactly the requirements), probe =
probe_script.py run in the image.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from plonedev.addons.request import canonical
from plonedev.errors import PlonedevError
from plonedev.paths import ProjectPaths
from plonedev.project_setup.find_project import ProjectContext
from plonedev.report import Reporter
from plonedev.sources import SourcesResult

PROBE_SCRIPT = Path(__file__).with_name("probe_script.py")


@dataclass(frozen=True)
class DistInfo:
    """One distribution as the backend environment has it."""

    name: str  # as asked for
    installed: bool
    dist_name: str = ""  # as its metadata spells it
    version: str = ""
    editable: bool = False
    source: Path | None = None  # an editable install's folder
    autoinclude: bool = False  # has a plone.autoinclude entry point for Plone
    import_name: str | None = None  # the package Zope loads (and @addons knows it by)

    @property
    def needs_zcml_include(self) -> bool:
        """Zope loads its ZCML only through an explicit <include> in site.zcml.

        Packages in the Products namespace are loaded by Zope itself (five:loadProducts).
        """
        if not self.installed or self.autoinclude or self.import_name is None:
            return False
        return not self.import_name.startswith("Products.")


@dataclass(frozen=True)
class EnvironmentSnapshot:
    existed: bool
    state: str  # what to go back to: natively the pinned packages (`uv pip freeze`)


class BackendEnvironment(Protocol):
    description: str  # where it is, for the user: ".plonedev/venv"
    # True: a change makes a new backend image, so the backend's container is recreated
    # (an `up`), not only restarted.
    recreates_backend: bool

    def snapshot(self) -> EnvironmentSnapshot:
        """The installed packages, exactly, to go back to."""

    def files(self, context: ProjectContext) -> list[Path]:
        """The generated files an add-on change rewrites here (kept by the transaction)."""

    def install(self, context: ProjectContext, synced: SourcesResult, reporter: Reporter) -> None:
        """Install what the (already written) requirements ask for."""

    def write_files(self, context: ProjectContext, admin_password: str) -> None:
        """Write the backend's files from the config (ZCML includes among them)."""

    def restore(self, snapshot: EnvironmentSnapshot) -> None:
        """Make the installed packages exactly those of `snapshot` again."""

    def release(self, snapshot: EnvironmentSnapshot) -> None:
        """The change is over (done or rolled back): free what `snapshot` held on to."""

    def prune(self, synced: SourcesResult) -> tuple[str, ...]:
        """Uninstall what the requirements no longer need (a removed add-on, the packages
        only it needed); return the names uninstalled. A package something else still
        requires stays."""

    def probe(self, names: Sequence[str]) -> dict[str, DistInfo]:
        """What each distribution installed, and its import name."""


class NativeEnvironment:
    """The project's venv, driven by uv."""

    recreates_backend = False

    def __init__(self, paths: ProjectPaths) -> None:
        self.paths = paths
        self.description = str(paths.venv.relative_to(paths.root))

    @property
    def python(self) -> Path:
        from plonedev.backend.environment import venv_python

        return venv_python(self.paths.venv)

    def snapshot(self) -> EnvironmentSnapshot:
        if not self.python.exists():
            return EnvironmentSnapshot(False, "")
        return EnvironmentSnapshot(True, self._uv("pip", "freeze", "--python", str(self.python)))

    def files(self, context: ProjectContext) -> list[Path]:
        from plonedev.backend.environment import STAMP_NAME
        from plonedev.backend.instance import render_instance
        from plonedev.project_setup.prepare import instance_settings

        paths = context.paths
        return [
            paths.venv / STAMP_NAME,  # the install record: restored with the packages
            *render_instance(instance_settings(paths, context.config)),
            paths.instance / "inituser",  # written before every start, consumed by Zope
        ]

    def install(self, context: ProjectContext, synced: SourcesResult, reporter: Reporter) -> None:
        from plonedev.project_setup import prepare

        prepare.environment(context, synced, reporter)  # the very step `plonedev up` runs

    def write_files(self, context: ProjectContext, admin_password: str) -> None:
        from plonedev.project_setup import prepare

        prepare.service_files(context, admin_password)

    def restore(self, snapshot: EnvironmentSnapshot) -> None:
        if not snapshot.existed:
            shutil.rmtree(self.paths.venv, ignore_errors=True)
            return
        if not self.python.exists():
            raise PlonedevError(f"{self.description} is gone", "run `plonedev up` to create it")
        with tempfile.NamedTemporaryFile(
            "w", dir=self.paths.state, prefix="addons-restore-", suffix=".txt", delete=False
        ) as out:
            out.write(snapshot.state)
        try:
            self._uv("pip", "sync", "--python", str(self.python), "--compile-bytecode", out.name)
        finally:
            Path(out.name).unlink(missing_ok=True)

    def release(self, snapshot: EnvironmentSnapshot) -> None:
        pass  # a package list in memory: nothing to free

    def prune(self, synced: SourcesResult) -> tuple[str, ...]:
        installed = self._installed()
        needed = self._needed(synced)
        gone = [str(package["name"]) for package in installed if _unneeded(package, needed)]
        if gone:
            self._uv("pip", "uninstall", "--python", str(self.python), *gone)
        return tuple(gone)

    def probe(self, names: Sequence[str]) -> dict[str, DistInfo]:
        if not names:
            return {}
        if not self.python.exists():
            return {name: DistInfo(name, False) for name in names}
        done = subprocess.run(
            [str(self.python), str(PROBE_SCRIPT), *names],
            cwd=self.paths.root,
            capture_output=True,
            text=True,
            check=False,
            stdin=subprocess.DEVNULL,
            timeout=120,
        )
        if done.returncode != 0:
            raise PlonedevError(
                f"cannot inspect {self.description}: {last_line(done.stderr)}",
                "run `plonedev up` to repair the backend environment",
            )
        data: dict[str, dict[str, Any]] = json.loads(done.stdout)
        return {name: dist_info(name, data.get(name, {})) for name in names}

    # -- uv ----------------------------------------------------------------------------
    def _installed(self) -> list[dict[str, Any]]:
        listed = self._uv("pip", "list", "--python", str(self.python), "--format", "json")
        packages: list[dict[str, Any]] = json.loads(listed or "[]")
        return packages

    def _needed(self, synced: SourcesResult) -> tuple[set[str], set[Path]]:
        """Names and editable folders the requirements resolve to now (from uv's cache
        when the index cannot be reached: everything installed came through it)."""
        compile_ = ("pip", "compile", "--python", str(self.python), "--no-header")
        arguments = (*compile_, "--no-annotate", "--quiet", str(synced.requirements))
        try:
            compiled = self._uv(*arguments)
        except PlonedevError:
            compiled = self._uv(*arguments, "--offline")
        names: set[str] = set()
        folders: set[Path] = set()
        for raw in compiled.splitlines():
            line = raw.split("#", 1)[0].strip()
            if line.startswith("-e "):
                folders.add((self.paths.root / line[3:].strip()).resolve())
            elif "==" in line:
                names.add(canonical(line.split("==", 1)[0].split("[", 1)[0]))
        return names, folders

    def _uv(self, *args: str) -> str:
        from plonedev.backend.environment import find_uv

        env = _uv_env()
        try:
            done = subprocess.run(
                [find_uv(), *args],
                cwd=self.paths.root,  # mxdev's outputs name sources relative to the root
                capture_output=True,
                text=True,
                check=False,
                stdin=subprocess.DEVNULL,
                env=env,
                timeout=900,
            )
        except subprocess.TimeoutExpired:
            raise PlonedevError(f"uv {args[0]} {args[1]} did not finish in 15 minutes") from None
        if done.returncode != 0:
            raise PlonedevError(
                f"uv {args[0]} {args[1]} failed: {last_line(done.stderr)}",
                "`plonedev up` repairs the backend environment",
            )
        return done.stdout


def _uv_env() -> dict[str, str]:
    env = dict(os.environ)
    env.pop("VIRTUAL_ENV", None)  # the target is always passed explicitly
    env["NO_COLOR"] = "1"
    return env


def _unneeded(package: Mapping[str, Any], needed: tuple[set[str], set[Path]]) -> bool:
    names, folders = needed
    location = package.get("editable_project_location")
    if location:
        return Path(location).resolve() not in folders
    return canonical(str(package["name"])) not in names


def dist_info(name: str, data: Mapping[str, Any]) -> DistInfo:
    if not data.get("installed"):
        return DistInfo(name, False)
    source = data.get("source")
    return DistInfo(
        name=name,
        installed=True,
        dist_name=str(data.get("name") or name),
        version=str(data.get("version") or ""),
        editable=bool(data.get("editable")),
        source=Path(source) if source else None,
        autoinclude=bool(data.get("autoinclude")),
        import_name=data.get("import_name") or None,
    )


def last_line(text: str) -> str:
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    return lines[-1] if lines else "no output"
