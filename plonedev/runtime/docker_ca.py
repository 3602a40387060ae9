"""The CA bundle for HTTPS behind an intercepting proxy, for builds and containers.

tool.plonedev.ca-bundle wins; otherwise the bundle the host's own tools are told to use
(SSL_CERT_FILE, REQUESTS_CA_BUNDLE, PIP_CERT). It reaches builds as the BuildKit secret
"ca" and containers at /run/secrets/ca: never a `# syntax=` line (that pulls an image),
never a mount over the image's own /etc/ssl/certs.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from plonedev.config import ca_bundle_file

ENV_VARS = ("SSL_CERT_FILE", "REQUESTS_CA_BUNDLE", "PIP_CERT")


@dataclass(frozen=True)
class CaBundle:
    path: Path
    source: str  # "tool.plonedev.ca-bundle" or the environment variable


def find_ca_bundle(
    configured: str, root: Path, environ: Mapping[str, str] | None = None
) -> CaBundle | None:
    """The bundle to use, or None when neither the config nor the environment names one."""
    if configured:
        return CaBundle(ca_bundle_file(configured, root), "tool.plonedev.ca-bundle")
    env = os.environ if environ is None else environ
    for name in ENV_VARS:
        value = env.get(name, "")
        if value and Path(value).is_file():
            return CaBundle(Path(value).resolve(), name)
    return None


def bundle_text(bundle: CaBundle | None) -> str:
    """What the build and the containers get: the bundle, or nothing (an empty file)."""
    return bundle.path.read_text(encoding="utf-8", errors="replace") if bundle else ""
