"""Read and validate `[tool.plonedev]` from pyproject.toml into one immutable config.

Every error names the file and the key, and says what was expected, so the user can fix
it in one go: "pyproject.toml: tool.plonedev.storage: expected one of filestorage, zeo,
relstorage, got 'zoe'".
"""

from __future__ import annotations

import re
import tomllib
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlsplit

from packaging.requirements import InvalidRequirement, Requirement
from packaging.version import InvalidVersion, Version
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from plonedev.errors import ConfigError
from plonedev.version_pin import check_running_version, parse_pin


def _kebab(name: str) -> str:
    return name.replace("_", "-")


class Storage(StrEnum):
    FILESTORAGE = "filestorage"
    ZEO = "zeo"
    RELSTORAGE = "relstorage"


class Distribution(StrEnum):
    VOLTO = "volto"
    CLASSIC = "classic"


class RuntimeChoice(StrEnum):
    AUTO = "auto"
    NATIVE = "native"
    DOCKER = "docker"


# Strict: TOML has real booleans and integers, so `varnish = 1` or `backend = "8080"`
# is a mistake to report, not a value to guess at.
Port = Annotated[int, Field(ge=1, le=65535, strict=True)]
Flag = Annotated[bool, Field(strict=True)]
# Seconds Varnish keeps anonymous pages at least; up to a day (a typo of 36000 is not one).
Hold = Annotated[int, Field(ge=0, le=86400, strict=True)]
Keep = Annotated[int, Field(ge=1, le=1000, strict=True)]


def parse_requirement(text: str) -> Requirement | None:
    """A requirement as `addons` takes it: a name, optional [extras] and version
    specifiers; no URLs or markers (sources come from mx.ini). None when it is not one."""
    try:
        requirement = Requirement(text.strip())
    except InvalidRequirement:
        return None
    if requirement.url or requirement.marker:
        return None
    return requirement


class _Section(BaseModel):
    # kebab-case keys in TOML, snake_case in Python; unknown keys are errors (typos).
    model_config = ConfigDict(
        alias_generator=_kebab, populate_by_name=True, extra="forbid", frozen=True
    )


class Ports(_Section):
    backend: Port = 8080
    zeo: Port = 8100
    postgres: Port = 5433
    varnish: Port = 8000
    frontend: Port = 3000


# Docker's reference grammar (distribution/reference): [registry[:port]/]path[:tag][@digest].
_DOMAIN_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
REGISTRY = rf"{_DOMAIN_LABEL}(?:\.{_DOMAIN_LABEL})*(?::[0-9]+)?"
PATH_COMPONENT = r"[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*"
TAG = r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}"
IMAGE_REFERENCE = re.compile(
    rf"(?:{REGISTRY}/)?{PATH_COMPONENT}(?:/{PATH_COMPONENT})*"
    rf"(?::{TAG})?(?:@[a-z0-9]+(?:[+._-][a-z0-9]+)*:[0-9a-fA-F]+)?"
)
# A DNS host name (RFC 1123): dot-separated labels of letters, digits and inner '-'.
_HOST_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
HOST_NAME = re.compile(rf"(?=.{{1,253}}$){_HOST_LABEL}(?:\.{_HOST_LABEL})*")
# package:name, optionally written as GenericSetup's "profile-package:name".
_PROFILE = re.compile(r"(?:profile-)?(?P<product>[A-Za-z_][\w.]*):(?P<name>[\w.-]+)")


class Images(_Section):
    """Images for the Docker runtime; each can point at a private registry or a digest."""

    python: str = ""  # the build's base; default: "python:<tool.plonedev.python>-slim"
    postgres: str = "postgres:16"
    varnish: str = "varnish:7.6"
    node: str = "node:22-slim"
    backend: str = ""  # default: "<name>-backend:dev" (built from compose/Dockerfile)
    frontend: str = ""  # default: "<project-name>-frontend"

    @field_validator("*")
    @classmethod
    def _is_an_image_reference(cls, value: str) -> str:
        if value and not IMAGE_REFERENCE.fullmatch(value):
            raise ValueError(
                f"expected an image reference like 'registry.example.org/team/name:tag', "
                f"got {value!r}"
            )
        return value


class PlonedevConfig(_Section):
    name: str = ""  # Compose project name; default: [project].name or the folder name
    plonedev_version: str = ""  # the plonedev releases the project works with: ">=0.1,<0.2"
    plone_version: str = "6.2.2"
    constraints: str = ""  # URL or path; default: plonedev's verified set, or the release's
    python: str = "3.11"
    site_id: str = "Plone"
    site_title: str = "Plone site"
    distribution: Distribution = Distribution.VOLTO
    profiles: tuple[str, ...] = ()  # extra GenericSetup profiles installed in a new site
    addons: tuple[str, ...] = ()  # add-ons from the package index: "collective.foo==1.2"
    zcml_includes: tuple[str, ...] = ()  # packages without a plone.autoinclude entry point
    storage: Storage = Storage.FILESTORAGE
    varnish: Flag = False
    cache_hold: Hold = 0  # anonymous pages stay in Varnish at least this long (seconds)
    snapshot_keep: Keep = 5  # automatic snapshots (before down --volumes...) kept, newest first
    frontend: str = ""  # path to the Volto project, "" for none
    runtime: RuntimeChoice = RuntimeChoice.AUTO
    debug: Flag = True
    admin_user: str = "admin"
    ca_bundle: str = ""  # CA bundle for HTTPS behind an intercepting proxy
    ports: Ports = Ports()
    images: Images = Images()

    @field_validator("site_id")
    @classmethod
    def _site_id_is_an_id(cls, value: str) -> str:
        if not re.fullmatch(r"[A-Za-z][A-Za-z0-9_.-]*", value):
            raise ValueError(f"expected a Zope id (letters, digits, _ . -), got {value!r}")
        return value

    @field_validator("plonedev_version")
    @classmethod
    def _plonedev_version_is_specifiers(cls, value: str) -> str:
        if value and parse_pin(value) is None:
            raise ValueError(f"expected version specifiers like '>=0.1,<0.2', got {value!r}")
        return value

    @field_validator("addons")
    @classmethod
    def _addons_are_requirements(cls, values: tuple[str, ...]) -> tuple[str, ...]:
        for value in values:
            if parse_requirement(value) is None:
                raise ValueError(
                    f"expected requirements like 'collective.foo' or 'collective.foo==1.2', "
                    f"got {value!r}"
                )
        return tuple(value.strip() for value in values)

    @field_validator("zcml_includes")
    @classmethod
    def _includes_are_dotted_names(cls, values: tuple[str, ...]) -> tuple[str, ...]:
        for value in values:
            if not re.fullmatch(r"[A-Za-z_]\w*(\.[A-Za-z_]\w*)*", value):
                raise ValueError(
                    f"expected package names as imported (collective.foo), got {value!r}"
                )
        return values

    @field_validator("name")
    @classmethod
    def _name_is_a_compose_name(cls, value: str) -> str:
        if value and not re.fullmatch(r"[a-z0-9][a-z0-9_-]*", value):
            raise ValueError(
                f"expected lowercase letters, digits, '-' and '_' (a Compose project name), "
                f"got {value!r}"
            )
        return value

    @field_validator("constraints")
    @classmethod
    def _constraints_is_a_path_or_http_url(cls, value: str) -> str:
        if "://" in value and not is_http_url(value):
            raise ValueError(f"expected a file or an http(s):// URL, got {value!r}")
        return value

    @field_validator("profiles")
    @classmethod
    def _profiles_are_profile_ids(cls, values: tuple[str, ...]) -> tuple[str, ...]:
        for value in values:
            parse_profile(value)  # its ValueError names the value
        return values

    @field_validator("plone_version")
    @classmethod
    def _plone_version_is_a_version(cls, value: str) -> str:
        try:
            Version(value)
        except InvalidVersion:
            raise ValueError(f"expected a Plone release such as '6.2.2', got {value!r}") from None
        return value

    @field_validator("admin_user")
    @classmethod
    def _admin_user_is_a_login(cls, value: str) -> str:
        # Sent as HTTP basic auth "user:password": a ':' or a blank cannot be in it.
        if not re.fullmatch(r"[^\s:]+", value):
            raise ValueError(f"expected a login name without blanks or ':', got {value!r}")
        return value

    @property
    def constraints_is_url(self) -> bool:
        return self.constraints.startswith(("http://", "https://"))


def is_http_url(value: str) -> bool:
    """An http:// or https:// URL with a host and no blanks."""
    try:
        parsed = urlsplit(value)
        hostname = parsed.hostname
    except ValueError:  # e.g. an unclosed "[" of an IPv6 address
        return False
    return parsed.scheme in ("http", "https") and bool(hostname) and not re.search(r"\s", value)


def parse_profile(profile: str) -> tuple[str, str]:
    """A GenericSetup profile id, `package:name`, as (package, name)."""
    match = _PROFILE.fullmatch(profile)
    if match is None:
        raise ValueError(
            f"expected GenericSetup profile ids like 'collective.foo:default', got {profile!r}"
        )
    return match["product"], match["name"]


def default_constraints_url(plone_version: str) -> str:
    return f"https://dist.plone.org/release/{plone_version}/constraints.txt"


def constraints_source(config: PlonedevConfig, root: Path) -> str:
    """The constraints to install with: the configured URL or file, else plonedev's
    verified pin set for this Plone version, else the release's published constraints."""
    if config.constraints_is_url:
        return config.constraints
    if config.constraints:
        return str(constraints_file(config.constraints, root))
    from plonedev.constraints import bundled_constraints

    bundled = bundled_constraints(config.plone_version)
    return str(bundled) if bundled else default_constraints_url(config.plone_version)


def load_config(pyproject: Path) -> PlonedevConfig:
    """Load `[tool.plonedev]`; raise ConfigError naming file and key on any problem."""
    label = pyproject.name
    if not pyproject.is_file():
        raise ConfigError(
            f"{pyproject}: not found",
            "run `plonedev init` to create a project, or run plonedev inside one",
        )
    try:
        data = tomllib.loads(pyproject.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{label}: invalid TOML: {exc}", "fix the syntax at that line") from None
    tool = data.get("tool", {})
    section = tool.get("plonedev") if isinstance(tool, dict) else None
    if section is None:
        raise ConfigError(
            f"{label}: no [tool.plonedev] section",
            "add one (`plonedev init` writes a working example)",
        )
    if not isinstance(section, dict):
        raise ConfigError(f"{label}: tool.plonedev: expected a table")
    pin = section.get("plonedev-version")
    if isinstance(pin, str):
        # Before the other keys: a project made for a newer plonedev may use keys this one
        # does not know, and the one line worth reading then is which plonedev to run.
        check_running_version(pin, label)
    try:
        config = PlonedevConfig.model_validate(section)
    except ValidationError as exc:
        raise ConfigError(_describe(label, exc)) from None
    root = pyproject.parent
    # Files the config names are checked now, for every command, not where they are used.
    if config.ca_bundle:
        ca_bundle_file(config.ca_bundle, root)
    if config.constraints and not config.constraints_is_url:
        constraints_file(config.constraints, root)
    if config.frontend:
        frontend_folder(config.frontend, root)
    if not config.name:
        config = config.model_copy(update={"name": _project_name(data, pyproject.parent)})
    return config


def ca_bundle_file(configured: str, root: Path) -> Path:
    """The file `tool.plonedev.ca-bundle` names (relative to the project), which must exist."""
    return _configured_file(
        "ca-bundle",
        configured,
        root,
        "point it at a PEM bundle (e.g. /etc/ssl/certs/ca-certificates.crt) or remove it",
    )


def constraints_file(configured: str, root: Path) -> Path:
    """The file `tool.plonedev.constraints` names (relative to the project), which must exist."""
    return _configured_file(
        "constraints",
        configured,
        root,
        "point it at an existing file or an http(s) URL, or remove the key to use the "
        "release's constraints",
    )


def _configured_file(key: str, configured: str, root: Path, hint: str) -> Path:
    path = (root / configured).expanduser()
    if not path.is_file():
        raise ConfigError(
            f"pyproject.toml: tool.plonedev.{key}: file {configured!r} not found", hint
        )
    return path.resolve()


def frontend_folder(configured: str, root: Path) -> Path:
    """The Volto project `tool.plonedev.frontend` names: a folder with a package.json."""
    path = (root / configured).resolve()
    if not (path / "package.json").is_file():
        what = "is not a folder" if path.exists() and not path.is_dir() else "has no package.json"
        raise ConfigError(
            f"pyproject.toml: tool.plonedev.frontend: {configured!r} {what}",
            "point it at the Volto project's folder, or remove the key and run "
            "`plonedev add-frontend`",
        )
    return path


def _project_name(data: dict[str, Any], root: Path) -> str:
    project = data.get("project", {})
    raw = project.get("name") if isinstance(project, dict) else None
    name = str(raw) if raw else root.resolve().name
    slug = re.sub(r"[^a-z0-9_-]+", "-", name.lower()).strip("-_")
    return slug or "plone"


_EXPECTED = {
    "bool_type": "expected true or false",
    "bool_parsing": "expected true or false",
    "int_type": "expected a whole number",
    "int_parsing": "expected a whole number",
    "string_type": "expected a string",
    "tuple_type": "expected a list",
    "model_type": "expected a table",
    "model_attributes_type": "expected a table",
}


def _describe(label: str, exc: ValidationError) -> str:
    """First error as 'file: tool.plonedev.key: what was expected, got what'."""
    err = exc.errors()[0]
    key = ".".join(["tool", "plonedev", *(_kebab(str(p)) for p in err["loc"])])
    got = err.get("input")
    kind = err["type"]
    if kind == "extra_forbidden":
        return f"{label}: {key}: unknown key (check its spelling; see `plonedev doctor`)"
    if kind == "enum":
        allowed = err.get("ctx", {}).get("expected", "")
        return f"{label}: {key}: expected one of {_plain_list(allowed)}, got {got!r}"
    if kind in ("greater_than_equal", "less_than_equal"):
        return f"{label}: {key}: expected a port between 1 and 65535, got {got!r}"
    if kind in _EXPECTED:
        return f"{label}: {key}: {_EXPECTED[kind]}, got {got!r}"
    message = str(err["msg"]).removeprefix("Value error, ")
    return f"{label}: {key}: {message}"


def _plain_list(expected: str) -> str:
    # pydantic says "'a', 'b' or 'c'"; the user wants "a, b, c".
    names = re.findall(r"'([^']*)'", expected)
    return ", ".join(names) if names else expected


__all__ = [
    "Distribution",
    "Images",
    "PlonedevConfig",
    "Ports",
    "RuntimeChoice",
    "Storage",
    "constraints_file",
    "default_constraints_url",
    "frontend_folder",
    "is_http_url",
    "load_config",
    "parse_profile",
    "parse_requirement",
]
