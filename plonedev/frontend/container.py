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
"""

from __future__ import annotations

import json
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


def frontend_container(config: PlonedevConfig, paths: ProjectPaths) -> Container:
    """Volto's dev server in config.images.node, after the install job."""
    fpaths = frontend_paths(paths.root, config.frontend)
    root = str(fpaths.root)
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
            f'{_WITH_CA}exec node "{fpaths.dev_tools}/install.cjs" "{root}"',
        ),
        env=MappingProxyType(
            {
                "PLONEDEV_VOLTO_DEFAULT": VOLTO_VERSION,
                "PLONEDEV_DROPPED": json.dumps(list(DROPPED_DEV_DEPENDENCIES)),
                # In the volume: kept between runs, and hard links work.
                "PLONEDEV_PNPM_STORE": f"{root}/node_modules/.pnpm-store",
            }
        ),
        mounts=mounts,
        secrets=(ca_secret(paths),),
    )
    env = {
        "PORT": str(port),
        "HOST": ANY_ADDRESS,  # webpack's dev server
        "RAZZLE_BIND_ADDRESS": ANY_ADDRESS,  # Volto's server
        "CLIENT_PUBLIC_PATH": f"http://127.0.0.1:{port + 1}/",
        "RAZZLE_DEV_PROXY_API_PATH": f"http://backend:{BACKEND_PORT}/{config.site_id}",
        "VOLTOCONFIG": str(fpaths.volto_config),
        "ADDONS": DEV_TOOLS_PACKAGE,
        "BROWSER": "none",
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
    )
