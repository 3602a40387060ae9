"""The plonedev release a project asks for (`tool.plonedev.plonedev-version`).

A team pins the plonedev its project works with, and every member runs that one through
uvx (or pipx run) without installing anything: `team_command` is the command the
project's README gives. Every command checks the running plonedev against the pin first,
so a member with another release gets one line saying which to run, not a failure later.
"""

from __future__ import annotations

import shlex

from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.version import InvalidVersion, Version

from plonedev import __version__
from plonedev.errors import ConfigError

KEY = "tool.plonedev.plonedev-version"


def parse_pin(text: str) -> SpecifierSet | None:
    """Version specifiers such as '>=0.1,<0.2'; None when the text is not that."""
    try:
        specifiers = SpecifierSet(text.strip())
    except InvalidSpecifier:
        return None
    return specifiers if str(specifiers) else None


def compatible_range(version: str = __version__) -> str:
    """The releases compatible with `version`: its minor series before 1.0 (0.1.x is not
    0.2), its major one after."""
    parsed = Version(version)
    major, minor = (*parsed.release, 0, 0)[:2]
    # A pre-release sorts below its release: it must be its own lower bound.
    lower = str(parsed) if parsed.is_prerelease else f"{major}.{minor}"
    upper = f"{major}.{minor + 1}" if major == 0 else f"{major + 1}"
    return f">={lower},<{upper}"


def team_command(pin: str, *arguments: str) -> str:
    """The shell command that runs the pinned plonedev, e.g. `uvx --from 'plonedev>=0.1,<0.2'
    plonedev up`."""
    return shlex.join(["uvx", "--from", f"plonedev{pin}", "plonedev", *arguments])


def pipx_command(pin: str, *arguments: str) -> str:
    return shlex.join(["pipx", "run", "--spec", f"plonedev{pin}", "plonedev", *arguments])


def check_running_version(pin: str, label: str, running: str = __version__) -> None:
    """Raise a ConfigError when the running plonedev does not satisfy the project's pin
    (`pin` already validated: parse_pin accepted it)."""
    specifiers = parse_pin(pin)
    try:
        version = Version(running)
    except InvalidVersion:  # a checkout with an odd version string: nothing to compare
        return
    if specifiers is not None and not specifiers.contains(version, prereleases=True):
        wanted = pin.strip()
        raise ConfigError(
            f"{label}: {KEY}: this project needs plonedev {wanted}, but this is plonedev {running}",
            f"run the one it asks for: {team_command(wanted, 'up')}",
        )
