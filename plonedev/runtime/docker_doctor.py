"""What `plonedev doctor` says about Docker: engine and Compose versions, what is missing.

Each finding is (name, ok, detail, required); `required` only when the project runs
with the Docker runtime.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

from plonedev.config import PlonedevConfig, Storage
from plonedev.errors import PlonedevError
from plonedev.render.containers import backend_image, python_image
from plonedev.runtime.docker_ca import find_ca_bundle
from plonedev.runtime.docker_engine import Engine

Finding = tuple[str, bool, str, bool]


def docker_findings(
    config: PlonedevConfig, root: Path, *, engine_answers: bool, required: bool
) -> list[Finding]:
    findings: list[Finding] = []
    if not engine_answers:
        return [("docker compose", False, "not checked: no Docker engine answers", required)]
    engine = Engine(timeout=5)
    try:
        versions = engine.versions()
    except Exception as exc:  # docker-py raises many types for one unreachable engine
        return [("docker engine version", False, f"unreadable: {exc}", required)]
    findings.append(
        ("docker engine version", True, f"{versions['engine']} (API {versions['api']})", required)
    )
    findings.append(_compose_version(required))
    findings += _images(engine, config)
    findings.append(_ca_bundle(config, root))
    return findings


def _compose_version(required: bool) -> Finding:
    try:
        done = subprocess.run(
            ["docker", "compose", "version", "--short"],
            capture_output=True,
            text=True,
            timeout=15,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        return ("docker compose", False, f"cannot run `docker compose`: {exc}", required)
    if done.returncode != 0:
        return (
            "docker compose",
            False,
            "the Compose v2 plugin is missing (Debian: apt-get install docker-compose-plugin "
            "or docker-compose from a newer release)",
            required,
        )
    return ("docker compose", True, done.stdout.strip(), required)


def _images(engine: Engine, config: PlonedevConfig) -> list[Finding]:
    wanted = {"python (build base)": python_image(config)}
    if config.storage is Storage.RELSTORAGE:
        wanted["postgres"] = config.images.postgres
    if config.varnish:
        wanted["varnish"] = config.images.varnish
    if config.frontend:
        wanted["node"] = config.images.node
    findings: list[Finding] = []
    for role, reference in wanted.items():
        present = engine.image_id(reference) is not None
        detail = f"{reference} present" if present else f"{reference} not here: `up` pulls it"
        findings.append((f"image {role}", present, detail, False))
    built = backend_image(config)
    present = engine.image_id(built) is not None
    detail = f"{built} built" if present else f"{built} not built yet: `up` builds it"
    findings.append(("image backend", present, detail, False))
    return findings


def _ca_bundle(config: PlonedevConfig, root: Path) -> Finding:
    try:
        bundle = find_ca_bundle(config.ca_bundle, root)
    except PlonedevError as error:
        return ("ca bundle", False, str(error), True)
    if bundle is None:
        return ("ca bundle", True, "none (builds use the images' own certificates)", False)
    return ("ca bundle", True, f"{bundle.path} (from {bundle.source})", False)
