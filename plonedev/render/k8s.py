"""Render the service model as Kubernetes manifests with a kustomization.yaml.

The same model and the same derivations as the Swarm stack (stack_services' settings,
stack_backend's instance files, stack_deploy's sizes and health timings); the shape:

    Ingress (class, cert-manager) -> Service varnish -> Varnish x2 (VCL: a ConfigMap)
        -> Service frontend -> Volto x2    (everything but the API)
        -> Service backend  -> Zope x2     (/++api++, via the virtual host monster)
    backend -> PostgreSQL (a StatefulSet with a volume claim) or an external DSN

A Service has one address whatever the number of pods, so Varnish forwards to the
frontend and backend Services directly (the stack needs the ingress in between). The
site is created by a Job, not by the first replica (pods have no slot number). Nothing
secret is in the files: Secrets are referenced by name, created by printed commands.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

import yaml

from plonedev.config import PlonedevConfig
from plonedev.errors import PlonedevError
from plonedev.model import Project, Role, Service
from plonedev.render.containers import ADMIN_SECRET, BACKEND_PORT, BIN, DATA, INSTANCE
from plonedev.render.k8s_options import K8sOptions
from plonedev.render.k8s_workloads import (
    container_security,
    deployment,
    disruption_budget,
    meta,
    pod_security,
    probes,
    resources,
    service,
)
from plonedev.render.owned import MARKER
from plonedev.render.stack_backend import stack_instance_files
from plonedev.render.stack_context import DB_SECRET, DRAIN_SECONDS, FRONTEND_PORT, StackContext
from plonedev.render.stack_images import StackImages
from plonedev.render.stack_options import StackStorage
from plonedev.render.stack_services import (
    FRONTEND_START_SECONDS,
    VARNISH_SIZE,
    backend_environment,
    frontend_environment,
    frontend_health,
)
from plonedev.varnish import Upstream, VclSettings, render_vcl

# The images' users: plone (compose/Dockerfile), node and varnish (official images).
BACKEND_UID = 500
FRONTEND_UID = 1000
VARNISH_UID = 1000
POSTGRES_UID = 999
VARNISH_PORT = 8080  # inside the pod: a non-root Varnish cannot bind 80
VARNISH_REPLICAS = 2  # so that a node drain (one pod at a time) never empties the cache tier
SECRETS_DIR = "/run/secrets"  # where the images read them, as in Swarm
PASSWORD_KEY = "password"  # noqa: S105 (the key in each Secret, not a value)
SITE_JOB_TTL = 86400  # seconds a finished site Job stays (then a re-apply runs it again)


@dataclass(frozen=True)
class K8sSecret:
    name: str
    description: str
    typed: bool  # a person types it (the admin password); the others are random


@dataclass(frozen=True)
class RenderedK8s:
    files: Mapping[str, str]  # file name in the output folder -> content
    secrets: tuple[K8sSecret, ...]


def render_k8s(
    config: PlonedevConfig, project: Project, options: K8sOptions, images: StackImages
) -> RenderedK8s:
    """The manifests for `project`, whose model was built for RelStorage with Varnish."""
    ctx = StackContext(config, project, options.stack_options(), images, StackStorage.RELSTORAGE)
    name = project.name
    secrets = (
        K8sSecret(f"{name}-admin-password", "the site's admin", typed=True),
        K8sSecret(f"{name}-db-password", "PostgreSQL's plone user", typed=False),
    )
    dsn = options.database_dsn
    zope = _config_map("zope", name, stack_instance_files(config, ctx.storage, dsn), "etc/")
    vcl = _config_map("vcl", name, {"default.vcl": _vcl(ctx)})
    backend = ctx.required(Role.BACKEND)
    documents: dict[str, list[dict[str, Any]]] = {
        "config.yaml": [zope, vcl],
        "backend.yaml": _backend(ctx, backend, zope, secrets),
        "site-job.yaml": [_site_job(ctx, backend, zope, secrets)],
        "varnish.yaml": _varnish(ctx, vcl),
        "ingress.yaml": [_ingress(name, options)],
    }
    if ctx.frontend is not None:
        documents["frontend.yaml"] = _frontend(ctx, ctx.frontend)
    if not dsn:
        documents["postgres.yaml"] = _postgres(
            ctx, ctx.required(Role.POSTGRES), secrets[1], options
        )
    files = {file: _dump(docs) for file, docs in documents.items()}
    files["kustomization.yaml"] = _dump(
        [
            {
                "apiVersion": "kustomize.config.k8s.io/v1beta1",
                "kind": "Kustomization",
                "resources": sorted(documents),
            }
        ],
        secrets,
    )
    return RenderedK8s(MappingProxyType(files), secrets)


def _dump(documents: list[dict[str, Any]], secrets: tuple[K8sSecret, ...] = ()) -> str:
    header = f"# {MARKER} (plonedev export-k8s) from pyproject.toml [tool.plonedev].\n"
    if secrets:
        header += "# Secrets it needs (create them first): "
        header += ", ".join(s.name for s in secrets) + "\n"
    return header + yaml.safe_dump_all(documents, sort_keys=False, width=100)


def _config_map(
    role: str, project: str, files: Mapping[str, str], only: str = ""
) -> dict[str, Any]:
    """A ConfigMap named after its content: a change makes a new one, and the pods
    that mount it roll over (a ConfigMap edited in place reaches no running Zope)."""
    data = {key.removeprefix(only): text for key, text in files.items() if key.startswith(only)}
    digest = hashlib.sha256(repr(sorted(data.items())).encode()).hexdigest()[:10]
    doc = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": meta(f"{role}-{digest}", project)}
    doc["data"] = data
    return doc


def _vcl(ctx: StackContext) -> str:
    frontend = ctx.frontend
    settings = VclSettings(
        backend=Upstream(ctx.required(Role.BACKEND).name, BACKEND_PORT),
        frontend=Upstream(frontend.name, FRONTEND_PORT) if frontend is not None else None,
        # The ingress controller forwards PURGE from anywhere: only `kubectl exec` may.
        # With a frontend at "/", ++api++ reaches the site through the virtual host
        # monster (as in development).
        vhm_site=ctx.config.site_id if frontend is not None else None,
    )
    return render_vcl(settings)


def _secret_volume(secrets: tuple[K8sSecret, ...]) -> dict[str, Any]:
    admin, db = secrets
    sources = [
        {"secret": {"name": admin.name, "items": [{"key": PASSWORD_KEY, "path": ADMIN_SECRET}]}},
        {"secret": {"name": db.name, "items": [{"key": PASSWORD_KEY, "path": DB_SECRET}]}},
    ]
    return {"name": "secrets", "projected": {"sources": sources, "defaultMode": 0o440}}


def _backend_pod(
    ctx: StackContext,
    backend: Service,
    zope: dict[str, Any],
    secrets: tuple[K8sSecret, ...],
    env: dict[str, str],
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The backend's pod spec and its container (the Deployment's and the Job's)."""
    container: dict[str, Any] = {
        "name": "backend",
        "image": ctx.images.backend,
        "env": _env(env),
        "ports": [{"name": "http", "containerPort": BACKEND_PORT}],
        "resources": resources("backend"),
        "securityContext": container_security(),
        "volumeMounts": [
            {"name": "data", "mountPath": DATA},
            {"name": "zope", "mountPath": f"{INSTANCE}/etc", "readOnly": True},
            {"name": "secrets", "mountPath": SECRETS_DIR, "readOnly": True},
        ],
    }
    pod = {
        "securityContext": pod_security(BACKEND_UID),
        "containers": [container],
        "volumes": [
            {"name": "data", "emptyDir": {}},  # RelStorage: blobs are in PostgreSQL
            {"name": "zope", "configMap": {"name": zope["metadata"]["name"]}},
            _secret_volume(secrets),
        ],
    }
    return pod, container


def _backend(
    ctx: StackContext, backend: Service, zope: dict[str, Any], secrets: tuple[K8sSecret, ...]
) -> list[dict[str, Any]]:
    assert backend.container is not None and backend.container.health is not None
    # The site Job creates the site; the replicas only serve.
    env = {**backend_environment(ctx, backend), "CREATE_SITE": "0"}
    pod, container = _backend_pod(ctx, backend, zope, secrets, env)
    container.update(probes(backend.container.health, backend.start_timeout))
    # runwsgi ignores SIGTERM as PID 1 (and Kubernetes has no init): a clean stop on
    # SIGINT, once the Services have stopped sending to the pod.
    container["lifecycle"] = {
        "preStop": {"exec": {"command": ["sh", "-c", f"sleep {DRAIN_SECONDS}; kill -INT 1"]}}
    }
    pod["terminationGracePeriodSeconds"] = int(DRAIN_SECONDS + backend.stop_timeout)
    name = ctx.project.name
    return [
        deployment(backend.name, name, ctx.options.backend_replicas, pod, {}),
        disruption_budget(backend.name, name),
        service(backend.name, name, BACKEND_PORT, BACKEND_PORT),
    ]


def _site_job(
    ctx: StackContext, backend: Service, zope: dict[str, Any], secrets: tuple[K8sSecret, ...]
) -> dict[str, Any]:
    """Creates the site when it is missing (and does nothing when it exists): the same
    script the stack's first replica runs, through the image's entrypoint."""
    pod, container = _backend_pod(ctx, backend, zope, secrets, backend_environment(ctx, backend))
    container["args"] = [f"{BIN}/create-site"]
    pod["restartPolicy"] = "OnFailure"  # e.g. until PostgreSQL answers
    image = hashlib.sha256(ctx.images.backend.encode()).hexdigest()[:10]
    return {
        "apiVersion": "batch/v1",
        "kind": "Job",
        # A Job cannot change: a new image gets a new one.
        "metadata": meta(f"create-site-{image}", ctx.project.name),
        "spec": {
            "backoffLimit": 20,
            "ttlSecondsAfterFinished": SITE_JOB_TTL,
            "template": {"metadata": meta("create-site", ctx.project.name), "spec": pod},
        },
    }


def _frontend(ctx: StackContext, frontend: Service) -> list[dict[str, Any]]:
    assert ctx.images.frontend is not None
    scheme = "https" if ctx.options.tls else "http"
    container = {
        "name": "frontend",
        "image": ctx.images.frontend,
        "env": _env(frontend_environment(ctx, f"{scheme}://{ctx.options.host}")),
        "ports": [{"name": "http", "containerPort": FRONTEND_PORT}],
        "resources": resources("frontend"),
        "securityContext": container_security(),
        **probes(frontend_health(frontend), FRONTEND_START_SECONDS),
    }
    pod = {
        "securityContext": pod_security(FRONTEND_UID),
        "containers": [container],
        # The image's launcher serves DRAIN_SECONDS after SIGTERM.
        "terminationGracePeriodSeconds": DRAIN_SECONDS + 10,
    }
    name = ctx.project.name
    return [
        deployment(frontend.name, name, ctx.options.frontend_replicas, pod, {}),
        disruption_budget(frontend.name, name),
        service(frontend.name, name, FRONTEND_PORT, FRONTEND_PORT),
    ]


def _varnish(ctx: StackContext, vcl: dict[str, Any]) -> list[dict[str, Any]]:
    varnish = ctx.required(Role.VARNISH)
    assert varnish.container is not None and varnish.container.health is not None
    env = {
        "VARNISH_SIZE": VARNISH_SIZE,
        "VARNISH_HTTP_PORT": str(VARNISH_PORT),
        "DRAIN_SECONDS": str(DRAIN_SECONDS),
    }
    container = {
        "name": "varnish",
        "image": ctx.images.varnish,
        "env": _env(env),
        "ports": [{"name": "http", "containerPort": VARNISH_PORT}],
        "resources": resources("varnish"),
        "securityContext": container_security(),
        "volumeMounts": [
            {"name": "vcl", "mountPath": "/etc/varnish", "readOnly": True},
            {"name": "work", "mountPath": "/var/lib/varnish"},
        ],
        **probes(varnish.container.health, 60),
    }
    pod = {
        "securityContext": pod_security(VARNISH_UID),
        "containers": [container],
        "volumes": [
            {"name": "vcl", "configMap": {"name": vcl["metadata"]["name"]}},
            {"name": "work", "emptyDir": {"medium": "Memory"}},
        ],
        "terminationGracePeriodSeconds": DRAIN_SECONDS + 10,
    }
    name = ctx.project.name
    return [
        deployment(varnish.name, name, VARNISH_REPLICAS, pod, {}),
        disruption_budget(varnish.name, name),
        service(varnish.name, name, 80, VARNISH_PORT),
    ]


def _postgres(
    ctx: StackContext, database: Service, db_secret: K8sSecret, options: K8sOptions
) -> list[dict[str, Any]]:
    container_model = database.container
    assert container_model is not None and container_model.health is not None
    mount = container_model.mounts[0].target
    # Development trusts local connections; here the password comes from the Secret.
    env = {k: v for k, v in container_model.env.items() if k != "POSTGRES_HOST_AUTH_METHOD"}
    env["POSTGRES_PASSWORD_FILE"] = f"{SECRETS_DIR}/{DB_SECRET}"
    env["PGDATA"] = f"{mount}/pgdata"  # the claim's root holds lost+found
    container = {
        "name": "postgres",
        "image": container_model.image,
        "env": _env(env),
        "ports": [{"name": "postgres", "containerPort": 5432}],
        "resources": resources("postgres"),
        "securityContext": container_security(),
        "volumeMounts": [
            {"name": "data", "mountPath": mount},
            {"name": "secrets", "mountPath": SECRETS_DIR, "readOnly": True},
        ],
        **probes(container_model.health, 60),
    }
    secret = {
        "name": "secrets",
        "secret": {
            "secretName": db_secret.name,
            "items": [{"key": PASSWORD_KEY, "path": DB_SECRET}],
            "defaultMode": 0o440,
        },
    }
    name = ctx.project.name
    claim = {
        "metadata": {"name": "data"},
        "spec": {
            "accessModes": ["ReadWriteOnce"],
            "resources": {"requests": {"storage": options.database_size}},
        },
    }
    statefulset = {
        "apiVersion": "apps/v1",
        "kind": "StatefulSet",
        "metadata": meta(database.name, name),
        "spec": {
            "serviceName": database.name,
            "replicas": 1,  # one server opens the data
            "selector": {"matchLabels": meta(database.name, name)["labels"]},
            "template": {
                "metadata": meta(database.name, name),
                "spec": {
                    "securityContext": pod_security(POSTGRES_UID),
                    "containers": [container],
                    "volumes": [secret],
                    "terminationGracePeriodSeconds": int(database.stop_timeout),
                },
            },
            "volumeClaimTemplates": [claim],
        },
    }
    return [statefulset, service(database.name, name, 5432, 5432)]


def _ingress(project: str, options: K8sOptions) -> dict[str, Any]:
    """Every request to Varnish; cert-manager's certificate when there is an issuer."""
    metadata = meta(project, project)
    spec: dict[str, Any] = {}
    if options.ingress_class:
        spec["ingressClassName"] = options.ingress_class
    if options.cluster_issuer:
        metadata["annotations"] = {"cert-manager.io/cluster-issuer": options.cluster_issuer}
        spec["tls"] = [{"hosts": [options.host], "secretName": f"{project}-tls"}]
    backend = {"service": {"name": "varnish", "port": {"number": 80}}}
    spec["rules"] = [
        {
            "host": options.host,
            "http": {"paths": [{"path": "/", "pathType": "Prefix", "backend": backend}]},
        }
    ]
    return {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "Ingress",
        "metadata": metadata,
        "spec": spec,
    }


def _env(values: Mapping[str, str]) -> list[dict[str, str]]:
    return [{"name": key, "value": value} for key, value in values.items()]


def refuse_zeo(storage: StackStorage) -> None:
    if storage is StackStorage.ZEO:
        raise PlonedevError(
            "export-k8s runs the backends on PostgreSQL (RelStorage); a ZEO project's "
            "images have no RelStorage",
            'set storage = "relstorage" (or "filestorage") in [tool.plonedev], then '
            "plonedev build again",
        )
