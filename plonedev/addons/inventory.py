"""The add-ons a project's config names: tool.plonedev.addons and the sections of mx.ini."""

from __future__ import annotations

from dataclasses import dataclass

from plonedev.addons.request import canonical, requirement_name
from plonedev.project_setup.find_project import ProjectContext
from plonedev.sources import SourceSpec, list_sources


@dataclass(frozen=True)
class ConfiguredAddon:
    name: str  # the distribution name as the config writes it
    origin: str  # "index", "git", "path" (mx.ini vcs = fs), or another mx.ini vcs
    where: str  # "pyproject.toml: tool.plonedev.addons" or "mx.ini: [name]"
    requirement: str  # index: the requirement; mx.ini: the url
    spec: SourceSpec | None = None  # mx.ini's section, read

    @property
    def key(self) -> str:
        return canonical(self.name)


def configured_addons(context: ProjectContext) -> list[ConfiguredAddon]:
    found = [
        ConfiguredAddon(
            requirement_name(requirement),
            "index",
            "pyproject.toml: tool.plonedev.addons",
            requirement,
        )
        for requirement in context.config.addons
    ]
    for spec in list_sources(context.paths.root):
        origin = "path" if spec.vcs == "fs" else spec.vcs
        found.append(ConfiguredAddon(spec.name, origin, f"mx.ini: [{spec.name}]", spec.url, spec))
    return found


def find_addon(context: ProjectContext, name: str) -> ConfiguredAddon | None:
    key = canonical(requirement_name(name))
    return next((addon for addon in configured_addons(context) if addon.key == key), None)
