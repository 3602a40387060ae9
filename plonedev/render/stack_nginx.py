"""nginx as the stack's ingress: the configuration it reads from a Swarm config.

Two servers. The public one (published) sends every request for the host to Varnish and
refuses PURGE and BAN. The internal one (port INTERNAL_PORT, never published) gets what
Varnish forwards: requests carrying ROUTED_HEADER go to the backend for /++api++ and to
the frontend otherwise (without a frontend, everything to the backend), rewritten for
Zope's virtual host monster. Upstream names sit in variables, so nginx asks Docker's DNS
again as tasks come and go (a plain `proxy_pass http://backend` resolves once, at start).

Plain HTTP: TLS ends before nginx (a load balancer), or use the Traefik ingress.
"""

from __future__ import annotations

from plonedev.render.owned import MARKER
from plonedev.render.stack_options import StackOptions
from plonedev.render.stack_vcl import INTERNAL_PORT, PROBE_PATH
from plonedev.varnish.vcl import ROUTED_HEADER

HEALTH_PATH = "/_ingress_ping"  # answered by nginx itself: the service's health check
CONF_TARGET = "/etc/nginx/conf.d/default.conf"  # replaces the image's default server


def nginx_health() -> tuple[str, ...]:
    return ("curl", "-fsS", "-o", "/dev/null", f"http://127.0.0.1:{INTERNAL_PORT}{HEALTH_PATH}")


def render_nginx_conf(
    options: StackOptions,
    *,
    site_id: str,
    varnish: tuple[str, int],
    backend: tuple[str, int],
    frontend: tuple[str, int] | None,
) -> str:
    header = ROUTED_HEADER.lower().replace("-", "_")
    varnish_host, varnish_port = varnish
    backend_host, backend_port = backend
    vhm = f"/VirtualHostBase/$plonedev_proto/$plonedev_host/{site_id}"
    lines = [
        f"# {MARKER} (plonedev export-stack): the stack's ingress, read from a Swarm config.",
        "",
        "# Docker's DNS, asked again every few seconds: tasks come and go in rolling updates.",
        "resolver 127.0.0.11 valid=5s ipv6=off;",
        "resolver_timeout 2s;",
        "client_max_body_size 1g;",
        "proxy_http_version 1.1;",
        "proxy_connect_timeout 3s;",
        "proxy_read_timeout 300s;",
        "# A task stopping in a rolling update: try the next address (GET/HEAD only).",
        "proxy_next_upstream error timeout http_502 http_503 http_504;",
        "proxy_next_upstream_tries 3;",
        "",
        "# Set by the public server below; Varnish passes them on unchanged.",
        "map $http_x_forwarded_proto $plonedev_proto {",
        "    default $http_x_forwarded_proto;",
        '    "" http;',
        "}",
        "map $http_x_forwarded_host $plonedev_host {",
        "    default $http_x_forwarded_host;",
        '    "" $host;',
        "}",
        "# The raw path after /++api++ (still URL-encoded), with its query string.",
        "map $request_uri $plonedev_api_rest {",
        r'    "~^/\+\+api\+\+(?<rest>[/?].*)?$" $rest;',
        '    default "";',
        "}",
        "",
        "# Any other host name: nothing here.",
        "server {",
        "    listen 80 default_server;",
        "    return 404;",
        "}",
        "",
        "# Public: everything goes through Varnish.",
        "server {",
        "    listen 80;",
        f"    server_name {options.host};",
        "    # Cache invalidation is for the internal network only.",
        "    if ($request_method ~ ^(PURGE|BAN)$) {",
        "        return 405;",
        "    }",
        "    location / {",
        f"        set $plonedev_varnish {varnish_host};",
        f"        proxy_pass http://$plonedev_varnish:{varnish_port};",
        "        proxy_set_header Host $host;",
        "        proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;",
        "        proxy_set_header X-Forwarded-Proto $scheme;",
        "        proxy_set_header X-Forwarded-Host $http_host;",
        f'        proxy_set_header {ROUTED_HEADER} "";',
        "    }",
        "}",
        "",
        f"# Internal: what Varnish forwards, marked with {ROUTED_HEADER}.",
        "server {",
        f"    listen {INTERNAL_PORT} default_server;",
        f"    set $plonedev_backend {backend_host};",
        "    proxy_set_header Host $host;",
        "    proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;",
        "    proxy_set_header X-Forwarded-Proto $plonedev_proto;",
        f"    location = {HEALTH_PATH} {{",
        "        access_log off;",
        '        return 200 "ok\\n";',
        "    }",
        "    # Varnish's health probe: healthy while a backend answers.",
        f"    location = {PROBE_PATH} {{",
        "        access_log off;",
        f"        proxy_pass http://$plonedev_backend:{backend_port}/ok;",
        "    }",
    ]
    if frontend is not None:
        frontend_host, frontend_port = frontend
        lines += [
            "    location ^~ /++api++ {",
            *_only_routed(header),
            f"        proxy_pass http://$plonedev_backend:{backend_port}"
            f"{vhm}/++api++/VirtualHostRoot$plonedev_api_rest;",
            "    }",
            "    location / {",
            *_only_routed(header),
            f"        set $plonedev_frontend {frontend_host};",
            f"        proxy_pass http://$plonedev_frontend:{frontend_port};",
            "    }",
        ]
    else:
        lines += [
            "    location / {",
            *_only_routed(header),
            f"        proxy_pass http://$plonedev_backend:{backend_port}"
            f"{vhm}/VirtualHostRoot$request_uri;",
            "    }",
        ]
    lines += ["}", ""]
    return "\n".join(lines)


def _only_routed(header: str) -> list[str]:
    return [
        f'        if ($http_{header} != "1") {{',
        "            return 421;",
        "        }",
    ]
