"""The Swarm stack as rendered from the model: its shape, for each storage and ingress.

The Traefik labels are asserted here from the file itself (no Traefik image can be had
on these machines); `docker stack config` validates the same files in
tests/integration/test_stack_config.py, and one of them is deployed in
tests/integration/test_stack_deploy.py.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from plonedev.commands.export_stack import stack_model
from plonedev.project_setup.find_project import open_project
from plonedev.render.stack import render_stack
from plonedev.render.stack_backend import stack_storage
from plonedev.render.stack_images import stack_images
from plonedev.render.stack_options import Ingress, StackOptions, StackStorage
from tests.conftest import write_pyproject

HOST = "www.example.org"
SECTION = """\
site-id = "Plone"
admin-user = "admin"
{extra}
[tool.plonedev.images]
postgres = "postgres:16"
"""


def _render(
    tmp_path: Path,
    *,
    storage: str = "relstorage",
    ingress: Ingress = Ingress.TRAEFIK,
    frontend: bool = False,
    ipvs: bool = True,
    **tools: Any,  # StackOptions' operator tools: dashboard=True, portainer=True, ...
) -> tuple[dict[str, Any], str, dict[str, str]]:
    extra = f'storage = "{storage}"\n'
    if frontend:
        extra += 'frontend = "frontend"\n'
        (tmp_path / "frontend").mkdir()
        (tmp_path / "frontend" / "package.json").write_text("{}")
    write_pyproject(tmp_path, SECTION.format(extra=extra))
    context = open_project(tmp_path)
    config = context.config
    kind = stack_storage(config)
    options = StackOptions(
        host=HOST,
        ingress=ingress,
        registry="registry.example.org/team",
        tag="1.2",
        ipvs=ipvs,
        **tools,
    )
    rendered = render_stack(
        config,
        stack_model(context, kind),
        options,
        stack_images(config, options.registry, options.tag),
        kind,
    )
    return yaml.safe_load(rendered.text), rendered.text, dict(rendered.files)


VARIANTS = [
    ("relstorage", Ingress.TRAEFIK),
    ("relstorage", Ingress.NGINX),
    ("zeo", Ingress.TRAEFIK),
    ("zeo", Ingress.NGINX),
]


@pytest.mark.parametrize(("storage", "ingress"), VARIANTS)
def test_every_service_is_a_swarm_service_the_v3_schema_accepts(
    tmp_path: Path, storage: str, ingress: Ingress
) -> None:
    doc, _, _ = _render(tmp_path, storage=storage, ingress=ingress)
    assert doc["version"] == "3.8"
    database = "postgres" if storage == "relstorage" else "zeo"
    assert list(doc["services"]) == ["ingress", "varnish", "backend", database]
    for name, service in doc["services"].items():
        # What `docker compose config` prints and the stack schema refuses, or ignores.
        assert not {"build", "develop", "name", "container_name", "restart"} & set(service)
        assert service["image"], name
        assert isinstance(service.get("depends_on", []), list), name
        assert service["healthcheck"]["test"][0] == "CMD", name
        deploy = service["deploy"]
        assert deploy["restart_policy"]["condition"] == "any", name
        assert deploy["resources"]["limits"]["memory"], name
        assert deploy["update_config"]["parallelism"] == 1, name
        assert "ports" not in service or name == "ingress", name
    assert "name" not in doc


@pytest.mark.parametrize(("storage", "ingress"), VARIANTS)
def test_rolling_updates_start_first_except_for_the_database(
    tmp_path: Path, storage: str, ingress: Ingress
) -> None:
    doc, _, _ = _render(tmp_path, storage=storage, ingress=ingress)
    services = doc["services"]
    for name in ("varnish", "backend"):
        assert services[name]["deploy"]["update_config"]["order"] == "start-first"
    assert services["backend"]["deploy"]["replicas"] == 2
    database = services["postgres" if storage == "relstorage" else "zeo"]
    assert database["deploy"]["update_config"]["order"] == "stop-first"
    assert database["deploy"]["replicas"] == 1


def test_images_are_the_registrys_and_the_tag(tmp_path: Path) -> None:
    doc, _, _ = _render(tmp_path)
    services = doc["services"]
    assert services["backend"]["image"] == "registry.example.org/team/demo-backend:1.2"
    assert services["varnish"]["image"] == "registry.example.org/team/demo-varnish:1.2"
    assert services["postgres"]["image"] == "postgres:16"  # tool.plonedev.images
    assert services["ingress"]["image"].startswith("traefik:v3")


def test_networks_the_ingress_on_the_edge_everything_else_internal(tmp_path: Path) -> None:
    doc, _, _ = _render(tmp_path)
    assert doc["networks"]["edge"]["driver"] == "overlay"
    assert doc["networks"]["internal"] == {"driver": "overlay", "internal": True}
    assert doc["services"]["ingress"]["networks"] == ["edge", "internal"]
    for name in ("varnish", "backend", "postgres"):
        assert doc["services"][name]["networks"] == ["internal"]


def test_no_secret_in_the_file_only_external_secrets(tmp_path: Path) -> None:
    doc, text, _ = _render(tmp_path)
    assert doc["secrets"] == {
        "admin_password": {"external": True, "name": "demo_admin_password"},
        "db_password": {"external": True, "name": "demo_db_password"},
    }
    postgres = doc["services"]["postgres"]
    assert postgres["environment"]["POSTGRES_PASSWORD_FILE"] == "/run/secrets/db_password"
    assert "POSTGRES_HOST_AUTH_METHOD" not in postgres["environment"]  # no trust
    backend = doc["services"]["backend"]
    assert backend["environment"]["DB_PASSWORD_FILE"] == "/run/secrets/db_password"
    assert {"source": "admin_password", "target": "admin-password"} in backend["secrets"]
    assert "PASSWORD:" not in text.replace("PASSWORD_FILE:", "")


def test_zeo_keeps_the_blobs_backends_run_on_any_node(tmp_path: Path) -> None:
    doc, _, _ = _render(tmp_path, storage="zeo")
    services = doc["services"]
    blobs = {"type": "volume", "source": "blobs", "target": "/blobs"}
    assert blobs in services["zeo"]["volumes"]
    assert services["zeo"]["command"] == ["runzeo", "-C", "/app/instance/zeo/zeo.conf"]
    assert services["zeo"]["deploy"]["placement"]["constraints"] == ["node.role == manager"]
    # The backends get the blobs over ZEO (a cache each): no volume, no placement.
    assert "volumes" not in services["backend"]
    assert "placement" not in services["backend"]["deploy"]
    assert services["backend"]["environment"]["SITE_MARKER"] == ""
    assert "db_password" not in doc["secrets"]  # ZEO has no password
    assert set(doc["volumes"]) == {"letsencrypt", "zeo-data", "blobs"}


def test_the_first_backend_replica_creates_the_site(tmp_path: Path) -> None:
    doc, _, _ = _render(tmp_path)
    env = doc["services"]["backend"]["environment"]
    assert env["CREATE_SITE"] == "1"
    assert env["TASK_SLOT"] == "{{.Task.Slot}}"  # a Swarm template, per task
    assert env["SITE_ID"] == "Plone"
    assert env["ADMIN_USER"] == "admin"
    # ... with the caching settings the image holds, also in a site made without them.
    assert env["CACHING_SETTINGS"] == "/app/instance/caching.json"


def test_traefik_lets_encrypt_redirect_and_no_dashboard(tmp_path: Path) -> None:
    doc, _, _ = _render(tmp_path)
    traefik = doc["services"]["ingress"]
    env = traefik["environment"]
    assert env["TRAEFIK_ENTRYPOINTS_WEB_HTTP_REDIRECTIONS_ENTRYPOINT_TO"] == "websecure"
    assert env["TRAEFIK_ENTRYPOINTS_WEB_HTTP_REDIRECTIONS_ENTRYPOINT_SCHEME"] == "https"
    assert env["TRAEFIK_CERTIFICATESRESOLVERS_LE_ACME_TLSCHALLENGE"] == "true"
    assert env["TRAEFIK_CERTIFICATESRESOLVERS_LE_ACME_STORAGE"] == "/letsencrypt/acme.json"
    assert env["TRAEFIK_PROVIDERS_SWARM_EXPOSEDBYDEFAULT"] == "false"
    # The dashboard and the API are off: nothing is published without authentication.
    assert env["TRAEFIK_API"] == "false"
    assert not any(key.startswith("TRAEFIK_API_") for key in env)  # no dashboard, no insecure
    assert all(
        not key.startswith("traefik.") for key in traefik["deploy"].get("labels", {})
    )  # no router to Traefik itself
    ports = {p["target"]: p for p in traefik["ports"]}
    assert ports[80]["published"] == 80 and ports[443]["published"] == 443
    assert ports[443]["mode"] == "ingress"
    assert env["TRAEFIK_ENTRYPOINTS_INTERNAL_ADDRESS"] == ":8000"  # not published
    assert 8000 not in ports


def test_traefik_routes_everything_to_varnish_except_purge(tmp_path: Path) -> None:
    doc, _, _ = _render(tmp_path)
    labels = doc["services"]["varnish"]["deploy"]["labels"]
    router = "traefik.http.routers.demo-public"
    assert labels[f"{router}.rule"] == (f"Host(`{HOST}`) && !Method(`PURGE`) && !Method(`BAN`)")
    assert labels[f"{router}.entrypoints"] == "websecure"
    assert labels[f"{router}.tls.certresolver"] == "le"
    assert labels["traefik.http.services.demo-varnish.loadbalancer.server.port"] == "80"


def test_traefik_header_routes_send_varnish_traffic_to_the_backend(tmp_path: Path) -> None:
    """Classic UI (no frontend): everything Varnish forwards goes to Zope, rewritten for
    the virtual host monster. `$` is doubled: `docker stack deploy` interpolates."""
    doc, _, _ = _render(tmp_path)
    labels = doc["services"]["backend"]["deploy"]["labels"]
    router = "traefik.http.routers.demo-backend"
    assert labels[f"{router}.rule"] == f"Host(`{HOST}`) && Header(`X-Varnish-Routed`, `1`)"
    assert labels[f"{router}.entrypoints"] == "internal"
    assert labels[f"{router}.middlewares"] == "demo-vhm,demo-retry"
    vhm = "traefik.http.middlewares.demo-vhm.replacepathregex"
    assert labels[f"{vhm}.regex"] == "^(.*)$$"
    assert labels[f"{vhm}.replacement"] == (
        f"/VirtualHostBase/https/{HOST}:443/Plone/VirtualHostRoot$$1"
    )
    assert labels["traefik.http.middlewares.demo-retry.retry.attempts"] == "3"
    assert labels["traefik.http.services.demo-backend.loadbalancer.server.port"] == "8080"
    # Varnish's health probe: a backend's /ok, through the ingress.
    assert labels["traefik.http.routers.demo-probe.rule"] == "Path(`/_ingress_health`)"
    assert labels["traefik.http.middlewares.demo-probe.replacepath.path"] == "/ok"


def test_traefik_with_a_frontend_api_to_backend_the_rest_to_volto(tmp_path: Path) -> None:
    doc, _, _ = _render(tmp_path, frontend=True)
    services = doc["services"]
    assert list(services) == ["ingress", "varnish", "frontend", "backend", "postgres"]
    frontend = services["frontend"]
    assert frontend["image"] == "registry.example.org/team/demo-frontend:1.2"
    assert frontend["deploy"]["replicas"] == 2
    assert frontend["deploy"]["update_config"]["order"] == "start-first"
    # What Volto needs in production, none of the dev server's settings: browsers call
    # the public host, server-side rendering a backend on the internal network.
    assert frontend["environment"] == {
        "PORT": "3000",
        "RAZZLE_API_PATH": f"https://{HOST}",
        "RAZZLE_INTERNAL_API_PATH": "http://backend:8080/Plone",
        "DRAIN_SECONDS": "8",
    }
    # It keeps serving while the ingress may still send to it, then stops in time.
    assert frontend["stop_grace_period"] == "18s"
    f_labels = frontend["deploy"]["labels"]
    assert f_labels["traefik.http.routers.demo-frontend.rule"] == (
        f"Host(`{HOST}`) && Header(`X-Varnish-Routed`, `1`)"
    )
    assert f_labels["traefik.http.routers.demo-frontend.entrypoints"] == "internal"
    b_labels = services["backend"]["deploy"]["labels"]
    assert b_labels["traefik.http.routers.demo-backend.rule"] == (
        f"Host(`{HOST}`) && Header(`X-Varnish-Routed`, `1`) && PathPrefix(`/++api++`)"
    )
    # The more specific route wins.
    assert int(b_labels["traefik.http.routers.demo-backend.priority"]) > int(
        f_labels["traefik.http.routers.demo-frontend.priority"]
    )
    assert b_labels["traefik.http.middlewares.demo-vhm.replacepathregex.replacement"] == (
        f"/VirtualHostBase/https/{HOST}:443/Plone/++api++/VirtualHostRoot$$1"
    )


def test_nginx_reads_its_configuration_from_a_swarm_config(tmp_path: Path) -> None:
    doc, _, files = _render(tmp_path, ingress=Ingress.NGINX)
    nginx = doc["services"]["ingress"]
    assert nginx["configs"] == [
        {"source": "nginx_conf", "target": "/etc/nginx/conf.d/default.conf"}
    ]
    config = doc["configs"]["nginx_conf"]
    assert config["file"] == "./stack.nginx.conf"
    assert config["name"].startswith("demo_nginx_")  # changes with the content
    conf = files["stack.nginx.conf"]
    assert f"server_name {HOST};" in conf
    assert "return 405;" in conf  # PURGE and BAN from outside
    assert "listen 8000 default_server;" in conf
    assert 'if ($http_x_varnish_routed != "1")' in conf
    assert "/VirtualHostBase/$plonedev_proto/$plonedev_host/Plone/VirtualHostRoot" in conf
    assert "resolver 127.0.0.11" in conf
    assert [p["target"] for p in nginx["ports"]] == [80]
    assert all("labels" not in s["deploy"] for s in doc["services"].values())


def test_nginx_with_a_frontend_routes_api_to_the_backend(tmp_path: Path) -> None:
    doc, _, files = _render(tmp_path, ingress=Ingress.NGINX, frontend=True)
    # nginx serves plain HTTP (TLS ends in front of it): so does the public API address.
    assert doc["services"]["frontend"]["environment"]["RAZZLE_API_PATH"] == f"http://{HOST}"
    conf = files["stack.nginx.conf"]
    assert "location ^~ /++api++ {" in conf
    assert "/Plone/++api++/VirtualHostRoot$plonedev_api_rest;" in conf
    assert "proxy_pass http://$plonedev_frontend:3000;" in conf


def test_without_ipvs_ports_on_the_node_and_dns_round_robin(tmp_path: Path) -> None:
    doc, _, _ = _render(tmp_path, ingress=Ingress.NGINX, ipvs=False)
    services = doc["services"]
    assert services["ingress"]["ports"][0]["mode"] == "host"
    for name, service in services.items():
        assert service["deploy"]["endpoint_mode"] == "dnsrr", name
    # One task holds a node's port: the ingress must stop before its successor starts.
    assert services["ingress"]["deploy"]["update_config"]["order"] == "stop-first"


def test_several_nodes_without_ipvs(tmp_path: Path) -> None:
    """The ingress on a manager (clients reach its node's port), the database on the node
    asked for, Varnish twice; the backends anywhere, Varnish told to follow the ingress."""
    doc, _, _ = _render(
        tmp_path, storage="zeo", ingress=Ingress.NGINX, ipvs=False,
        varnish_replicas=2, database_node="db-node",
    )  # fmt: skip
    services = doc["services"]
    assert services["ingress"]["deploy"]["placement"] == {"constraints": ["node.role == manager"]}
    assert services["zeo"]["deploy"]["placement"] == {"constraints": ["node.hostname == db-node"]}
    assert "placement" not in services["backend"]["deploy"]
    assert services["varnish"]["deploy"]["replicas"] == 2
    assert services["varnish"]["environment"]["UPSTREAM_HOST"] == "ingress"


def test_one_node_by_default(tmp_path: Path) -> None:
    doc, _, _ = _render(tmp_path, ingress=Ingress.NGINX)
    services = doc["services"]
    assert "placement" not in services["ingress"]["deploy"]  # the routing mesh: any node
    assert services["postgres"]["deploy"]["placement"] == {"constraints": ["node.role == manager"]}
    assert services["varnish"]["deploy"]["replicas"] == 1


def test_with_ipvs_vips_and_the_routing_mesh(tmp_path: Path) -> None:
    doc, _, _ = _render(tmp_path, ingress=Ingress.NGINX)
    assert all("endpoint_mode" not in s["deploy"] for s in doc["services"].values())
    assert doc["services"]["ingress"]["deploy"]["update_config"]["order"] == "start-first"


def test_filestorage_projects_get_relstorage(tmp_path: Path) -> None:
    doc, _, _ = _render(tmp_path, storage="filestorage")
    assert "postgres" in doc["services"]
    write_pyproject(tmp_path, 'storage = "filestorage"\n')
    assert stack_storage(open_project(tmp_path).config) is StackStorage.RELSTORAGE


def test_traefik_sends_to_service_vips_when_there_are_vips(tmp_path: Path) -> None:
    doc, _, _ = _render(tmp_path)
    for name in ("varnish", "backend"):
        assert doc["services"][name]["deploy"]["labels"]["traefik.swarm.lbswarm"] == "true"
    doc, _, _ = _render(tmp_path, ipvs=False)
    assert "traefik.swarm.lbswarm" not in doc["services"]["backend"]["deploy"]["labels"]
    env = doc["services"]["ingress"]["environment"]
    assert env["TRAEFIK_PROVIDERS_SWARM_REFRESHSECONDS"] == "5"


def test_varnish_drains_longer_than_the_ingress_takes_to_notice(tmp_path: Path) -> None:
    doc, _, _ = _render(tmp_path, ingress=Ingress.NGINX)
    varnish = doc["services"]["varnish"]
    drain = int(varnish["environment"]["DRAIN_SECONDS"])
    assert drain > 5  # nginx's resolver cache (valid=5s) and Traefik's refresh (5 s)
    assert int(varnish["stop_grace_period"].removesuffix("s")) > drain
    backend = doc["services"]["backend"]
    assert backend["stop_signal"] == "SIGINT"  # waitress stops cleanly on SIGINT
    assert backend["init"] is True
