"""What the backend image is built from: the Dockerfile, its ignore file, and its inputs.

Pure: every function returns file contents; plonedev.runtime.docker_prepare writes them.
The build context is the project root. mxdev's requirements are split in two, so the
layer with the third-party dependencies stays cached while the add-ons change:

  .plonedev/docker/requirements.txt       mxdev's requirements without the add-ons
  .plonedev/docker/constraints.txt        mxdev's constraints
  .plonedev/docker/sources-editable.txt   the add-ons as mxdev installs them (dev target)
  .plonedev/docker/sources.txt            the add-ons, not editable (prod target)
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from importlib import resources
from pathlib import Path, PurePosixPath

from plonedev.backend.instance import InstanceSettings, render_instance, render_zeo_server
from plonedev.backend.instance_place import InstancePlace, instance_settings
from plonedev.config import PlonedevConfig, Storage
from plonedev.errors import PlonedevError
from plonedev.render.containers import (
    BACKEND_PORT,
    DATA,
    DOCKER_DIR,
    INSTANCE,
    PROJECT,
    ZEO_PORT,
    relstorage_dsn,
)
from plonedev.render.owned import MARKER

DOCKERFILE = "compose/Dockerfile"
DOCKERIGNORE = "compose/Dockerfile.dockerignore"  # BuildKit reads <Dockerfile>.dockerignore
BIN_SCRIPTS = {
    "entrypoint": 0o755,
    "create-site": 0o755,
    "create_site.py": 0o644,
    "healthcheck.py": 0o644,
    "run-zope.py": 0o644,
}
# Packages RelStorage's psycopg2 needs to build on a slim image (present: nothing to do).
RELSTORAGE_APT = "gcc libc6-dev libpq-dev"

_SOURCE_LINE = re.compile(
    r"^(?P<editable>-e\s+)?(?P<path>(\.{1,2}/|/)[^\[\s]*)(?P<extras>\[[^\]]*\])?$"
)


@dataclass(frozen=True)
class SourceLine:
    """An add-on from mxdev's requirements: installed from a folder of the project."""

    path: str  # relative to the project root, POSIX style ("sources/collective.foo")
    editable: bool
    extras: str = ""  # "[test]"

    def requirement(self, *, editable: bool) -> str:
        prefix = "-e " if editable and self.editable else ""
        return f"{prefix}./{self.path}{self.extras}"


@dataclass(frozen=True)
class SplitRequirements:
    third_party: str  # requirements.txt
    sources: tuple[SourceLine, ...]


def split_requirements(text: str, root: Path) -> SplitRequirements:
    """Separate mxdev's requirements into third-party lines and the project's add-ons."""
    kept: list[str] = []
    sources: list[SourceLine] = []
    for raw in text.splitlines():
        line = raw.strip()
        # mxdev's comments name the project's absolute path: without them, projects with
        # the same requirements share the image layer.
        if not line or line.startswith("#") or re.match(r"^(-c|--constraint)\b", line):
            continue  # the constraints are passed on their own
        match = _SOURCE_LINE.match(line)
        if match is None:
            kept.append(line)
            continue
        sources.append(
            SourceLine(
                path=_inside(root, match["path"]),
                editable=bool(match["editable"]),
                extras=match["extras"] or "",
            )
        )
    return SplitRequirements("".join(f"{line}\n" for line in kept), tuple(sources))


def portable_constraints(text: str) -> str:
    """mxdev's constraints without comments (they name the project's absolute path)."""
    lines = (line.strip() for line in text.splitlines())
    return "".join(f"{line}\n" for line in lines if line and not line.startswith("#"))


def _inside(root: Path, path: str) -> str:
    resolved = (root / path).resolve()
    try:
        relative = resolved.relative_to(root.resolve())
    except ValueError:
        raise PlonedevError(
            f"the add-on at {resolved} is outside the project: the Docker runtime builds "
            "only what is inside the project folder",
            "check it out into sources/ (mx.ini: default-target = sources), or use "
            "--runtime native",
        ) from None
    return PurePosixPath(relative).as_posix()


def sources_files(split: SplitRequirements) -> dict[str, str]:
    """sources-editable.txt (dev) and sources.txt (prod), as requirement lines."""
    editable = [s.requirement(editable=True) for s in split.sources]
    fixed = [s.requirement(editable=False) for s in split.sources]
    return {
        "sources-editable.txt": "".join(f"{line}\n" for line in editable),
        "sources.txt": "".join(f"{line}\n" for line in fixed),
    }


def dockerfile() -> str:
    return _template("Dockerfile")


def bin_scripts() -> dict[str, tuple[str, int]]:
    """The scripts every backend image carries in /app/bin: name -> (content, mode)."""
    return {name: (_template(f"bin/{name}"), mode) for name, mode in BIN_SCRIPTS.items()}


def _template(name: str) -> str:
    return resources.files("plonedev").joinpath("templates", "docker", name).read_text("utf-8")


def dockerignore(source_dirs: tuple[str, ...]) -> str:
    """Send the build only what the image uses: never var/, .git or a local venv."""
    lines = [
        f"# {MARKER}: rewritten on `plonedev up`. Delete this line to take the file over.",
        "# The build context is the project root; everything not listed here stays out.",
        # Not even pyproject.toml: projects (and teammates) with the same add-ons and
        # requirements then share every layer.
        "*",
        f"!{DOCKER_DIR}",
        f"{DOCKER_DIR}/ca-bundle.pem",  # a secret: never in an image
        f"{DOCKER_DIR}/build-*.json",
        *(f"!{directory}" for directory in source_dirs),
        "**/__pycache__",
        "**/*.egg-info",
        "**/node_modules",
        "**/.git",
        "",
    ]
    return "\n".join(lines)


def build_args(config: PlonedevConfig, python_image: str, uv_version: str) -> dict[str, str]:
    return {
        "PYTHON_IMAGE": python_image,
        "UV_VERSION": uv_version,
        "APT_PACKAGES": RELSTORAGE_APT if config.storage is Storage.RELSTORAGE else "",
    }


def container_instance_settings(config: PlonedevConfig) -> InstanceSettings:
    """The Zope instance as the backend container sees it (paths inside the container)."""
    data = Path(DATA)
    shared_blobs = config.storage is Storage.FILESTORAGE
    place = InstancePlace(
        instance_dir=Path(INSTANCE),
        var_dir=data / "var",
        # ZEO and RelStorage: blobs travel through the storage server into a local cache.
        blob_dir=data / ("blobstorage" if shared_blobs else "blobcache"),
        filestorage_path=data / "filestorage" / "Data.fs",
        http=("0.0.0.0", BACKEND_PORT),  # noqa: S104 (inside the container; published on 127.0.0.1)
        zeo_address=("zeo", ZEO_PORT),
        zeo_blob_shared=False,
        relstorage_dsn=relstorage_dsn(),
    )
    return instance_settings(config, place)


def instance_files(config: PlonedevConfig) -> dict[str, str]:
    """The container's instance files, relative to the instance folder."""
    instance = Path(INSTANCE)
    files = render_instance(container_instance_settings(config))
    if config.storage is Storage.ZEO:
        data = Path(DATA)
        files.update(
            render_zeo_server(
                instance / "zeo",
                "0.0.0.0",  # noqa: S104 (inside the container; published on 127.0.0.1)
                ZEO_PORT,
                data / "blobstorage",
                data / "filestorage" / "Data.fs",
            )
        )
    return {path.relative_to(instance).as_posix(): text for path, text in files.items()}


def source_mount_target(path: str) -> str:
    return f"{PROJECT}/{path}"
