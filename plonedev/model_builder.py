"""Build the runtime-neutral service model from the config: what a project runs."""

from __future__ import annotations

from dataclasses import replace

from plonedev.backend.instance import backend_command, zeo_command
from plonedev.config import PlonedevConfig, Storage
from plonedev.errors import PlonedevError
from plonedev.frontend.service import frontend_service
from plonedev.model import HttpCheck, PortBinding, Project, Role, Service, TcpCheck
from plonedev.paths import ProjectPaths
from plonedev.postgres import PostgresPrograms, find_programs, postgres_service
from plonedev.render.containers import (
    backend_container,
    postgres_container,
    varnish_container,
    zeo_container,
)
from plonedev.varnish import health_url, varnish_available, varnish_command

LOOPBACK = "127.0.0.1"


def build_project(
    config: PlonedevConfig, paths: ProjectPaths, *, native_programs: bool = True
) -> Project:
    """The project's services, each with its local process and its container.

    `native_programs`: fail when a program a local process needs (postgres, varnishd) is
    not installed; the Docker runtime runs them from images and passes False.
    """
    services: list[Service] = []
    storage_service: tuple[str, ...] = ()
    if config.storage is Storage.ZEO:
        zeo = replace(_zeo(config, paths), role=Role.ZEO, container=zeo_container(config))
        services.append(zeo)
        storage_service = (zeo.name,)
    elif config.storage is Storage.RELSTORAGE:
        service = postgres_service(
            _postgres_programs(native_programs),
            paths.postgres_data,
            config.ports.postgres,
            paths.root,
        )
        services.append(replace(service, role=Role.POSTGRES, container=postgres_container(config)))
        storage_service = (service.name,)
    backend = _backend(config, paths, storage_service)
    services.append(replace(backend, role=Role.BACKEND, container=backend_container(config, paths)))
    if config.frontend:
        services.append(frontend_service(config, paths, site_url(config)))
    if config.varnish:
        varnish = _varnish(config, paths, native_programs)
        services.append(replace(varnish, role=Role.VARNISH, container=varnish_container(config)))
    return Project(
        name=config.name,
        root=paths.root,
        services=tuple(services),
        site_id=config.site_id,
        cache_hold=config.cache_hold,
    )


def _postgres_programs(required: bool) -> PostgresPrograms:
    programs = find_programs()
    if programs is not None:
        return programs
    if required:
        raise PlonedevError(
            "storage = 'relstorage' needs PostgreSQL, but its programs "
            "(postgres, initdb, pg_isready) were not found",
            "install PostgreSQL (Debian: apt-get install postgresql) or use storage = 'zeo'",
        )
    # Never run: the container runs PostgreSQL from its image.
    return PostgresPrograms("postgres", "initdb", "pg_isready")


def backend_url(config: PlonedevConfig) -> str:
    return f"http://{LOOPBACK}:{config.ports.backend}"


def site_url(config: PlonedevConfig) -> str:
    return f"{backend_url(config)}/{config.site_id}"


def _zeo(config: PlonedevConfig, paths: ProjectPaths) -> Service:
    port = config.ports.zeo
    return Service(
        name=Role.ZEO.value,
        description="ZEO database server",
        command=zeo_command(paths.venv, paths.zeo_server),
        cwd=paths.root,
        config_files=(paths.zeo_server / "zeo.conf",),
        ports=(PortBinding("zeo", LOOPBACK, port),),
        health=TcpCheck(LOOPBACK, port),
        url=f"zeo://{LOOPBACK}:{port}",
    )


def _backend(config: PlonedevConfig, paths: ProjectPaths, depends_on: tuple[str, ...]) -> Service:
    return Service(
        name=Role.BACKEND.value,
        description="Zope/Plone on waitress",
        command=backend_command(paths.venv, paths.instance),
        cwd=paths.root,
        config_files=tuple(
            paths.instance / "etc" / name for name in ("zope.conf", "zope.ini", "site.zcml")
        ),
        ports=(PortBinding("backend", LOOPBACK, config.ports.backend),),
        # The Zope root answers as soon as the app is loaded, whether the site exists or not.
        health=HttpCheck(f"{backend_url(config)}/"),
        depends_on=depends_on,
        # runwsgi as a session leader ignores SIGTERM; SIGINT shuts Zope down cleanly and
        # saves the FileStorage index.
        stop_signal="SIGINT",
        stop_timeout=20.0,
        locks=(paths.filestorage.with_name(paths.filestorage.name + ".lock"),)
        if config.storage is Storage.FILESTORAGE
        else (),
        url=site_url(config),
    )


def _varnish(config: PlonedevConfig, paths: ProjectPaths, native_programs: bool) -> Service:
    port = config.ports.varnish
    if varnish_available() is not None:
        command = varnish_command(
            vcl_path=paths.instance / "varnish" / "default.vcl",
            listen_host=LOOPBACK,
            listen_port=port,
            secret_file=paths.instance / "varnish" / "secret",
            workdir=paths.run / "varnish",
        )
    elif native_programs:
        raise PlonedevError(
            "varnish = true, but varnishd was not found",
            "install Varnish (Debian: apt-get install varnish) or set varnish = false",
        )
    else:
        command = ("varnishd",)  # never run: the container runs Varnish from its image
    return Service(
        name=Role.VARNISH.value,
        description="Varnish HTTP cache",
        command=command,
        cwd=paths.root,
        config_files=(paths.instance / "varnish" / "default.vcl",),
        ports=(PortBinding("varnish", LOOPBACK, port),),
        # Answered by the VCL itself: a Zope restart does not make Varnish look sick.
        health=HttpCheck(health_url(LOOPBACK, port)),
        # In front of the frontend it starts after it: its VCL names the frontend's host,
        # and it starts once, with that VCL, not once before and again after.
        depends_on=(Role.BACKEND.value, Role.FRONTEND.value)
        if config.frontend
        else (Role.BACKEND.value,),
        url=f"http://{LOOPBACK}:{port}/" + ("" if config.frontend else config.site_id),
    )
