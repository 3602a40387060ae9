"""`plonedev doctor`: which runtime would run, what is missing, which ports are taken."""

from __future__ import annotations

import shutil
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from plonedev.config import PlonedevConfig
from plonedev.errors import PlonedevError
from plonedev.model_builder import build_project
from plonedev.paths import ProjectPaths
from plonedev.project_setup.find_project import open_project
from plonedev.runtime import select
from plonedev.runtime.engine_probe import probe_engine
from plonedev.runtime.ports import port_is_free
from plonedev.runtime.record import record_file
from plonedev.runtimes.registry import RUNTIMES, runtime_kind


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str
    required: bool = True


@dataclass(frozen=True)
class DoctorResult:
    root: Path
    runtime: str
    runtime_reason: str
    checks: list[Check] = field(default_factory=list)
    config: dict[str, Any] = field(default_factory=dict)

    @property
    def healthy(self) -> bool:
        return all(check.ok for check in self.checks if check.required)


def doctor(start: Path, runtime: str | None = None) -> DoctorResult:
    context = open_project(start)
    config = context.config
    engine = probe_engine()
    recorded = record_file(context.paths.state).read().runtime
    resolution = select.resolve(
        runtime, config.runtime, probe=lambda: engine, recorded=recorded, known=RUNTIMES
    )
    checks = [
        Check("python", True, f"{sys.version.split()[0]} at {sys.executable}"),
        Check("docker engine", engine.answers, engine.reason, required=False),
        _program("git", "needed to check out git sources (Debian: apt-get install git)"),
    ]
    checks += [
        Check(*finding) for finding in runtime_kind(resolution.name).findings(context, engine)
    ]
    checks += _port_checks(context.paths, config, resolution.name)
    return DoctorResult(
        root=context.paths.root,
        runtime=resolution.name,
        runtime_reason=resolution.reason,
        checks=checks,
        config=config.model_dump(mode="json", by_alias=True),
    )


def _program(name: str, missing_hint: str) -> Check:
    path = shutil.which(name)
    return Check(name, path is not None, path or f"not found: {missing_hint}")


def _port_checks(paths: ProjectPaths, config: PlonedevConfig, runtime: str) -> list[Check]:
    try:
        # Ports do not depend on the programs: a missing one has its own finding above.
        project = build_project(config, paths, native_programs=False)
        statuses = runtime_kind(runtime).services(paths).status(project)
    except PlonedevError as error:
        return [Check("services", False, str(error))]
    ours = {s.name for s in statuses if s.pid}
    checks = []
    for service in project.services:
        for binding in service.ports:
            if service.name in ours:
                detail, ok = (
                    f"{binding.host}:{binding.port} in use by this project's {service.name}",
                    True,
                )
            elif port_is_free(binding.host, binding.port):
                detail, ok = f"{binding.host}:{binding.port} free", True
            else:
                detail = (
                    f"{binding.host}:{binding.port} taken by another program "
                    f"(set tool.plonedev.ports.{binding.name})"
                )
                ok = False
            checks.append(Check(f"port {binding.name}", ok, detail))
    return checks
