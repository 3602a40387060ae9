"""`plonedev export-stack --check` for each storage and ingress: the file Swarm reads.

`docker stack config` parses with the stack schema (v3) and interpolates `$`: the
checks below read its output, so they see what `docker stack deploy` would deploy. The
stack's VCL compiles, and nginx accepts the ingress configuration of both shapes.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
import yaml

from plonedev.render.stack_options import Ingress, StackOptions
from plonedev.render.stack_vcl import render_stack_vcl
from plonedev.varnish import check_vcl, varnish_available
from tests.integration.plone_project import make_project
from tests.integration.stack_support import docker, ensure_nginx_image, swarm_ready

pytestmark = [pytest.mark.slow, pytest.mark.docker]

HOST = "www.example.org"


@pytest.mark.skipif(bool(swarm_ready()), reason=swarm_ready() or "")
@pytest.mark.parametrize("storage", ["relstorage", "zeo"])
@pytest.mark.parametrize("ingress", ["traefik", "nginx"])
def test_export_stack_check_accepts_every_shape(tmp_path: Path, storage: str, ingress: str) -> None:
    project = make_project(tmp_path, f'storage = "{storage}"', with_demo=False)
    done = project.run(
        "export-stack",
        "--host",
        HOST,
        "--ingress",
        ingress,
        "--registry",
        "registry.example.org/team",
        "--tag",
        "7",
        "-o",
        "deploy/stack.yml",
        "--check",
    )
    assert "docker stack config accepts it" in done.stdout
    stack_file = project.root / "deploy" / "stack.yml"
    seen = yaml.safe_load(docker("stack", "config", "-c", str(stack_file)))
    services = seen["services"]
    database = "postgres" if storage == "relstorage" else "zeo"
    assert set(services) == {"ingress", "varnish", "backend", database}
    assert services["backend"]["image"] == "registry.example.org/team/itest-backend:7"
    # Swarm templates reach the engine as they are.
    assert services["backend"]["environment"]["TASK_SLOT"] == "{{.Task.Slot}}"
    # The commands that create the secrets are printed, never their values.
    assert "docker secret create itest_admin_password -" in done.stdout
    if ingress == "traefik":
        labels = services["backend"]["deploy"]["labels"]
        # After interpolation: the `$1` Traefik needs (the file holds `$$1`).
        replacement = labels["traefik.http.middlewares.itest-vhm.replacepathregex.replacement"]
        assert replacement.endswith("/Plone/VirtualHostRoot$1")
        assert labels["traefik.http.middlewares.itest-vhm.replacepathregex.regex"] == "^(.*)$"
    else:
        assert (project.root / "deploy" / "stack.nginx.conf").is_file()
        config = seen["configs"]["nginx_conf"]
        assert config["file"] == str(project.root / "deploy" / "stack.nginx.conf")


@pytest.mark.skipif(varnish_available() is None, reason="varnishd is not installed")
def test_stack_vcl_compiles(tmp_path: Path) -> None:
    # VCC resolves backend names while compiling; "ingress" exists only in the stack.
    vcl = tmp_path / "default.vcl"
    vcl.write_text(render_stack_vcl("127.0.0.1"))
    check_vcl(vcl)


@pytest.mark.skipif(bool(swarm_ready()), reason=swarm_ready() or "")
@pytest.mark.parametrize("frontend", [False, True], ids=["backend only", "frontend"])
def test_nginx_accepts_the_ingress_configuration(tmp_path: Path, frontend: bool) -> None:
    from plonedev.render.stack_nginx import render_nginx_conf

    conf = tmp_path / "default.conf"
    conf.write_text(
        render_nginx_conf(
            StackOptions(HOST, ingress=Ingress.NGINX),
            site_id="Plone",
            varnish=("varnish", 80),
            backend=("backend", 8080),
            frontend=("frontend", 3000) if frontend else None,
        )
    )
    done = subprocess.run(
        [
            "docker",
            "run",
            "--rm",
            "-v",
            f"{conf}:/etc/nginx/conf.d/default.conf:ro",
            ensure_nginx_image(),
            "nginx",
            "-t",
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "syntax is ok" in done.stderr


@pytest.mark.skipif(bool(swarm_ready()), reason=swarm_ready() or "")
def test_export_stack_check_accepts_the_operator_tools(tmp_path: Path) -> None:
    project = make_project(tmp_path, "", with_demo=False)
    done = project.run(
        "export-stack", "--host", HOST, "--dashboard", "--portainer",
        "--portainer-host", "ops.example.org", "--check",
    )  # fmt: skip
    assert "docker stack config accepts it" in done.stdout
    assert f"Traefik's dashboard: https://traefik.{HOST}" in done.stdout
    assert "Portainer: https://ops.example.org" in done.stdout
    seen = yaml.safe_load(docker("stack", "config", "-c", str(project.root / "stack.yml")))
    services = seen["services"]
    assert {"portainer", "portainer-agent"} <= set(services)
    assert services["portainer-agent"]["deploy"]["mode"] == "global"
    labels = services["ingress"]["deploy"]["labels"]
    assert labels["traefik.http.routers.itest-dashboard.service"] == "api@internal"
    assert seen["secrets"]["dashboard_users"]["name"] == "itest_dashboard_users"
    # Both secrets a person logs in with are asked for by the printed commands.
    for name in ("itest_dashboard_users", "itest_portainer_admin_password"):
        assert f"docker secret create {name} -" in done.stdout
