"""Varnish for plonedev: the Plone VCL, varnishd as a local process, VCL reloads."""

from plonedev.varnish.admin import (
    AdminAddress,
    AdminTarget,
    ContainerAdmin,
    ReloadResult,
    admin_ping,
    reload_vcl,
)
from plonedev.varnish.process import (
    check_vcl,
    health_url,
    prepare_varnish,
    varnish_available,
    varnish_command,
    varnish_healthy,
    write_secret,
)
from plonedev.varnish.vcl import (
    DEVELOPMENT_CACHING,
    HEALTH_PATH,
    LOCALHOST_ACL,
    PASS_COOKIES,
    ROUTED_HEADER,
    Upstream,
    VclSettings,
    development_settings,
    render_vcl,
)

__all__ = [
    "DEVELOPMENT_CACHING",
    "HEALTH_PATH",
    "LOCALHOST_ACL",
    "PASS_COOKIES",
    "ROUTED_HEADER",
    "AdminAddress",
    "AdminTarget",
    "ContainerAdmin",
    "ReloadResult",
    "Upstream",
    "VclSettings",
    "admin_ping",
    "check_vcl",
    "development_settings",
    "health_url",
    "prepare_varnish",
    "reload_vcl",
    "render_vcl",
    "varnish_available",
    "varnish_command",
    "varnish_healthy",
    "write_secret",
]
