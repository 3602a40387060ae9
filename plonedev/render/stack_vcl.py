"""The production VCL: Varnish between the public ingress and the ingress's own routes.

Varnish forwards everything it does not answer from its cache back to the ingress, on an
entry point that only the internal network reaches; the header Varnish sets on the way
(ROUTED_HEADER) is what the routes there match to pick the frontend or the backend.
Varnish so needs one upstream with one address (the ingress), whatever the number of
backend and frontend replicas.
"""

from __future__ import annotations

from plonedev.varnish.vcl import Upstream, VclSettings, render_vcl

# The ingress service's name in the stack, whichever proxy runs it.
INGRESS_HOST = "ingress"
# The ingress's internal entry point: what Varnish forwards to.
INTERNAL_PORT = 8000
# Varnish's health probe: the ingress sends it to a backend's /ok, so Varnish sees the
# site as sick (and serves stale copies, within grace) when no backend answers.
PROBE_PATH = "/_ingress_health"

# Where PURGE and BAN may come from: the private ranges Docker gives overlay networks.
# Varnish is attached to the stack's internal network only, and the ingress refuses
# PURGE and BAN from outside, so in effect: the internal network.
PRIVATE_NETWORKS = ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16")

# Appended to the generated VCL (Varnish runs several definitions of a subroutine in
# order). During a rolling update an upstream can drop a request between the
# ingress's last DNS answer and the task's end: ask again, for requests that can be
# repeated safely.
_RETRY = """\
sub vcl_backend_response {
    if (beresp.status >= 502 && beresp.status <= 504 && bereq.retries < 2
        && (bereq.method == "GET" || bereq.method == "HEAD")) {
        return (retry);
    }
}

sub vcl_backend_error {
    if (bereq.retries < 2 && (bereq.method == "GET" || bereq.method == "HEAD")) {
        return (retry);
    }
}
"""


def render_stack_vcl(ingress_host: str = INGRESS_HOST, cache_hold: int = 0) -> str:
    """The VCL baked into the stack's Varnish image (the same for every stack option):
    Plone's caching headers decide, each PURGE drops the page it names."""
    settings = VclSettings(
        backend=Upstream(ingress_host, INTERNAL_PORT, PROBE_PATH),
        frontend=None,  # the ingress routes: Varnish has one upstream
        purge_acl=PRIVATE_NETWORKS,
        vhm_site=None,  # the ingress rewrites for the virtual host monster
        default_ttl=60,
        cache_hold=cache_hold,
    )
    return render_vcl(settings) + "\n" + _RETRY
