"""The frontend as a container: Volto's dev server in a node image (Docker runtime).

The frontend folder is bind-mounted at the same absolute path as on the host, so the
paths pnpm writes (symlinks, .bin shims, core/packages/volto/node_modules) mean the same
on both sides and the native and Docker runtimes can take turns on one checkout. The
workspace's root node_modules is a named volume: Linux binaries built in the image never
land on the host. A one-shot job installs first (core/packages/plonedev-volto-dev/
install.cjs: Volto from the npm registry, then pnpm install); the dev server starts once
it succeeded and the backend is healthy, which in this runtime means the site exists.

Ports are the same numbers inside as outside: the pages tell browsers to load assets
from the webpack dev server at PORT + 1 on the address given in CLIENT_PUBLIC_PATH.

Files written into the bind mount belong to whoever runs plonedev: when that is not root,
the dev server runs as the invoking user's uid:gid, and the install job, which starts as
root to hand the named volume (created root-owned by Docker) and any root-owned leftovers
over to that user, drops to it (setpriv, in every Debian-based image) before installing.
"""

from __future__ import annotations

import json
import os
from types import MappingProxyType

from plonedev.config import PlonedevConfig
from plonedev.frontend.layout import DEV_TOOLS_PACKAGE, VOLTO_VERSION, frontend_paths
from plonedev.frontend.volto import DROPPED_DEV_DEPENDENCIES
from plonedev.model import CommandCheck, Container, ContainerJob, Mount
from plonedev.paths import ProjectPaths
from plonedev.render.containers import BACKEND_PORT, CA_SECRET, ca_secret

NODE_MODULES_VOLUME = "frontend-node-modules"
INSTALL_JOB = "frontend-install"
ANY_ADDRESS = "0.0.0.0"  # noqa: S104 (inside the container; published on 127.0.0.1)
# Trust the project's CA bundle (an intercepting proxy) when there is one: the secret
# is always mounted, empty without a bundle, and Node warns about an empty file.
_WITH_CA = (
    f"if [ -s /run/secrets/{CA_SECRET} ]; then "
    f"export NODE_EXTRA_CA_CERTS=/run/secrets/{CA_SECRET}; fi; "
)


def http_probe(path: str = "/ok") -> CommandCheck:
    """A health check run inside a node image (no curl there): GET on the port in $PORT
    (the dev server's, or 3000 in the production image), healthy below 500."""
    script = (
        f"fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '{path}')"
        ".then(r => process.exit(r.status < 500 ? 0 : 1), () => process.exit(1))"
    )
    return CommandCheck(("node", "-e", script))


def invoking_user() -> str:
    """uid:gid of the user running plonedev; "" for root (the image's user, as before)."""
    uid = os.getuid()
    return "" if uid == 0 else f"{uid}:{os.getgid()}"


def _install_script(root: str, install: str, user: str) -> str:
    if not user:
        return f"{_WITH_CA}exec {install}"
    uid, gid = user.split(":")
    # Only when something is not the user's yet (a full walk of node_modules is slow).
    # No "$": Compose would read it as a variable.
    not_theirs = f'find "{root}" -maxdepth 3 \\( ! -user {uid} -o ! -group {gid} \\) -print -quit'
    return (
        f'{not_theirs} | grep -q . && chown -R {user} "{root}"; '
        f"{_WITH_CA}exec setpriv --reuid={uid} --regid={gid} --clear-groups {install}"
    )


def frontend_container(
    config: PlonedevConfig, paths: ProjectPaths, user: str | None = None
) -> Container:
    """Volto's dev server in config.images.node, after the install job; as `user`
    ("uid:gid"; default: the invoking user unless root)."""
    user = invoking_user() if user is None else user
    fpaths = frontend_paths(paths.root, config.frontend)
    root = str(fpaths.root)
    # A user the image does not know has no home: npm's cache goes in the volume.
    home = {"HOME": f"{root}/node_modules/.plonedev-home"} if user else {}
    port = config.ports.frontend
    mounts = (
        Mount(config.frontend, root, "bind"),
        Mount(NODE_MODULES_VOLUME, f"{root}/node_modules"),
    )
    install = ContainerJob(
        name=INSTALL_JOB,
        description="fetch Volto and install the frontend with pnpm",
        command=(
            "sh",
            "-c",
            _install_script(root, f'node "{fpaths.dev_tools}/install.cjs" "{root}"', user),
        ),
        env=MappingProxyType(
            {
                **home,
                "PLONEDEV_VOLTO_DEFAULT": VOLTO_VERSION,
                "PLONEDEV_DROPPED": json.dumps(list(DROPPED_DEV_DEPENDENCIES)),
                # In the volume: kept between runs, and hard links work.
                "PLONEDEV_PNPM_STORE": f"{root}/node_modules/.pnpm-store",
            }
        ),
        mounts=mounts,
        secrets=(ca_secret(paths),),
    )
    site = f"http://backend:{BACKEND_PORT}/{config.site_id}"
    env = {
        "PORT": str(port),
        "HOST": ANY_ADDRESS,  # webpack's dev server
        "RAZZLE_BIND_ADDRESS": ANY_ADDRESS,  # Volto's server
        "CLIENT_PUBLIC_PATH": f"http://127.0.0.1:{port + 1}/",
        "RAZZLE_DEV_PROXY_API_PATH": site,
        # Server-side rendering asks the site directly, as in production: the address a
        # page was requested at (Varnish's published port) means nothing in here.
        "RAZZLE_INTERNAL_API_PATH": site,
        "VOLTOCONFIG": str(fpaths.volto_config),
        "ADDONS": DEV_TOOLS_PACKAGE,
        # In the node_modules volume (.plonedev/ is not mounted): kept between runs.
        "PLONEDEV_WEBPACK_CACHE": f"{root}/node_modules/.plonedev-webpack-cache",
        "BROWSER": "none",
        **home,
    }
    return Container(
        image=config.images.node,
        command=("sh", "-c", f'cd "{fpaths.volto}" && exec node_modules/.bin/razzle start'),
        env=MappingProxyType(env),
        ports=MappingProxyType({"frontend": port, "frontend-assets": port + 1}),
        health=http_probe(),
        mounts=mounts,
        init_process=True,  # sh, pnpm's shim and node: a stop signal must reach razzle
        jobs=(install,),
        user=user,
    )
