"""What the Swarm stack tests share: the engine's state, an nginx stand-in, cleanup.

No image registry can be reached here, so the official nginx image cannot be pulled:
NGINX_IMAGE is built from Debian's nginx with the official image's contract (config in
/etc/nginx/conf.d/, logs to stdout/stderr, `nginx -g 'daemon off;'`, curl for health
checks). Like tests/images/build.sh, it is rebuilt only when its Dockerfile changes.
"""

from __future__ import annotations

import base64
import hashlib
import http.client
import json
import shutil
import subprocess
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from tests.integration.plone_project import REPO, PlonedevProject

HOST = "plone.test"  # the stacks' public host name, sent in the Host header
NGINX_IMAGE = "plonedev-test/nginx:1.22"
_HASH_LABEL = "plonedev-test-image.hash"
NGINX_DOCKERFILE = """\
# Stand-in for the official nginx image (Debian's nginx 1.22): conf.d/*.conf included
# in http {}, no default site, logs to stdout/stderr, curl for health checks.
FROM local/debian:bookworm
RUN --mount=type=cache,target=/var/cache/apt,sharing=locked \\
    --mount=type=cache,target=/var/lib/apt/lists,sharing=locked \\
    set -eux; apt-get update -q; \\
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \\
        nginx-light curl ca-certificates; \\
    rm -f /etc/nginx/sites-enabled/default; \\
    ln -sf /dev/stdout /var/log/nginx/access.log; \\
    ln -sf /dev/stderr /var/log/nginx/error.log
STOPSIGNAL SIGQUIT
EXPOSE 80
CMD ["nginx", "-g", "daemon off;"]
"""


def docker(*args: str, check: bool = True, timeout: float = 120, input: str | None = None) -> str:
    done = subprocess.run(
        ["docker", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
        input=input,
    )
    if check and done.returncode != 0:
        raise AssertionError(f"docker {' '.join(args)}: {done.stderr.strip()}")
    return done.stdout


def swarm_ready() -> str:
    """Why the stack tests cannot run here ("" when they can). Evaluated at collection,
    before any fixture has built an image: images are for the tests to build."""
    if shutil.which("docker") is None:
        return "no docker CLI"
    state = subprocess.run(
        ["docker", "info", "--format", "{{.Swarm.LocalNodeState}}"],
        capture_output=True,
        text=True,
        check=False,
    )
    if state.returncode != 0:
        return "no Docker engine answers"
    if state.stdout.strip() != "active":
        return "this engine is not in a Swarm (docker swarm init)"
    return ""


def build_stand_ins(*names: str) -> None:
    """tests/images/build.sh for `names` (a no-op for the images already up to date)."""
    done = subprocess.run(
        [str(REPO / "tests" / "images" / "build.sh"), *names],
        capture_output=True,
        text=True,
        timeout=1800,
        check=False,
    )
    if done.returncode != 0:
        raise AssertionError(f"tests/images/build.sh failed:\n{done.stdout}\n{done.stderr}")


def ensure_nginx_image() -> str:
    digest = hashlib.sha256(NGINX_DOCKERFILE.encode()).hexdigest()[:16]
    built = docker(
        "image",
        "inspect",
        "--format",
        f'{{{{index .Config.Labels "{_HASH_LABEL}"}}}}',
        NGINX_IMAGE,
        check=False,
    ).strip()
    if built != digest:
        docker(
            "buildx",
            "build",
            "--label",
            f"{_HASH_LABEL}={digest}",
            "--label",
            "plonedev-test-image=1",
            "-t",
            NGINX_IMAGE,
            "-",
            input=NGINX_DOCKERFILE,
            timeout=600,
        )
    return NGINX_IMAGE


def remove_stack(name: str, secrets: tuple[str, ...] = ()) -> None:
    """Remove a stack with its networks, volumes and secrets; `docker stack rm` returns
    before its networks and containers are gone."""
    docker("stack", "rm", name, check=False)
    label = f"label=com.docker.stack.namespace={name}"
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        left = docker("ps", "-aq", "--filter", label, check=False).split()
        nets = docker("network", "ls", "-q", "--filter", label, check=False).split()
        if not left and not nets:
            break
        time.sleep(1)
    volumes = docker("volume", "ls", "-q", "--filter", label, check=False).split()
    if volumes:
        docker("volume", "rm", "-f", *volumes, check=False)
    if secrets:
        docker("secret", "rm", *secrets, check=False)
    configs = docker("config", "ls", "-q", "--filter", label, check=False).split()
    if configs:
        docker("config", "rm", *configs, check=False)


def services(name: str) -> dict[str, str]:
    """Each service of the stack and its REPLICAS column ("2/2")."""
    out = docker("stack", "services", name, "--format", "{{json .}}", check=False)
    rows = [json.loads(line) for line in out.splitlines() if line.strip()]
    return {row["Name"].removeprefix(f"{name}_"): row["Replicas"] for row in rows}


def container_health(name: str) -> dict[str, list[str]]:
    """Each service's running containers' health ("healthy", "starting"...)."""
    ids = docker(
        "ps", "-q", "--filter", f"label=com.docker.stack.namespace={name}", check=False
    ).split()
    health: dict[str, list[str]] = {}
    for cid in ids:
        out = docker(
            "inspect",
            "--format",
            '{{index .Config.Labels "com.docker.swarm.service.name"}} '
            "{{if .State.Health}}{{.State.Health.Status}}{{else}}none{{end}}",
            cid,
            check=False,
        ).split()
        if len(out) == 2:
            health.setdefault(out[0].removeprefix(f"{name}_"), []).append(out[1])
    return health


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    body: str


def http_request(
    port: int,
    method: str,
    path: str,
    *,
    auth: str = "",
    body: dict[str, object] | None = None,
    timeout: float = 30,
    address: str = "127.0.0.1",
) -> Response:
    """A request to the stack's published port (on loopback, or a node's `address`),
    for HOST."""
    headers = {"Host": HOST, "Accept": "text/html"}
    data = None
    if path.startswith("/++api++"):
        headers["Accept"] = "application/json"
    if auth:
        headers["Authorization"] = "Basic " + base64.b64encode(auth.encode()).decode()
    if body is not None:
        data = json.dumps(body).encode()
        headers["Content-Type"] = "application/json"
    connection = http.client.HTTPConnection(address, port, timeout=timeout)
    try:
        connection.request(method, path, body=data, headers=headers)
        response = connection.getresponse()
        text = response.read().decode("utf-8", errors="replace")
        return Response(response.status, {k.lower(): v for k, v in response.getheaders()}, text)
    finally:
        connection.close()


@dataclass
class RequestLoop:
    """Requests one after the other, each judged by `ask(n)`: "" when the n-th request
    succeeded, else what was wrong. Uncached pages: the caller adds a new query string."""

    ask: Callable[[int], str]
    ok: int = 0
    failures: list[str] = field(default_factory=list)
    stop: threading.Event = field(default_factory=threading.Event)

    def run(self, limit: float) -> None:
        deadline = time.monotonic() + limit  # bounded, whatever happens to the test
        n = 0
        while not self.stop.is_set() and time.monotonic() < deadline:
            n += 1
            try:
                problem = self.ask(n)
            except OSError as exc:
                problem = repr(exc)
            if problem:
                self.failures.append(f"{time.strftime('%X')} #{n}: {problem}")
            else:
                self.ok += 1
            time.sleep(0.05)


@dataclass
class Running:
    loop: RequestLoop
    worker: threading.Thread

    def finish(self) -> RequestLoop:
        time.sleep(10)  # the ingress's DNS cache is past the old tasks
        self.loop.stop.set()
        self.worker.join(timeout=60)
        return self.loop


def start_page_loop(port: int, title: str, *, address: str = "127.0.0.1") -> Running:
    """Uncached Classic UI pages with `title` (a new query string each time), in a thread."""

    def ask(n: int) -> str:
        response = http_request(port, "GET", f"/?loop={n}", address=address)
        ok = response.status == 200 and title in response.body
        return "" if ok else f"HTTP {response.status}"

    loop = RequestLoop(ask)
    worker = threading.Thread(target=loop.run, args=(1500,), daemon=True)
    worker.start()
    time.sleep(3)  # a few requests before the change starts
    return Running(loop, worker)


def plonedev_deploy(
    project: PlonedevProject, port: int, nginx: str, tag: str, *extra: str, check: bool = True
) -> subprocess.CompletedProcess[str]:
    """`plonedev deploy` of the nginx ingress without IPVS (this kernel has none), with
    images that are only on the engines (no registry)."""
    return project.run(
        "deploy", "--host", HOST, "--ingress", "nginx", "--no-ipvs",
        "--http-port", str(port), "--ingress-image", nginx, "--tag", tag,
        "--resolve-image", "never", "--timeout", "900", *extra,
        check=check, timeout=1800,
    )  # fmt: skip
