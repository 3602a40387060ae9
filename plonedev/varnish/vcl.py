"""Render the Plone VCL from typed settings.

Built in Python rather than a template so every choice (frontend or not, virtual
hosting or not) is plain code with tests, and every value is validated before it lands
in VCL, which has no escaping: a quote in a host name would otherwise break the file.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from typing import Any

from plonedev.errors import PlonedevError

# Set on every request Varnish sends upstream; the production ingress routes requests
# carrying it to the backend/frontend, and everything else to Varnish.
ROUTED_HEADER = "X-Varnish-Routed"
# Answered by Varnish itself: proves the listener and the loaded VCL work, whatever
# state the backend is in. Zope refuses ids starting with "_", so no content can clash.
HEALTH_PATH = "/_varnish_health"
# Requests carrying any of these cookies skip the cache: Plone's login (__ac), Volto's
# login (auth_token), sessions, the clipboard and status messages change the page.
PASS_COOKIES = ("__ac", "auth_token", "_ZopeId", "__cp", "statusmessages")
# First path segments that belong to Zope when a frontend serves everything else.
BACKEND_SEGMENTS = (
    r"\+\+api\+\+",  # plone.rest traverser: what Volto calls
    "ClassicUI",  # the Classic UI next to Volto, as in the production stacks
    "VirtualHostBase",  # URLs already rewritten for the virtual host monster
    r"manage(_\w+)?",  # the ZMI and its frames
    "misc_",
    "p_",
    r"\+\+resource\+\+zmi",
)
LOCALHOST_ACL = ("127.0.0.1", "::1")
# Stored on each cached object: the page's path as Plone names it in a PURGE, whichever
# way the page was reached (/++api++/doc, /ClassicUI/doc, /Plone/doc all name /doc when
# Varnish serves the site at "/"), so one PURGE drops the page, its JSON and its SSR.
PATH_HEADER = "X-Plonedev-Path"

_HOST = re.compile(r"[A-Za-z0-9._:-]+")
_PATH = re.compile(r"/[A-Za-z0-9._~/@+-]*")
_SITE_ID = re.compile(r"[A-Za-z][A-Za-z0-9_.-]*")
_COOKIE = re.compile(r"[A-Za-z0-9_.-]+")


# What `plonedev up` runs (natively and in Compose): never a stale page after an edit.
DEVELOPMENT_CACHING: dict[str, Any] = {"purge_all": True, "max_ttl": 10}


@dataclass(frozen=True)
class Upstream:
    """A server Varnish forwards to, and the path its health probe requests."""

    host: str
    port: int
    probe_path: str = "/ok"  # Plone and Volto both answer /ok


@dataclass(frozen=True)
class VclSettings:
    backend: Upstream  # Zope; or the ingress, when Varnish sits behind one
    frontend: Upstream | None = None  # Volto: gets every path that is not Zope's
    purge_acl: tuple[str, ...] = LOCALHOST_ACL  # addresses or CIDRs allowed PURGE and BAN
    # The Plone site served at "/" through the virtual host monster (/++api++ and
    # /ClassicUI included). None when Varnish does not rewrite (an ingress does it,
    # or the site is reached at /<site-id>).
    vhm_site: str | None = None
    default_ttl: int = 60  # seconds, for cacheable answers without caching headers
    grace: int = 3600  # seconds a stale copy may be served while the upstream is sick
    healthy_grace: int = 10  # ... and while it is healthy (refreshed in the background)
    probe_interval: int = 3  # seconds between health probes
    pass_cookies: tuple[str, ...] = PASS_COOKIES
    # Development: every PURGE from Plone empties the cache (an edited title shows in
    # every page's navigation at once), and nothing is kept longer than max_ttl seconds
    # (0: as long as Plone says), so a change Plone does not purge for is seen soon.
    purge_all: bool = False
    max_ttl: int = 0
    # Anonymous answers stay cached at least this long even when Plone says not to
    # cache them (0: off): a burst of anonymous requests reaches the backend once.
    cache_hold: int = 0


def development_settings(
    backend: Upstream,
    frontend: Upstream | None,
    *,
    site_id: str,
    cache_hold: int,
    purge_acl: tuple[str, ...] = LOCALHOST_ACL,
) -> VclSettings:
    """The Varnish `plonedev up` runs, natively and in Compose (only the upstreams'
    addresses and who may purge differ): never a stale page after an edit."""
    return VclSettings(
        backend=backend,
        frontend=frontend,
        purge_acl=purge_acl,
        # With a frontend at "/", ++api++ reaches the site through the virtual host
        # monster, as Volto in the browser asks for it and as in production.
        vhm_site=(site_id or None) if frontend else None,
        **DEVELOPMENT_CACHING,
        cache_hold=cache_hold,
    )


def render_vcl(settings: VclSettings) -> str:
    """The complete VCL (4.1, Varnish 6.6 or later) for these settings."""
    _validate(settings)
    sections = [
        _HEADER,
        _upstream("plone_backend", settings.backend, settings.probe_interval),
        _upstream("plone_frontend", settings.frontend, settings.probe_interval)
        if settings.frontend is not None
        else "",
        _acl(settings.purge_acl),
        _recv(settings),
        _route(settings),
        _content_path(settings),
        _hash(),
        _backend_fetch(settings),
        _backend_response(settings),
        _deliver_and_pipe(),
    ]
    return "\n".join(section for section in sections if section)


def _validate(settings: VclSettings) -> None:
    for role, upstream in (("backend", settings.backend), ("frontend", settings.frontend)):
        if upstream is None:
            continue
        if not _HOST.fullmatch(upstream.host):
            raise PlonedevError(
                f"Varnish {role} host {upstream.host!r} is not a host name or address",
                "use a name like 127.0.0.1, localhost or backend",
            )
        if not 1 <= upstream.port <= 65535:
            raise PlonedevError(
                f"Varnish {role} port {upstream.port} is out of range",
                "use a port between 1 and 65535",
            )
        if not _PATH.fullmatch(upstream.probe_path):
            raise PlonedevError(
                f"Varnish {role} probe path {upstream.probe_path!r} is not a plain URL path",
                "use a path such as /ok",
            )
    if settings.vhm_site is not None and not _SITE_ID.fullmatch(settings.vhm_site):
        raise PlonedevError(
            f"Varnish site id {settings.vhm_site!r} is not a Zope id",
            "use the Plone site id, such as Plone",
        )
    for cookie in settings.pass_cookies:
        if not _COOKIE.fullmatch(cookie):
            raise PlonedevError(f"{cookie!r} is not a cookie name", "use letters, digits, _ . -")
    if not settings.pass_cookies:
        raise PlonedevError("Varnish needs at least one login cookie name", "keep the defaults")
    for name in ("max_ttl", "cache_hold"):
        if getattr(settings, name) < 0:
            raise PlonedevError(f"Varnish {name} must not be negative", "use 0 or more seconds")
    for name in ("default_ttl", "grace", "healthy_grace", "probe_interval"):
        if getattr(settings, name) < 1:
            raise PlonedevError(f"Varnish {name} must be at least 1 second", "raise it")
    _acl_entries(settings.purge_acl)  # raises on a bad entry


_HEADER = """\
# Generated by plonedev from [tool.plonedev]; changes are overwritten on the next run.
vcl 4.1;

import std;
"""


def _upstream(name: str, upstream: Upstream, interval: int) -> str:
    # One good probe in the last three is enough: a Zope restart (a few seconds in
    # development) does not mark it sick, and it is back as soon as it answers.
    return f"""\
backend {name} {{
    .host = "{upstream.host}";
    .port = "{upstream.port}";
    .connect_timeout = 5s;
    .first_byte_timeout = 300s;
    .between_bytes_timeout = 60s;
    .probe = {{
        .url = "{upstream.probe_path}";
        .timeout = 2s;
        .interval = {interval}s;
        .window = 3;
        .threshold = 1;
        .initial = 1;
    }}
}}
"""


def _acl_entries(entries: tuple[str, ...]) -> list[str]:
    lines = []
    for entry in entries:
        try:
            network = ipaddress.ip_network(entry, strict=False)
        except ValueError:
            raise PlonedevError(
                f"purge ACL entry {entry!r} is not an IP address or network",
                "use addresses or CIDRs such as 127.0.0.1 or 172.16.0.0/12",
            ) from None
        if network.prefixlen == network.max_prefixlen:
            lines.append(f'    "{network.network_address}";')
        else:
            lines.append(f'    "{network.network_address}"/{network.prefixlen};')
    return lines


def _acl(entries: tuple[str, ...]) -> str:
    body = "\n".join(_acl_entries(entries))
    return f"acl purge {{\n{body}\n}}\n" if body else "acl purge {\n}\n"


def _recv(settings: VclSettings) -> str:
    cookies = "|".join(re.escape(cookie) for cookie in settings.pass_cookies)
    if settings.purge_all:
        purge_note = "every page (development)"
        purge_ban = '"obj.status != 0"'
    else:
        purge_note = "one page, by plonedev_content_path,"
        purge_ban = f'"obj.http.{PATH_HEADER} == " + req.http.{PATH_HEADER}'
    return f"""\
sub vcl_recv {{
    unset req.http.{PATH_HEADER};
    if (req.method == "PURGE" || req.method == "BAN") {{
        if (!(client.ip ~ purge)) {{
            return (synth(405, "Not allowed"));
        }}
        # PURGE drops {purge_note} (all hosts and variants); BAN drops every
        # URL that starts with the given one (BAN / empties the cache).
        if (req.method == "PURGE") {{
            call plonedev_content_path;
            if (std.ban({purge_ban})) {{
                return (synth(200, "Purged"));
            }}
        }}
        if (req.method == "BAN" && std.ban("req.url ~ ^" + req.url)) {{
            return (synth(200, "Banned"));
        }}
        return (synth(400, std.ban_error()));
    }}
    if (req.url == "{HEALTH_PATH}") {{
        return (synth(200, "OK"));
    }}
    if (!req.http.host) {{
        set req.http.host = "localhost";
    }} elsif (req.http.host !~ "^[A-Za-z0-9.:\\[\\]-]+$") {{
        return (synth(400, "Bad Host header"));
    }}
    if (req.http.X-Forwarded-Proto != "https") {{
        set req.http.X-Forwarded-Proto = "http";
    }}
    set req.http.{ROUTED_HEADER} = "1";
    call plonedev_route;

    if (req.http.Upgrade ~ "(?i)websocket") {{
        return (pipe);
    }}
    if (req.method != "GET" && req.method != "HEAD") {{
        return (pass);
    }}
    if (req.http.Authorization || req.http.Cookie ~ "(^|;\\s*)({cookies})=") {{
        return (pass);
    }}
    # Anonymous: no other cookie changes Plone's answer, and any cookie would make
    # the request uncacheable.
    unset req.http.Cookie;
    call plonedev_content_path;
    if (std.healthy(req.backend_hint)) {{
        set req.grace = {settings.healthy_grace}s;
    }}
    return (hash);
}}
"""


def _route(settings: VclSettings) -> str:
    if settings.frontend is None:
        body = "    set req.backend_hint = plone_backend;"
    else:
        body = f"""\
    if (req.url ~ "{_backend_paths()}") {{
        set req.backend_hint = plone_backend;
    }} else {{
        set req.backend_hint = plone_frontend;
    }}"""
    return f"sub plonedev_route {{\n{body}\n}}\n"


def _content_path(settings: VclSettings) -> str:
    # Query strings, the ++api++ traverser, the /ClassicUI prefix and trailing slashes
    # do not change which content a URL shows; with the site served at "/", neither
    # does its id (Plone names /Plone/doc when edited straight on the backend).
    site = settings.vhm_site
    header = f"req.http.{PATH_HEADER}"
    strip_site = (
        f'    set {header} = regsub({header}, "^/{re.escape(site)}(/|$)", "/");\n' if site else ""
    )
    return f"""\
sub plonedev_content_path {{
    set {header} = regsub(req.url, "[?#].*$", "");
{strip_site}    set {header} = regsub({header}, "^/ClassicUI(/|$)", "/");
    set {header} = regsub({header}, "/\\+\\+api\\+\\+(/|$)", "/");
    set {header} = regsub({header}, "/+$", "");
    if ({header} == "") {{
        set {header} = "/";
    }}
}}
"""


def _backend_paths() -> str:
    return "^/(" + "|".join(BACKEND_SEGMENTS) + ")($|[/?])"


def _hash() -> str:
    # plone.rest answers JSON on the same URL as HTML when asked by Accept, without
    # Vary: Accept; keep the two apart. The builtin vcl_hash adds URL and host.
    return """\
sub vcl_hash {
    if (req.http.Accept ~ "application/json") {
        hash_data("json");
    }
}
"""


def _backend_fetch(settings: VclSettings) -> str:
    site = settings.vhm_site
    if site is None:
        return ""
    # Rewritten here, not in vcl_recv, so the cache key, PURGE and BAN use the public URL.
    base = f'"/VirtualHostBase/" + bereq.http.X-Forwarded-Proto + "/" + bereq.http.host + "/{site}'
    lines = [
        "sub vcl_backend_fetch {",
        '    if (bereq.url ~ "^/\\+\\+api\\+\\+($|[/?])") {',
        f'        set bereq.url = {base}/++api++/VirtualHostRoot"',
        '            + regsub(bereq.url, "^/\\+\\+api\\+\\+", "");',
        '    } elsif (bereq.url ~ "^/ClassicUI($|[/?])") {',
        f'        set bereq.url = {base}/VirtualHostRoot/_vh_ClassicUI"',
        '            + regsub(bereq.url, "^/ClassicUI", "");',
    ]
    if settings.frontend is None:
        # No frontend: the site itself is served at "/", Zope's own paths stay as they are.
        lines += [
            f'    }} elsif (bereq.url !~ "{_backend_paths()}") {{',
            f'        set bereq.url = {base}/VirtualHostRoot" + bereq.url;',
        ]
    lines += ["    }", "}", ""]
    return "\n".join(lines)


def _backend_response(settings: VclSettings) -> str:
    return f"""\
sub vcl_backend_response {{
    # A failed background refresh keeps the stale copy instead of caching the error.
    if (beresp.status >= 500 && bereq.is_bgfetch) {{
        return (abandon);
    }}
    # Plone in development often sends no caching headers: cache briefly, so a second
    # anonymous request is a hit. Explicit headers (private, no-store, max-age) and
    # Set-Cookie are honoured by the builtin rules that follow.
    if (beresp.ttl > 0s && !beresp.http.Cache-Control && !beresp.http.Expires
        && !beresp.http.Surrogate-Control) {{
        set beresp.ttl = {settings.default_ttl}s;
    }}
    set beresp.grace = {settings.grace}s;
    if (bereq.http.{PATH_HEADER}) {{
        set beresp.http.{PATH_HEADER} = bereq.http.{PATH_HEADER};
    }}
{_limits(settings)}}}
"""


def _limits(settings: VclSettings) -> str:
    lines = []
    if settings.max_ttl:
        lines += [
            f"    if (beresp.ttl > {settings.max_ttl}s) {{",
            f"        set beresp.ttl = {settings.max_ttl}s;",
            "    }",
        ]
    if settings.cache_hold:
        # Only answers to anonymous requests carry the path header; one that sets a
        # cookie is someone's own. Returning here skips the builtin rules, which would
        # not cache a private or no-cache answer; such an answer has no lifetime of its
        # own (the default would be 120 s): the hold is its lifetime.
        hold = settings.cache_hold
        lines += [
            f"    if (bereq.http.{PATH_HEADER} && beresp.status < 500",
            "        && !beresp.http.Set-Cookie) {",
            f"        if (beresp.ttl < {hold}s",
            '            || beresp.http.Cache-Control ~ "(?i)(private|no-cache|no-store)") {',
            f"            set beresp.ttl = {hold}s;",
            "        }",
            "        return (deliver);",
            "    }",
        ]
    return "".join(line + "\n" for line in lines)


def _deliver_and_pipe() -> str:
    return f"""\
sub vcl_deliver {{
    unset resp.http.{PATH_HEADER};
    if (obj.hits > 0) {{
        set resp.http.X-Cache = "HIT";
    }} else {{
        set resp.http.X-Cache = "MISS";
    }}
}}

sub vcl_pipe {{
    # Websockets (Volto's development server) need the upgrade headers passed on.
    if (req.http.Upgrade) {{
        set bereq.http.Upgrade = req.http.Upgrade;
        set bereq.http.Connection = req.http.Connection;
    }}
}}
"""
