"""Read and check mx.ini, the user's list of add-on sources, without fetching anything.

The checks mirror what mxdev accepts, so a broken file fails here with a message naming
the section and key ("mx.ini: [collective.foo]: no url ...") instead of deep inside
mxdev (which raises bare ValueErrors, or logs and carries on with an unknown vcs).
Only the standard library is used, so `plonedev up` can tell cheaply whether anything
changed without importing mxdev.
"""

from __future__ import annotations

import configparser
import os
from dataclasses import dataclass
from pathlib import Path

from plonedev.errors import ConfigError

LABEL = "mx.ini"
SETTINGS = "settings"
INSTALL_MODES = ("editable", "fixed", "skip")
# mxdev's own working copy types; others come from "mxdev.workingcopytypes" entry points.
BUILTIN_VCS = frozenset({"git", "fs", "svn", "hg", "bzr", "darcs", "gitsvn"})
_TRUE = ("true", "on", "yes", "1")
_BOOLEANS = (*_TRUE, "false", "off", "no", "0")


@dataclass(frozen=True)
class SourceSpec:
    """One package section of mx.ini, with mxdev's defaults filled in."""

    name: str
    url: str
    vcs: str
    branch: str | None  # None when a rev pins the checkout
    rev: str | None
    path: Path  # absolute: where the checkout lives
    install_mode: str  # editable | fixed | skip
    update: bool  # False: an existing checkout is left alone (`update = false`)


def list_sources(root: Path) -> tuple[SourceSpec, ...]:
    """The sources mx.ini declares (none when there is no mx.ini); ConfigError if broken."""
    root = root.resolve()
    mx_ini = root / "mx.ini"
    if not mx_ini.is_file():
        return ()
    parser = read_mx_ini(mx_ini, root)
    settings = _settings(parser)
    default_mode = _install_mode(SETTINGS, "default-install-mode", settings, "editable")
    default_use = _to_bool(settings.get("default-use", "true"))
    target = settings.get("default-target", "sources")
    specs = []
    for name in parser.sections():
        section = _section(parser, name)
        if not _to_bool(section.get("use", str(default_use))):
            continue
        specs.append(_spec(root, name, section, target, default_mode))
    return tuple(specs)


def read_mx_ini(mx_ini: Path, root: Path) -> configparser.ConfigParser:
    """Parse mx.ini the way mxdev does (settings as defaults, ${section:key} references)."""
    parser = configparser.ConfigParser(
        default_section=SETTINGS, interpolation=configparser.ExtendedInterpolation()
    )
    parser.optionxform = str  # type: ignore[assignment,method-assign]  # keys keep their case
    # mxdev sets ${settings:directory} to its working directory: plonedev runs it in root.
    parser[SETTINGS]["directory"] = str(root)
    try:
        text = mx_ini.read_text(encoding="utf-8")
        parser.read_string(text, source=str(mx_ini))
    except configparser.DuplicateSectionError as exc:
        raise ConfigError(
            f"{LABEL}: line {exc.lineno}: [{exc.section}] appears twice",
            "merge the two sections into one",
        ) from None
    except configparser.DuplicateOptionError as exc:
        raise ConfigError(
            f"{LABEL}: [{exc.section}]: {exc.option} is set twice (line {exc.lineno})",
            "keep one of the two lines",
        ) from None
    except configparser.MissingSectionHeaderError as exc:
        raise ConfigError(
            f"{LABEL}: line {exc.lineno}: a setting outside any [section]: {exc.line.strip()!r}",
            "start the file with [settings] or a [package] section",
        ) from None
    except configparser.ParsingError as exc:
        lineno = exc.errors[0][0]
        line = text.splitlines()[lineno - 1].strip()  # the error holds a repr() of it
        raise ConfigError(
            f"{LABEL}: line {lineno}: cannot parse {line!r}",
            "write `key = value` lines under a [section]",
        ) from None
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{LABEL}: not UTF-8 text: {exc.reason}") from None
    if parser.has_option(SETTINGS, "include"):
        # Included files may be URLs; only mxdev's reader knows how to fetch them.
        return _read_with_includes(mx_ini, root)
    return parser


def _read_with_includes(mx_ini: Path, root: Path) -> configparser.ConfigParser:
    from mxdev.including import read_with_included

    from plonedev.sources.mxdev_session import working_directory

    try:
        with working_directory(root):
            parser: configparser.ConfigParser = read_with_included(str(mx_ini))
    except (OSError, configparser.Error) as exc:
        raise ConfigError(
            f"{LABEL}: [settings]: include: cannot read an included file: {exc}",
            "fix the include paths or URLs",
        ) from None
    return parser


def _settings(parser: configparser.ConfigParser) -> dict[str, str]:
    return _section(parser, SETTINGS)


def _section(parser: configparser.ConfigParser, name: str) -> dict[str, str]:
    """All keys of a section with ${...} references resolved; errors name the key."""
    # A section's own keys, as mxdev reads them (SectionProxy would add the settings).
    keys = parser.defaults().keys() if name == SETTINGS else parser._sections[name].keys()  # type: ignore[attr-defined]
    values = {}
    for key in keys:
        try:
            values[key] = parser.get(name, key)
        except configparser.InterpolationError as exc:
            raise ConfigError(
                f"{LABEL}: [{name}]: {key}: bad ${{...}} reference: {exc.message.splitlines()[0]}",
                "reference an existing key as ${section:key}, or write $$ for a literal $",
            ) from None
    return values


def _spec(
    root: Path, name: str, section: dict[str, str], target: str, default_mode: str
) -> SourceSpec:
    url = section.get("url", "").strip()
    if not url:
        raise ConfigError(
            f"{LABEL}: [{name}]: no url",
            "add `url = https://github.com/...` (or the directory name with `vcs = fs`)",
        )
    vcs = section.get("vcs", "git").strip()
    if vcs not in BUILTIN_VCS and vcs not in known_vcs():
        raise ConfigError(
            f"{LABEL}: [{name}]: vcs: unknown version control {vcs!r}",
            f"use one of {', '.join(sorted(known_vcs()))}",
        )
    mode = _install_mode(name, "install-mode", section, default_mode)
    update = section.get("update", "true").strip().lower()
    if update not in _BOOLEANS:
        raise ConfigError(
            f"{LABEL}: [{name}]: update: expected true or false, got {section['update']!r}"
        )
    rev = section.get("rev") or section.get("revision") or None
    branch: str | None = section.get("branch", "main").strip()
    if rev:
        if branch != "main":
            raise ConfigError(
                f"{LABEL}: [{name}]: both branch ({branch}) and rev ({rev}) are set",
                "keep one: a rev pins the checkout, a branch follows it",
            )
        branch = None
    path = root / section.get("target", target) / name
    if "path" in section:
        path = root / section["path"]
    path = Path(os.path.normpath(path))
    if vcs == "fs" and path.name != url:
        raise ConfigError(
            f"{LABEL}: [{name}]: vcs = fs needs url = the directory name ({path.name!r}), "
            f"got {url!r}",
            f"set `url = {path.name}`",
        )
    return SourceSpec(
        name=name,
        url=url,
        vcs=vcs,
        branch=branch,
        rev=rev,
        path=path,
        install_mode=mode,
        update=update in _TRUE,
    )


def _install_mode(section: str, key: str, values: dict[str, str], default: str) -> str:
    mode = values.get(key, default).strip()
    if mode == "direct":  # mxdev's deprecated spelling of editable
        return "editable"
    if mode not in INSTALL_MODES:
        raise ConfigError(
            f"{LABEL}: [{section}]: {key}: expected one of {', '.join(INSTALL_MODES)}, got {mode!r}"
        )
    return mode


def known_vcs() -> frozenset[str]:
    # Importing and scanning entry points costs ~40 ms: only for a vcs that is not built in.
    from importlib.metadata import entry_points

    plugins = {ep.name for ep in entry_points(group="mxdev.workingcopytypes")}
    return BUILTIN_VCS | plugins


def _to_bool(value: str) -> bool:
    return value.strip().lower() in _TRUE
