"""Varnish's own counters (varnishstat), and the path a PURGE names, as the VCL sees it."""

from __future__ import annotations

import json
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

from plonedev.errors import ServiceError
from plonedev.varnish.admin import ContainerAdmin
from plonedev.varnish.process import varnishstat_path

_FIELDS = (
    "MAIN.uptime",
    "MAIN.client_req",
    "MAIN.cache_hit",
    "MAIN.cache_miss",
    "MAIN.n_object",
    "MAIN.bans_added",
    "MAIN.backend_req",
)


@dataclass(frozen=True)
class CacheStats:
    uptime: int  # seconds since the cache process started
    requests: int
    hits: int
    misses: int
    objects: int
    purges: int  # PURGE and BAN requests, and `plonedev cache purge`, since start
    backend_requests: int

    @property
    def hit_ratio(self) -> float | None:
        looked_up = self.hits + self.misses
        return self.hits / looked_up if looked_up else None


def cache_stats(target: Path | ContainerAdmin, timeout: float = 10.0) -> CacheStats:
    """The counters of the varnishd in working directory `target`, or in a container."""
    fields = [arg for name in _FIELDS for arg in ("-f", name)]
    if isinstance(target, ContainerAdmin):
        argv = [target.docker, "exec", target.container, "varnishstat", "-j", *fields]
    else:
        argv = [varnishstat_path(), "-n", str(target.absolute()), "-j", *fields]
    try:
        done = subprocess.run(argv, capture_output=True, text=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        done = subprocess.CompletedProcess(argv, 1, "", "varnishstat did not answer")
    if done.returncode != 0:
        raise ServiceError(
            f"cannot read Varnish's counters: {(done.stderr or done.stdout).strip()[:200]}",
            "start Varnish first (plonedev up)",
        )
    data = json.loads(done.stdout)
    counters = data.get("counters", data)  # Varnish 6.5+ nests them
    value = {name: int(counters.get(name, {}).get("value", 0)) for name in _FIELDS}
    return CacheStats(
        uptime=value["MAIN.uptime"],
        requests=value["MAIN.client_req"],
        hits=value["MAIN.cache_hit"],
        misses=value["MAIN.cache_miss"],
        objects=value["MAIN.n_object"],
        # varnishd starts with one ban of its own.
        purges=max(value["MAIN.bans_added"] - 1, 0),
        backend_requests=value["MAIN.backend_req"],
    )


def content_path(url: str, site_id: str | None) -> str:
    """What the VCL stores as a cached page's path (plonedev_content_path in vcl.py)."""
    path = re.sub(r"[?#].*$", "", url)
    if not path.startswith("/"):
        path = "/" + path
    if site_id:
        path = re.sub(rf"^/{re.escape(site_id)}(/|$)", "/", path, count=1)
    path = re.sub(r"^/ClassicUI(/|$)", "/", path, count=1)
    path = re.sub(r"/\+\+api\+\+(/|$)", "/", path, count=1)
    return path.rstrip("/") or "/"


__all__ = ["CacheStats", "cache_stats", "content_path"]
