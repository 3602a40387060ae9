"""`plonedev ci github|gitlab`: write the project's CI pipeline for its forge.

A generated file like the others (plonedev.render.owned): rewritten while it carries
plonedev's marker, left alone once the user took it over.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from plonedev.project_setup.find_project import open_project
from plonedev.render.ci_github import WORKFLOW_PATH, render_github
from plonedev.render.ci_gitlab import PIPELINE_PATH, render_gitlab
from plonedev.render.ci_jobs import CiOptions, ci_project
from plonedev.render.owned import OwnedFile, write_owned


class Forge(StrEnum):
    GITHUB = "github"
    GITLAB = "gitlab"


@dataclass(frozen=True)
class CiResult:
    forge: Forge
    file: OwnedFile
    frontend: bool
    deploy: bool


def write_ci(start: Path, forge: Forge, options: CiOptions) -> CiResult:
    context = open_project(start)
    project = ci_project(context.config)
    if forge is Forge.GITHUB:
        path, text = WORKFLOW_PATH, render_github(project, options)
    else:
        path, text = PIPELINE_PATH, render_gitlab(project, options)
    owned = write_owned(context.paths.root / path, text)
    return CiResult(forge, owned, bool(project.frontend), bool(options.deploy_host))
