"""What a visitor and an editor see through Varnish once Plone purges it: shared by the
native and the Compose caching tests."""

from __future__ import annotations

import json
import math
import re
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

from tests.integration.plone_project import PlonedevProject

_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # local: no proxy
FRESH_WITHIN = 1.0  # seconds from an edit to the new page through Varnish


@dataclass(frozen=True)
class Read:
    status: int
    cache: str  # X-Cache: HIT or MISS
    body: str

    @property
    def title(self) -> str:
        if self.body.startswith("{"):
            return str(json.loads(self.body).get("title"))
        # Classic UI: "Title — Site"; Volto: <title data-react-helmet="true">Title
        found = re.search(r"<title[^>]*>([^<]*?)(?: —| &mdash;|</title>)", self.body)
        return found.group(1).strip() if found else ""


def anonymous(url: str, accept: str = "text/html") -> Read:
    request = urllib.request.Request(url, headers={"Accept": accept})
    try:
        with _OPENER.open(request, timeout=30) as response:
            return Read(
                response.status, response.headers.get("X-Cache", ""), response.read().decode()
            )
    except urllib.error.HTTPError as exc:
        return Read(exc.code, exc.headers.get("X-Cache", ""), exc.read().decode())


def published_document(project: PlonedevProject, site: str, doc_id: str, title: str) -> None:
    """A document anonymous visitors may read, made over the REST API on the backend."""
    body = {"@type": "Document", "id": doc_id, "title": title}
    status, answer = project.request("POST", site, body, auth=True)
    assert status == 201, answer
    status, answer = project.request("POST", f"{site}/{doc_id}/@workflow/publish", auth=True)
    assert status == 200, answer


def seen_within(url: str, wanted: object, accept: str = "text/html") -> float:
    """Seconds from now until an anonymous read of `url` shows `wanted`."""
    return fresh_within(lambda: anonymous(url, accept), wanted, url)


def fresh_within(read_page: Callable[[], Read], wanted: object, what: str) -> float:
    """Seconds from now until a read that shows `wanted` (a title or a status) started:
    a stale answer to a read started later than FRESH_WITHIN fails. A read that waits
    for Plone to render the new page (slow on a busy machine) is not stale."""
    edited = time.monotonic()
    while True:
        started = time.monotonic() - edited
        read = read_page()
        got: object = read.status if isinstance(wanted, int) else read.title
        if got == wanted:
            return started
        assert started < FRESH_WITHIN, f"{what} showed {got!r} to a read {started:.2f} s after"
        time.sleep(0.05)


def check_second_read_is_a_hit(read_page: Callable[[], Read], title: str, what: str) -> None:
    """Two reads of a page just published: both show `title`, the second is a hit.
    Plone sends the publish's purges from a thread after the commit: one arriving
    between the reads empties the cache (development purges everything), so a pair is
    tried three times."""
    for _ in range(3):
        first = read_page()
        assert (first.status, first.title) == (200, title), (what, first.status, first.body[:300])
        second = read_page()
        assert second.status == 200, (what, second.status, second.body[:300])
        if second.cache == "HIT":
            return
    raise AssertionError(f"{what}: the second of two reads was never a cache hit")


def check_edit_and_delete_are_fresh(
    project: PlonedevProject, site: str, page: str, json_page: str
) -> None:
    """`site`: the document's container on the backend; `page`/`json_page`: its page and
    its JSON through Varnish. Two reads: the second a hit; edit: fresh; delete: 404."""
    published_document(project, site, "cached-doc", "First title")
    for url, accept in ((page, "text/html"), (json_page, "application/json")):
        check_second_read_is_a_hit(partial(anonymous, url, accept), "First title", url)

    status, answer = project.request(
        "PATCH", f"{site}/cached-doc", {"title": "Second title"}, auth=True
    )
    assert status == 204, answer
    seen_within(page, "Second title")
    seen_within(json_page, "Second title", "application/json")

    # Plone compiles its "not found" page on first use (over a second): not a stale read.
    assert anonymous(page.replace("cached-doc", "no-such-doc")).status == 404
    status, answer = project.request("DELETE", f"{site}/cached-doc", auth=True)
    assert status == 204, answer
    seen_within(page, 404)


def cache_counters(project: PlonedevProject) -> dict[str, object]:
    payload: dict[str, object] = json.loads(project.run("cache", "--json").stdout)
    assert payload["version"] == 1
    return payload


def check_hold_shields_the_backend(project: PlonedevProject, url: str, hold: int) -> None:
    """A page Plone says not to cache (private), read in a loop: with cache-hold, the
    backend sees it at most once per hold period."""
    assert "private" in _cache_control(url)
    before = cache_counters(project)["backend_requests"]
    duration = 2 * hold + 1.0
    started = time.monotonic()
    reads = 0
    while time.monotonic() - started < duration:
        assert anonymous(url).status == 200
        reads += 1
    after = cache_counters(project)["backend_requests"]
    assert isinstance(before, int) and isinstance(after, int)
    assert reads > 50
    assert after - before <= math.ceil(duration / hold), (reads, after - before)


def _cache_control(url: str) -> str:
    with _OPENER.open(urllib.request.Request(url), timeout=30) as response:
        return str(response.headers.get("Cache-Control", ""))
