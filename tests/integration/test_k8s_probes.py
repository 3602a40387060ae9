"""The backend image from `plonedev build`, run as export-k8s's manifests run it, answers
their probes.

There is no Kubernetes cluster here: Docker stands in for the kubelet. PostgreSQL runs
with the StatefulSet's environment; the site Job and then a backend pod's container
run with the Deployment's environment, user, dropped capabilities, the Zope ConfigMap's
files mounted where the manifest mounts them and the Secrets' files where the projected
volume puts them. The probes' commands then run inside it, as the kubelet would.
"""

from __future__ import annotations

import json
import subprocess
import time
import urllib.request
import uuid
from pathlib import Path
from typing import Any

import pytest
import yaml

from plonedev.runtime.ports import free_port
from tests.integration.plone_project import make_project
from tests.integration.stack_support import build_stand_ins, docker, swarm_ready

pytestmark = [
    pytest.mark.slow,
    pytest.mark.docker,
    pytest.mark.timeout(2400),
    pytest.mark.skipif(bool(swarm_ready()), reason=swarm_ready() or ""),
]

SECTION = """\
name = "{name}"

[tool.plonedev.images]
python = "plonedev-test/python:3.11"
postgres = "plonedev-test/postgres:15"
varnish = "plonedev-test/varnish:7"
"""


def _load(folder: Path, file: str) -> list[dict[str, Any]]:
    return list(yaml.safe_load_all((folder / file).read_text()))


def _env_args(container: dict[str, Any]) -> list[str]:
    return [f"--env={e['name']}={e['value']}" for e in container["env"]]


def _security_args(pod: dict[str, Any]) -> list[str]:
    user = pod["securityContext"]
    return [f"--user={user['runAsUser']}:{user['runAsGroup']}", "--cap-drop=ALL",
            "--security-opt=no-new-privileges"]  # fmt: skip


def test_the_backend_answers_the_deployments_probes(tmp_path: Path) -> None:
    build_stand_ins("python", "postgres", "varnish")
    name = f"k8s{uuid.uuid4().hex[:6]}"
    project = make_project(tmp_path, SECTION.format(name=name))
    network = f"{name}-net"
    containers = [f"{name}-postgres", f"{name}-site", f"{name}-backend"]
    images = [f"{name}-{role}:k1" for role in ("backend", "varnish")] + [f"{name}-backend:dev"]
    try:
        project.run("build", "--tag", "k1", timeout=2700)
        project.run("export-k8s", "-o", "k8s", "--host", "plone.test", "--tag", "k1")
        folder = project.root / "k8s"
        config = next(
            d for d in _load(folder, "config.yaml") if d["metadata"]["name"].startswith("zope-")
        )
        deployment, _pdb, _service = _load(folder, "backend.yaml")
        (job,) = _load(folder, "site-job.yaml")
        statefulset, _ = _load(folder, "postgres.yaml")
        pod = deployment["spec"]["template"]["spec"]
        backend = pod["containers"][0]
        assert backend["image"] == f"{name}-backend:k1"

        # The ConfigMap's and the Secrets' files, as the volumes show them in the pod.
        etc = tmp_path / "etc"
        etc.mkdir()
        for key, text in config["data"].items():
            (etc / key).write_text(text)
        secrets = tmp_path / "secrets"
        secrets.mkdir()
        (secrets / "admin-password").write_text("k8s-admin-pw")
        (secrets / "db_password").write_text("k8s-db-pw")
        for path in (etc, secrets, *etc.iterdir(), *secrets.iterdir()):
            path.chmod(0o755 if path.is_dir() else 0o644)
        mounts = [
            f"--mount=type=bind,src={etc},dst=/app/instance/etc,readonly",
            f"--mount=type=bind,src={secrets},dst=/run/secrets,readonly",
            "--tmpfs=/data:uid=500,gid=500",  # the emptyDir
        ]
        docker("network", "create", network)
        db = statefulset["spec"]["template"]["spec"]["containers"][0]
        docker(
            "run", "-d", "--name", containers[0], "--network", network, "--network-alias",
            "postgres", *_env_args(db),
            f"--mount=type=bind,src={secrets},dst=/run/secrets,readonly", db["image"],
        )  # fmt: skip

        site = job["spec"]["template"]["spec"]["containers"][0]
        _run_job(job, [
            "--name", containers[1], "--network", network, *_env_args(site),
            *_security_args(job["spec"]["template"]["spec"]), *mounts, site["image"],
            *site["args"],
        ])  # fmt: skip

        port = free_port()
        docker(
            "run", "-d", "--name", containers[2], "--network", network, *_env_args(backend),
            *_security_args(pod), *mounts, "-p", f"127.0.0.1:{port}:8080", backend["image"],
        )  # fmt: skip
        startup = backend["startupProbe"]
        deadline = time.monotonic() + startup["periodSeconds"] * startup["failureThreshold"]
        while not _probe(containers[2], startup):
            assert time.monotonic() < deadline, docker("logs", containers[2], check=False)
            time.sleep(startup["periodSeconds"])
        assert _probe(containers[2], backend["readinessProbe"])
        assert _probe(containers[2], backend["livenessProbe"])
        request = urllib.request.Request(
            f"http://127.0.0.1:{port}/Plone/++api++", headers={"Accept": "application/json"}
        )
        with urllib.request.urlopen(request, timeout=30) as answer:
            # The site the Job created, read from PostgreSQL.
            assert json.load(answer)["@id"] == f"http://127.0.0.1:{port}/Plone"
    finally:
        docker("rm", "-f", *containers, check=False)
        docker("network", "rm", network, check=False)
        docker("image", "rm", *images, check=False)


def _run_job(job: dict[str, Any], run_args: list[str]) -> None:
    """Runs the Job's pod as the kubelet does with restartPolicy OnFailure: again after
    each failure (PostgreSQL may not answer yet), at most backoffLimit times."""
    assert job["spec"]["template"]["spec"]["restartPolicy"] == "OnFailure"
    name = run_args[run_args.index("--name") + 1]
    failures: list[str] = []
    while len(failures) <= job["spec"]["backoffLimit"]:
        try:
            docker("run", *run_args, timeout=600)
            return
        except AssertionError as failure:
            failures.append(str(failure)[-2000:])
            docker("rm", "-f", name, check=False)
            time.sleep(min(2 ** len(failures), 10))
    raise AssertionError(f"the site Job failed {len(failures)} times; last:\n{failures[-1]}")


def _probe(container: str, probe: dict[str, Any]) -> bool:
    try:
        docker("exec", container, *probe["exec"]["command"], timeout=probe["timeoutSeconds"] + 5)
    except (AssertionError, subprocess.TimeoutExpired):
        return False
    return True
