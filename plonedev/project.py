"""Build the runtime-neutral service model from the config: what a project runs."""

from __future__ import annotations

from plonedev.backend.instance import backend_command, zeo_command
from plonedev.config import PlonedevConfig, Storage
from plonedev.errors import PlonedevError
from plonedev.model import HttpCheck, PortBinding, Project, Service, TcpCheck
from plonedev.paths import ProjectPaths
from plonedev.postgres import find_programs, postgres_service
from plonedev.varnish import health_url, varnish_available, varnish_command

LOOPBACK = "127.0.0.1"


def build_project(config: PlonedevConfig, paths: ProjectPaths) -> Project:
    services: list[Service] = []
    storage_service: tuple[str, ...] = ()
    if config.storage is Storage.ZEO:
        services.append(_zeo(config, paths))
        storage_service = ("zeo",)
    elif config.storage is Storage.RELSTORAGE:
        programs = find_programs()
        if programs is None:
            raise PlonedevError(
                "storage = 'relstorage' needs PostgreSQL, but its programs "
                "(postgres, initdb, pg_isready) were not found",
                "install PostgreSQL (Debian: apt-get install postgresql) or use storage = 'zeo'",
            )
        services.append(
            postgres_service(programs, paths.postgres_data, config.ports.postgres, paths.root)
        )
        storage_service = ("postgres",)
    services.append(_backend(config, paths, storage_service))
    if config.varnish:
        services.append(_varnish(config, paths))
    return Project(name=config.name, root=paths.root, services=tuple(services))


def backend_url(config: PlonedevConfig) -> str:
    return f"http://{LOOPBACK}:{config.ports.backend}"


def site_url(config: PlonedevConfig) -> str:
    return f"{backend_url(config)}/{config.site_id}"


def _zeo(config: PlonedevConfig, paths: ProjectPaths) -> Service:
    port = config.ports.zeo
    return Service(
        name="zeo",
        description="ZEO database server",
        command=zeo_command(paths.venv, paths.zeo_server),
        cwd=paths.root,
        ports=(PortBinding("zeo", LOOPBACK, port),),
        health=TcpCheck(LOOPBACK, port),
        url=f"zeo://{LOOPBACK}:{port}",
    )


def _backend(config: PlonedevConfig, paths: ProjectPaths, depends_on: tuple[str, ...]) -> Service:
    return Service(
        name="backend",
        description="Zope/Plone on waitress",
        command=backend_command(paths.venv, paths.instance),
        cwd=paths.root,
        ports=(PortBinding("backend", LOOPBACK, config.ports.backend),),
        # The Zope root answers as soon as the app is loaded, whether the site exists or not.
        health=HttpCheck(f"{backend_url(config)}/"),
        depends_on=depends_on,
        # runwsgi as a session leader ignores SIGTERM; SIGINT shuts Zope down cleanly and
        # saves the FileStorage index.
        stop_signal="SIGINT",
        stop_timeout=20.0,
        url=site_url(config),
    )


def _varnish(config: PlonedevConfig, paths: ProjectPaths) -> Service:
    if varnish_available() is None:
        raise PlonedevError(
            "varnish = true, but varnishd was not found",
            "install Varnish (Debian: apt-get install varnish) or set varnish = false",
        )
    port = config.ports.varnish
    return Service(
        name="varnish",
        description="Varnish HTTP cache",
        command=varnish_command(
            vcl_path=paths.instance / "varnish" / "default.vcl",
            listen_host=LOOPBACK,
            listen_port=port,
            secret_file=paths.instance / "varnish" / "secret",
            workdir=paths.run / "varnish",
        ),
        cwd=paths.root,
        ports=(PortBinding("varnish", LOOPBACK, port),),
        # Answered by the VCL itself: a Zope restart does not make Varnish look sick.
        health=HttpCheck(health_url(LOOPBACK, port)),
        depends_on=("backend",),
        url=f"http://{LOOPBACK}:{port}/{config.site_id}",
    )
