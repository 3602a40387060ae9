"""The stack's optional operator tools: Traefik's dashboard and Portainer.

Asserted from the rendered file (no Traefik or Portainer image can be had here);
`docker stack config` validates the same file in tests/integration/test_stack_config.py.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from plonedev.commands.export_stack import htpasswd_line, secret_command
from plonedev.errors import PlonedevError
from plonedev.render.stack import SecretKind, stack_secrets
from plonedev.render.stack_options import Ingress, StackOptions, StackStorage
from tests.unit.render.test_stack import HOST, _render


def test_the_dashboard_on_its_own_host_behind_basic_auth_from_a_secret(tmp_path: Path) -> None:
    doc, _, _ = _render(tmp_path, dashboard=True)
    traefik = doc["services"]["ingress"]
    assert traefik["environment"]["TRAEFIK_API"] == "true"
    assert traefik["environment"]["TRAEFIK_API_DASHBOARD"] == "true"
    assert "TRAEFIK_API_INSECURE" not in traefik["environment"]  # never on port 8080
    labels = traefik["deploy"]["labels"]
    router = "traefik.http.routers.demo-dashboard"
    assert labels[f"{router}.rule"] == f"Host(`traefik.{HOST}`)"
    assert labels[f"{router}.entrypoints"] == "websecure"  # HTTPS only
    assert labels[f"{router}.tls.certresolver"] == "le"
    assert labels[f"{router}.service"] == "api@internal"
    assert labels[f"{router}.middlewares"] == "demo-dashboard-auth"
    usersfile = labels["traefik.http.middlewares.demo-dashboard-auth.basicauth.usersfile"]
    assert usersfile == "/run/secrets/dashboard_users"
    assert {"source": "dashboard_users", "target": "dashboard_users"} in traefik["secrets"]
    assert doc["secrets"]["dashboard_users"] == {
        "external": True,
        "name": "demo_dashboard_users",
    }


def test_portainer_server_on_a_manager_agents_everywhere_behind_traefik(tmp_path: Path) -> None:
    doc, _, _ = _render(tmp_path, portainer=True, portainer_host="ops.example.org")
    server, agent = doc["services"]["portainer"], doc["services"]["portainer-agent"]
    assert server["deploy"]["placement"]["constraints"] == ["node.role == manager"]
    assert server["deploy"]["replicas"] == 1
    assert server["deploy"]["update_config"]["order"] == "stop-first"  # one owner of /data
    assert {"type": "volume", "source": "portainer_data", "target": "/data"} in server["volumes"]
    assert server["command"][:2] == ["-H", "tcp://tasks.portainer-agent:9001"]
    # The admin password from a secret: the UI is never open to whoever comes first.
    assert "--admin-password-file" in server["command"]
    assert "/run/secrets/portainer_admin_password" in server["command"]
    assert doc["secrets"]["portainer_admin_password"]["external"] is True
    labels = server["deploy"]["labels"]
    assert labels["traefik.http.routers.demo-portainer.rule"] == "Host(`ops.example.org`)"
    assert labels["traefik.http.routers.demo-portainer.entrypoints"] == "websecure"
    assert labels["traefik.http.services.demo-portainer.loadbalancer.server.port"] == "9000"
    assert labels["traefik.swarm.network"] == "demo_internal"
    assert "ports" not in server and "ports" not in agent  # only through the ingress
    assert agent["deploy"]["mode"] == "global" and "replicas" not in agent["deploy"]
    assert agent["environment"]["AGENT_CLUSTER_ADDR"] == "tasks.portainer-agent"
    assert agent["networks"] == ["portainer"]
    assert set(server["networks"]) == {"portainer", "internal"}
    assert doc["networks"]["portainer"] == {"driver": "overlay", "internal": True}


def test_without_the_tools_nothing_of_them_is_in_the_file(tmp_path: Path) -> None:
    doc, text, _ = _render(tmp_path)
    assert "portainer" not in text and "dashboard" not in text
    assert set(doc["networks"]) == {"edge", "internal"}


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"ingress": Ingress.NGINX, "dashboard": True}, "--dashboard needs the Traefik ingress"),
        ({"ingress": Ingress.NGINX, "portainer": True}, "--portainer needs the Traefik ingress"),
        ({"portainer": True, "portainer_host": "a b"}, "--portainer-host 'a b' is not a host"),
        ({"dashboard": True, "dashboard_host": HOST}, "need host names of their own"),
        (
            {
                "dashboard": True,
                "portainer": True,
                "dashboard_host": "x.org",
                "portainer_host": "x.org",
            },
            "need host names of their own",
        ),
    ],
)
def test_bad_tool_options(options: dict[str, object], message: str) -> None:
    with pytest.raises(PlonedevError, match=message):
        StackOptions(host=HOST, **options)  # type: ignore[arg-type]


def test_the_tools_secrets_are_asked_for_and_the_dashboards_is_an_htpasswd_line() -> None:
    options = StackOptions(host=HOST, dashboard=True, portainer=True)
    secrets = {s.key: s for s in stack_secrets("site", StackStorage.ZEO, options)}
    users, portainer = secrets["dashboard_users"], secrets["portainer_admin_password"]
    assert (users.kind, portainer.kind) == (SecretKind.HTPASSWD, SecretKind.LOGIN)
    command = secret_command(users)
    assert command.startswith("read -rs")  # asked, never echoed
    assert "openssl passwd -apr1 -stdin" in command  # hashed, salted; not on a command line
    assert command.endswith("| docker secret create site_dashboard_users - && unset pw")
    assert "read -rs" in secret_command(portainer)
    # The created one: `{SHA}` of a random password, the format Traefik reads.
    assert htpasswd_line("admin", "secret") == "admin:{SHA}5en6G6MezRroT3XKqkdPOmY/BfQ=\n"
