"""`plonedev create-addon --frontend NAME`: a new Volto add-on in the frontend's packages/.

One transaction, like the backend's create-addon: the add-on's folder is written whole,
the frontend's package.json depends on it ("workspace:*") and volto.config.js lists it;
then pnpm links it (natively, when the frontend was installed before; with Compose, the
frontend's install job, when the frontend runs) and a running dev server is restarted,
since Volto reads its add-ons only at start-up. Its page is then asked for, as a browser
would. If a step fails, the files are put back byte for byte, the new folder goes, and
a dev server restarted for the change runs again on the previous add-ons.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

from plonedev.addons.changes import reason, rolled_back, shown
from plonedev.addons.lock import change_lock
from plonedev.addons.timing import StepTime, Timeline
from plonedev.addons.transaction import Phase, Transaction
from plonedev.errors import PlonedevError
from plonedev.frontend import SERVICE, frontend_paths
from plonedev.frontend.addon import (
    FrontendAddon,
    addon_files,
    frontend_addon,
    with_addon,
    with_dependency,
    write_addon,
)
from plonedev.frontend.container import INSTALL_JOB
from plonedev.frontend.install import read_stamp
from plonedev.frontend.layout import FrontendPaths, require_project
from plonedev.model import Role
from plonedev.project_setup import prepare
from plonedev.project_setup.find_project import RunningProject
from plonedev.report import Reporter
from plonedev.runtime.docker import DockerRuntime
from plonedev.runtime.health import fetch_page
from plonedev.runtime.protocol import UP_STATES
from plonedev.runtimes.registry import open_running_project


@dataclass(frozen=True)
class FrontendAddonResult:
    addon: FrontendAddon
    folder: Path
    files: int
    edits: tuple[str, ...]  # "frontend/package.json: dependencies += volto-todo"
    installed: str  # what linked it in: "pnpm install (4.2 s)", or why nothing did yet
    restarted: bool  # the dev server runs with the add-on now
    page: str  # the add-on's page on the dev server
    page_shown: bool  # the page answered with the add-on's text
    steps: tuple[StepTime, ...]
    seconds: float
    warnings: tuple[str, ...] = field(default=())


def create_frontend_addon(
    start: Path, name: str, reporter: Reporter, *, runtime: str | None = None
) -> FrontendAddonResult:
    started = time.monotonic()
    addon = frontend_addon(name)
    running = open_running_project(start, runtime)
    paths, config = running.context.paths, running.context.config
    if not config.frontend:
        raise PlonedevError(
            "this project has no frontend (tool.plonedev.frontend is not set)",
            "add one with `plonedev add-frontend`, then run again",
        )
    fpaths = frontend_paths(paths.root, config.frontend)
    require_project(fpaths)
    root = paths.root
    folder = fpaths.packages / addon.folder
    # Everything worked out before anything is written: bad input changes nothing.
    if folder.exists() or folder.is_symlink():
        raise PlonedevError(
            f"{shown(folder, root)} exists already",
            "choose another name, or register that folder in package.json and "
            "volto.config.js yourself",
        )
    package_json = with_dependency(_read(fpaths.package_json), addon.name)
    volto_config = with_addon(_read(fpaths.volto_config), addon.name)
    files = addon_files(addon)
    with change_lock(paths.run, "create-addon"):
        change = _Change(running, fpaths, addon, Timeline(reporter), reporter)
        transaction = change.transaction
        transaction.keep([fpaths.package_json, fpaths.volto_config, fpaths.lockfile])
        try:
            transaction.remove_on_rollback(folder, root)
            written = write_addon(folder, files)
            reporter.info(f"Wrote {shown(folder, root)} ({len(written)} files)")
            transaction.write(fpaths.package_json, package_json)
            transaction.write(fpaths.volto_config, volto_config)
            change.install()
            change.restart()
        except BaseException as error:
            reporter.info(f"create-addon failed: putting everything back ({reason(error)})")
            raise rolled_back(error, transaction.rollback(), paths, "create-addon") from error
    frontend = running.project.service(SERVICE)
    return FrontendAddonResult(
        addon=addon,
        folder=folder,
        files=len(written),
        edits=(
            f"{shown(fpaths.package_json, root)}: dependencies += {addon.name} (workspace:*)",
            f"{shown(fpaths.volto_config, root)}: addons += {addon.name!r}",
        ),
        installed=change.installed,
        restarted=change.restarted,
        page=f"{frontend.url}{addon.route}",
        page_shown=change.page_shown,
        steps=tuple(change.timeline.steps),
        seconds=time.monotonic() - started,
        warnings=tuple(change.warnings),
    )


class _Change:
    """Linking the add-on in and restarting the dev server, each recording its undo."""

    def __init__(
        self,
        running: RunningProject,
        fpaths: FrontendPaths,
        addon: FrontendAddon,
        timeline: Timeline,
        reporter: Reporter,
    ) -> None:
        self.running = running
        self.fpaths = fpaths
        self.addon = addon
        self.timeline = timeline
        self.reporter = reporter
        self.transaction = Transaction()
        self.docker = isinstance(running.runtime, DockerRuntime)
        self.was_running = self._frontend_runs()
        self.installed = ""
        self.restarted = False
        self.page_shown = False
        self.warnings: list[str] = []

    def install(self) -> None:
        if self.docker:
            self._install_in_container()
            return
        if read_stamp(self.fpaths.install_stamp) is None:
            self.installed = "not installed yet: `plonedev up` installs the frontend with it"
            return
        # Undone by the next `up`'s pnpm install: the record of a complete install goes.
        stamp = self.fpaths.install_stamp
        self.transaction.on_rollback(
            Phase.ENVIRONMENT,
            "the frontend's packages left for the next `plonedev up` to install",
            lambda: stamp.unlink(missing_ok=True),
        )
        with self.timeline.timed("install"):
            result = prepare.frontend(self.running.context, self.reporter, new_dependency=True)
        seconds = result.seconds if result else 0.0
        self.installed = f"pnpm install ({seconds:.1f} s)"

    def _install_in_container(self) -> None:
        if not self.was_running:
            self.installed = f"the frontend is not running: `plonedev up` runs {INSTALL_JOB}"
            return
        runtime = self.running.runtime
        assert isinstance(runtime, DockerRuntime)
        project = self.running.project
        # The previous package files are back by then: the job links the previous set.
        self.transaction.on_rollback(
            Phase.ENVIRONMENT,
            f"{INSTALL_JOB} run on the previous packages",
            lambda: runtime.run_job(project, INSTALL_JOB),
        )
        with self.timeline.step("install", f"Linking {self.addon.name} in ({INSTALL_JOB})"):
            runtime.run_job(project, INSTALL_JOB)
        self.installed = INSTALL_JOB

    def restart(self) -> None:
        if not self.was_running:
            return
        runtime, project = self.running.runtime, self.running.project

        def restart() -> None:
            runtime.restart(project, (SERVICE,), self.reporter.event)

        self.transaction.on_rollback(
            Phase.SERVICES, "frontend restarted on the previous add-ons", restart
        )
        with self.timeline.timed("restart"):
            restart()
        self.restarted = True
        self._ask_for_page()

    def _ask_for_page(self) -> None:
        """The page as a browser gets it; a page without the text only warns: the add-on
        is in place, what the page lacks may be the site (the backend stopped)."""
        url = f"{self.running.project.service(SERVICE).url}{self.addon.route}"
        with self.timeline.step("page", f"Asking the frontend for {self.addon.route}"):
            status, body = fetch_page(url, timeout=120)
        self.page_shown = status == 200 and self.addon.greeting in body
        if not self.page_shown:
            self.warnings.append(
                f"{url} answered {status or 'nothing'} without {self.addon.greeting!r}: see "
                "`plonedev logs frontend`"
            )

    def _frontend_runs(self) -> bool:
        project = self.running.project
        if project.by_role(Role.FRONTEND) is None:
            return False
        statuses = self.running.runtime.status(project)
        return any(s.name == SERVICE and s.state in UP_STATES for s in statuses)


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise PlonedevError(
            f"{path} not found: the frontend is not a Volto project plonedev knows",
            "run `plonedev add-frontend` for a new one, or create the file",
        ) from None
