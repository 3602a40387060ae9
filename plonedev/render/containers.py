"""The container side of each service: image, command, ports and health inside it, data.

plonedev.model_builder builds one Service per process and attaches these, so every container
rendering (compose/compose.yaml here, a Swarm stack elsewhere) reads the same model.
Paths here are paths inside the containers, the same in every image plonedev builds
(see plonedev/templates/docker/Dockerfile).
"""

from __future__ import annotations

from types import MappingProxyType

from plonedev.config import PlonedevConfig, Storage
from plonedev.model import SITE_JOB, CommandCheck, Container, ContainerJob, Mount, Secret
from plonedev.paths import ProjectPaths

APP = "/app"
VENV = f"{APP}/venv"
BIN = f"{APP}/bin"
PROJECT = f"{APP}/project"  # the project's files (sources/) in the image
INSTANCE = f"{APP}/instance"  # etc/zope.conf, etc/zope.ini, zeo/zeo.conf
DATA = "/data"  # the service's named volume
ZOPE_CONF = f"{INSTANCE}/etc/zope.conf"
ZOPE_INI = f"{INSTANCE}/etc/zope.ini"
ZEO_CONF = f"{INSTANCE}/zeo/zeo.conf"

BACKEND_PORT = 8080
ZEO_PORT = 8100
POSTGRES_PORT = 5432
VARNISH_PORT = 80

# Where plonedev puts the backend image's inputs, relative to the project root.
DOCKER_DIR = ".plonedev/docker"

# Named volumes (Compose prefixes them with the project name).
BACKEND_VOLUME = "backend-data"
ZEO_VOLUME = "zeo-data"
POSTGRES_VOLUME = "postgres-data"

ZEO_MARKER_DIR = "/zeo-data"  # the ZEO volume, as the site job sees it

CA_SECRET = "ca"  # noqa: S105 (a secret's name, not its value)
ADMIN_SECRET = "admin-password"  # noqa: S105
BACKEND_BUILD = "backend"  # Container.build: the image the project's Dockerfile makes

POSTGRES_USER = "plone"
POSTGRES_DB = "plone"

# The health probe shipped in every backend image: `http PORT PATH` or `tcp PORT`.
# -I -S: no site-packages, no environment: it starts in milliseconds.
_PROBE = ("python", "-I", "-S", f"{BIN}/healthcheck.py")


def python_image(config: PlonedevConfig) -> str:
    return config.images.python or f"python:{config.python}-slim"


def backend_image(config: PlonedevConfig) -> str:
    return config.images.backend or f"{config.name}-backend:dev"


def ca_secret(paths: ProjectPaths) -> Secret:
    # Always present (empty when there is no CA bundle): the compose file stays the same
    # on every machine, and the scripts use the bundle only when it is not empty.
    return Secret(CA_SECRET, paths.root / DOCKER_DIR / "ca-bundle.pem")


def backend_container(config: PlonedevConfig, paths: ProjectPaths) -> Container:
    """Zope on waitress, from the image built with the project's Dockerfile."""
    data = Mount(BACKEND_VOLUME, DATA)
    return Container(
        image=backend_image(config),
        build=BACKEND_BUILD,
        # runwsgi without the interpreter's teardown: a restart need not wait for it.
        command=("python", f"{BIN}/run-zope.py", ZOPE_INI),
        ports=MappingProxyType({"backend": BACKEND_PORT}),
        # TCP, not HTTP: waitress listens once Zope has loaded, and a probe every few
        # seconds would fill the access log.
        health=CommandCheck((*_PROBE, "tcp", str(BACKEND_PORT))),
        mounts=(data,),
        secrets=(ca_secret(paths),),
        init_process=True,
        jobs=(_site_job(config, paths, data),),
    )


def _site_job(config: PlonedevConfig, paths: ProjectPaths, data: Mount) -> ContainerJob:
    mounts, marker = _site_marker(config, data)
    env = {
        "SITE_ID": config.site_id,
        "SITE_TITLE": config.site_title,
        "SITE_DISTRIBUTION": config.distribution.value,
        "SITE_PROFILES": " ".join(config.profiles),
        "ADMIN_USER": config.admin_user,
        "SITE_MARKER": marker,
    }
    return ContainerJob(
        name=SITE_JOB,
        description=f"create the Plone site {config.site_id!r}",  # unless it exists
        command=(f"{BIN}/create-site",),
        env=MappingProxyType(env),
        mounts=mounts,
        secrets=(
            Secret(ADMIN_SECRET, paths.admin_password_file),
            ca_secret(paths),
        ),
    )


def _site_marker(config: PlonedevConfig, data: Mount) -> tuple[tuple[Mount, ...], str]:
    """The job's volumes, and where it records that the site exists.

    The marker lives in the volume that holds the database, so it goes when the data
    goes; with it, a later run skips starting Zope only to find the site. PostgreSQL's
    volume is not ours to write into: RelStorage projects check the database each time.
    """
    name = f".plonedev-site-{config.site_id}"
    if config.storage is Storage.FILESTORAGE:
        return (data,), f"{DATA}/{name}"
    if config.storage is Storage.ZEO:
        return (data, Mount(ZEO_VOLUME, ZEO_MARKER_DIR)), f"{ZEO_MARKER_DIR}/{name}"
    return (data,), ""


def zeo_container(config: PlonedevConfig) -> Container:
    """The ZEO server, from the backend's image."""
    return Container(
        image=backend_image(config),
        build=BACKEND_BUILD,
        command=("runzeo", "-C", ZEO_CONF),
        ports=MappingProxyType({"zeo": ZEO_PORT}),
        health=CommandCheck((*_PROBE, "tcp", str(ZEO_PORT))),
        mounts=(Mount(ZEO_VOLUME, DATA),),
        init_process=True,
    )


def postgres_container(config: PlonedevConfig) -> Container:
    env = {
        "POSTGRES_USER": POSTGRES_USER,
        "POSTGRES_DB": POSTGRES_DB,
        # Reachable only from the project's network and 127.0.0.1, like the native cluster.
        "POSTGRES_HOST_AUTH_METHOD": "trust",
    }
    # -h 127.0.0.1: the socket answers during initdb, before the real server listens.
    probe = ("pg_isready", "-q", "-h", "127.0.0.1", "-U", POSTGRES_USER, "-d", POSTGRES_DB)
    return Container(
        image=config.images.postgres,
        env=MappingProxyType(env),
        ports=MappingProxyType({"postgres": POSTGRES_PORT}),
        health=CommandCheck(probe),
        mounts=(Mount(POSTGRES_VOLUME, "/var/lib/postgresql/data"),),
    )


def varnish_container(config: PlonedevConfig) -> Container:
    return Container(
        image=config.images.varnish,
        env=MappingProxyType({"VARNISH_SIZE": "64M"}),
        ports=MappingProxyType({"varnish": VARNISH_PORT}),
        # The management process answers once the child serves with the loaded VCL.
        health=CommandCheck(("varnishadm", "ping")),
        # A folder, not the file: editors replace files, a file bind mount would keep
        # showing the old one.
        mounts=(Mount("compose/varnish", "/etc/varnish", "bind", read_only=True),),
    )


def relstorage_dsn() -> str:
    return f"host=postgres port={POSTGRES_PORT} dbname={POSTGRES_DB} user={POSTGRES_USER}"
