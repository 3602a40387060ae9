"""What the runtime needs on disk before anything starts.

Each step is cheap when its inputs have not changed, because `up` runs them all every
time: sources (mxdev) for every runtime; then what each runtime prepares from these
steps (its RuntimeKind.prepare in plonedev.runtimes): the backend environment (uv), the
instance and service files natively, or the backend image and compose/compose.yaml for
Docker.
"""

from __future__ import annotations

from pathlib import Path

from plonedev.backend.environment import InstallResult, ensure_environment
from plonedev.backend.instance import (
    InstanceSettings,
    write_inituser,
    write_instance,
    write_zeo_server,
)
from plonedev.backend.instance_place import InstancePlace
from plonedev.backend.instance_place import instance_settings as derive_instance_settings
from plonedev.config import PlonedevConfig, Storage, constraints_source
from plonedev.files import write_if_changed
from plonedev.frontend import FrontendInstall, ensure_frontend, frontend_paths
from plonedev.model_builder import LOOPBACK
from plonedev.paths import ProjectPaths
from plonedev.postgres import dsn
from plonedev.project_setup.find_project import ProjectContext
from plonedev.report import Reporter
from plonedev.requirements import render_requirements_in
from plonedev.sources import SourcesResult, list_sources, sync_sources
from plonedev.varnish import Upstream, VclSettings, development_settings, prepare_varnish


def sources(context: ProjectContext, reporter: Reporter) -> SourcesResult:
    paths, config = context.paths, context.config
    requirements_in = paths.state / "requirements-in.txt"
    user_requirements = paths.root / "requirements.txt"
    write_if_changed(
        requirements_in,
        render_requirements_in(
            constraints=constraints_source(config, paths.root),
            plone_version=config.plone_version,
            storage=config.storage,
            debug=config.debug,
            user_requirements=user_requirements if user_requirements.is_file() else None,
            source_names=[spec.name for spec in list_sources(paths.root)],
            addons=config.addons,
        ),
    )
    with reporter.step("Checking out sources (mxdev)") as step:
        result = sync_sources(
            paths.root, requirements_in=requirements_in, out_dir=paths.state, on_line=step.update
        )
        names = ", ".join(f"{s.name} ({s.state})" for s in result.sources) or "none"
        step.done(f"Sources: {names}")
    for warning in result.warnings:
        reporter.warn(warning)
    return result


def environment(
    context: ProjectContext, synced: SourcesResult, reporter: Reporter
) -> InstallResult:
    paths, config = context.paths, context.config
    # A source's own dependencies change with its metadata, not its code.
    inputs = [
        path
        for state in synced.sources
        for name in ("pyproject.toml", "setup.py", "setup.cfg")
        if (path := state.path / name).is_file()
    ]
    with reporter.step("Installing the backend (uv)") as step:
        result = ensure_environment(
            paths.venv,
            python=config.python,
            requirements=synced.requirements,
            constraints=synced.constraints,
            inputs=inputs,
            on_line=step.update,
            cwd=paths.root,  # mxdev writes `-e ./sources/x` relative to the project root
        )
        step.done(
            f"Backend installed ({result.reason})" if result.installed else "Backend up to date"
        )
    return result


def frontend(
    context: ProjectContext, reporter: Reporter, *, new_dependency: bool = False
) -> FrontendInstall | None:
    """Volto in the frontend's core/ and its node_modules; None without a frontend."""
    paths, config = context.paths, context.config
    if not config.frontend:
        return None
    env = {"NODE_EXTRA_CA_CERTS": str(paths.root / config.ca_bundle)} if config.ca_bundle else {}
    with reporter.step("Installing the frontend (pnpm)") as step:
        result = ensure_frontend(
            frontend_paths(paths.root, config.frontend),
            paths.state,
            env=env,
            on_line=step.update,
            new_dependency=new_dependency,
        )
        step.done(
            f"Frontend installed: Volto {result.volto_version} ({result.reason})"
            if result.installed
            else f"Frontend up to date (Volto {result.volto_version})"
        )
    return result


def service_files(context: ProjectContext, admin_password: str) -> list[Path]:
    """Zope instance, ZEO server and Varnish files; the ones that changed."""
    paths, config = context.paths, context.config
    changed = write_instance(instance_settings(paths, config))
    if write_inituser(paths.instance, config.admin_user, admin_password):
        changed.append(paths.instance / "inituser")
    if config.storage is Storage.ZEO:
        changed += write_zeo_server(
            paths.zeo_server,
            LOOPBACK,
            config.ports.zeo,
            paths.blobstorage,
            paths.zeo_data / "Data.fs",
        )
    if config.varnish:
        vcl = paths.instance / "varnish" / "default.vcl"
        if prepare_varnish(
            native_vcl_settings(config),
            vcl,
            paths.instance / "varnish" / "secret",
            paths.run / "varnish",
        ):
            changed.append(vcl)
    return changed


def native_vcl_settings(config: PlonedevConfig) -> VclSettings:
    """Varnish in front of the backend, and of the Volto dev server when there is one."""
    return development_settings(
        Upstream(LOOPBACK, config.ports.backend),
        Upstream(LOOPBACK, config.ports.frontend) if config.frontend else None,
        site_id=config.site_id,
        cache_hold=config.cache_hold,
    )


def instance_settings(paths: ProjectPaths, config: PlonedevConfig) -> InstanceSettings:
    """The instance natively: the project's folders, every server on the loopback."""
    place = InstancePlace(
        instance_dir=paths.instance,
        var_dir=paths.var,
        blob_dir=paths.blobstorage,
        filestorage_path=paths.filestorage,
        http=(LOOPBACK, config.ports.backend),
        zeo_address=(LOOPBACK, config.ports.zeo),
        zeo_blob_shared=True,
        relstorage_dsn=dsn(config.ports.postgres),
    )
    return derive_instance_settings(config, place)
