"""Traefik as the stack's ingress: its static configuration and the services' labels.

Three entry points: `web` (HTTP, redirected to HTTPS), `websecure` (HTTPS, certificates
from Let's Encrypt) and `internal` (only reachable on the internal network, never
published). The public router sends every request to Varnish; what Varnish forwards
comes back on `internal`, marked with ROUTED_HEADER, where header-matched routers send
/++api++ to the backend and the rest to the frontend (or, without a frontend, everything
to the backend), rewritten for Zope's virtual host monster.

With --dashboard, Traefik's own dashboard (the API, read-only) gets a router on its own
host name, behind basic auth whose users file is a Swarm secret.

The static configuration is given as TRAEFIK_* environment variables rather than
command-line flags, so that `traefik healthcheck` (a separate process) reads it too.
"""

from __future__ import annotations

from plonedev.render.stack_options import StackOptions
from plonedev.render.stack_vcl import INTERNAL_PORT, PROBE_PATH
from plonedev.varnish.vcl import ROUTED_HEADER

RESOLVER = "le"  # the Let's Encrypt certificate resolver
ACME_STORAGE = "/letsencrypt/acme.json"
PING_PORT = 8082  # Traefik's own health endpoint: `traefik healthcheck --ping`
DASHBOARD_USERS_KEY = "dashboard_users"  # the secret: htpasswd lines
DASHBOARD_USER = "admin"
_API_PATH = r"^/\+\+api\+\+($|/.*)"  # Go regexp, as ReplacePathRegex reads it


def traefik_environment(options: StackOptions) -> dict[str, str]:
    env = {
        "TRAEFIK_PROVIDERS_SWARM_ENDPOINT": "unix:///var/run/docker.sock",
        "TRAEFIK_PROVIDERS_SWARM_EXPOSEDBYDEFAULT": "false",
        # Tasks come and go in rolling updates (without VIPs, Traefik sends to tasks).
        "TRAEFIK_PROVIDERS_SWARM_REFRESHSECONDS": "5",
        "TRAEFIK_ENTRYPOINTS_WEB_ADDRESS": ":80",
        "TRAEFIK_ENTRYPOINTS_WEB_HTTP_REDIRECTIONS_ENTRYPOINT_TO": "websecure",
        "TRAEFIK_ENTRYPOINTS_WEB_HTTP_REDIRECTIONS_ENTRYPOINT_SCHEME": "https",
        "TRAEFIK_ENTRYPOINTS_WEBSECURE_ADDRESS": ":443",
        "TRAEFIK_ENTRYPOINTS_INTERNAL_ADDRESS": f":{INTERNAL_PORT}",
        # Only Varnish reaches `internal`: keep the X-Forwarded-* headers set at the edge.
        "TRAEFIK_ENTRYPOINTS_INTERNAL_FORWARDEDHEADERS_INSECURE": "true",
        "TRAEFIK_ENTRYPOINTS_PING_ADDRESS": f":{PING_PORT}",
        "TRAEFIK_PING": "true",
        "TRAEFIK_PING_ENTRYPOINT": "ping",
        "TRAEFIK_CERTIFICATESRESOLVERS_LE_ACME_STORAGE": ACME_STORAGE,
        "TRAEFIK_CERTIFICATESRESOLVERS_LE_ACME_TLSCHALLENGE": "true",
        # No dashboard and no API unless asked for (then behind basic auth, dashboard_labels).
        "TRAEFIK_API": "false",
        "TRAEFIK_ACCESSLOG": "true",
        "TRAEFIK_GLOBAL_SENDANONYMOUSUSAGE": "false",
        "TRAEFIK_GLOBAL_CHECKNEWVERSION": "false",
    }
    if options.acme_email:
        env["TRAEFIK_CERTIFICATESRESOLVERS_LE_ACME_EMAIL"] = options.acme_email
    if options.dashboard:
        env["TRAEFIK_API"] = "true"
        env["TRAEFIK_API_DASHBOARD"] = "true"
    return env


def dashboard_labels(prefix: str, options: StackOptions) -> dict[str, str]:
    """The dashboard (Traefik's internal api@internal service) on its own host name, over
    HTTPS, behind basic auth from the users file the secret holds."""
    router = f"traefik.http.routers.{prefix}-dashboard"
    auth = f"traefik.http.middlewares.{prefix}-dashboard-auth.basicauth"
    return {
        "traefik.enable": "true",
        f"{router}.rule": f"Host(`{options.tool_host('traefik')}`)",
        f"{router}.entrypoints": "websecure",
        f"{router}.tls.certresolver": RESOLVER,
        f"{router}.service": "api@internal",
        f"{router}.middlewares": f"{prefix}-dashboard-auth",
        f"{auth}.usersfile": f"/run/secrets/{DASHBOARD_USERS_KEY}",
        f"{auth}.realm": "Traefik",
        # The Swarm provider wants a port for every enabled service; nothing is sent to it.
        f"traefik.http.services.{prefix}-dashboard.loadbalancer.server.port": "8080",
    }


def traefik_health() -> tuple[str, ...]:
    return ("traefik", "healthcheck", "--ping")


def varnish_labels(prefix: str, options: StackOptions, port: int) -> dict[str, str]:
    """The public router: every request for the host goes to Varnish, except PURGE/BAN."""
    router = f"traefik.http.routers.{prefix}-public"
    return {
        "traefik.enable": "true",
        **service_labels(options),
        f"{router}.rule": (f"Host(`{options.host}`) && !Method(`PURGE`) && !Method(`BAN`)"),
        f"{router}.entrypoints": "websecure",
        f"{router}.tls.certresolver": RESOLVER,
        f"{router}.service": f"{prefix}-varnish",
        f"traefik.http.services.{prefix}-varnish.loadbalancer.server.port": str(port),
    }


def frontend_labels(prefix: str, options: StackOptions, port: int) -> dict[str, str]:
    """What Varnish forwards (header set) and is not /++api++: the Volto frontend."""
    router = f"traefik.http.routers.{prefix}-frontend"
    return {
        "traefik.enable": "true",
        **service_labels(options),
        f"{router}.rule": f"Host(`{options.host}`) && {_routed()}",
        f"{router}.entrypoints": "internal",
        f"{router}.priority": "10",
        f"{router}.service": f"{prefix}-frontend",
        f"{router}.middlewares": f"{prefix}-retry",
        f"traefik.http.services.{prefix}-frontend.loadbalancer.server.port": str(port),
    }


def backend_labels(
    prefix: str, options: StackOptions, port: int, site_id: str, *, frontend: bool
) -> dict[str, str]:
    """What Varnish forwards to Zope, rewritten for the virtual host monster; and the
    probe Varnish sends to the ingress, answered by a backend's /ok."""
    router = f"traefik.http.routers.{prefix}-backend"
    probe = f"traefik.http.routers.{prefix}-probe"
    vhm = f"traefik.http.middlewares.{prefix}-vhm.replacepathregex"
    base = f"/VirtualHostBase/https/{options.host}:443/{site_id}"
    if frontend:
        rule = f"Host(`{options.host}`) && {_routed()} && PathPrefix(`/++api++`)"
        regex, replacement = _API_PATH, f"{base}/++api++/VirtualHostRoot$1"
    else:
        rule = f"Host(`{options.host}`) && {_routed()}"
        regex, replacement = "^(.*)$", f"{base}/VirtualHostRoot$1"
    return {
        "traefik.enable": "true",
        **service_labels(options),
        f"{router}.rule": rule,
        f"{router}.entrypoints": "internal",
        f"{router}.priority": "20",
        f"{router}.service": f"{prefix}-backend",
        f"{router}.middlewares": f"{prefix}-vhm,{prefix}-retry",
        f"{vhm}.regex": regex,
        f"{vhm}.replacement": replacement,
        f"{probe}.rule": f"Path(`{PROBE_PATH}`)",
        f"{probe}.entrypoints": "internal",
        f"{probe}.priority": "30",
        f"{probe}.service": f"{prefix}-backend",
        f"{probe}.middlewares": f"{prefix}-probe",
        f"traefik.http.middlewares.{prefix}-probe.replacepath.path": "/ok",
        f"traefik.http.services.{prefix}-backend.loadbalancer.server.port": str(port),
        **_retry(prefix),
    }


def service_labels(options: StackOptions) -> dict[str, str]:
    """With IPVS, Traefik sends to the service's VIP: Swarm takes a stopping task out of
    it at once. Without, it sends to the tasks it last saw."""
    return {"traefik.swarm.lbswarm": "true"} if options.ipvs else {}


def _routed() -> str:
    return f"Header(`{ROUTED_HEADER}`, `1`)"


def _retry(prefix: str) -> dict[str, str]:
    # A task that stops during a rolling update drops its connections: try another one.
    # Defined once (on the backend, always there); the frontend's router uses it too.
    return {f"traefik.http.middlewares.{prefix}-retry.retry.attempts": "3"}
