"""Run inside a backend task: `python - HOST USER:PASSWORD DOC < stack_cache_probe.py`.

Reads DOC's Classic UI page and its ++api++ JSON on each Varnish task (tasks.varnish)
twice, edits its title and then deletes it over the REST API through the ingress (as a
browser would), and after each change polls every task until it shows the change.
Prints one JSON object: the tasks, what the reads saw, and per task and page the
seconds from the change to the start of the first read that showed it, and of the
last read that did not (a stale read started later than a second is a failure).
Standard library only: it runs with the image's Python.
"""

import base64
import http.client
import json
import re
import socket
import sys
import time

host, auth, doc = sys.argv[1:4]
NEW_TITLE = "Second title"
PAGES = ((f"/{doc}", "text/html"), (f"/++api++/{doc}", "application/json"))
tasks = sorted({info[4][0] for info in socket.getaddrinfo("tasks.varnish", 80)})


def title_of(body: str) -> str:
    if body.startswith("{"):
        return str(json.loads(body).get("title"))
    found = re.search(r"<title>([^<]*?)(?: —| &mdash;|</title>)", body)
    return found.group(1).strip() if found else ""


def call(address: str, method: str, path: str, headers: dict, body: bytes | None = None):
    connection = http.client.HTTPConnection(address, 80, timeout=30)
    connection.request(method, path, body=body, headers={"Host": host, **headers})
    response = connection.getresponse()
    text = response.read().decode(errors="replace")
    connection.close()
    return response.status, response.getheader("X-Cache", ""), text


def read(task: str, path: str, accept: str):
    status, cache, body = call(task, "GET", path, {"Accept": accept})
    return status, cache, title_of(body) if status == 200 else ""


def change(method: str, body: dict | None = None) -> int:
    token = base64.b64encode(auth.encode()).decode()
    headers = {"Authorization": f"Basic {token}", "Accept": "application/json"}
    data = None
    if body is not None:
        headers["Content-Type"] = "application/json"
        data = json.dumps(body).encode()
    return call("ingress", method, f"/++api++/{doc}", headers, data)[0]


def seen(wanted) -> dict:
    """For each task and page: [first read showing `wanted`, last read not showing it],
    in seconds after the change (None: no stale read)."""
    changed = time.monotonic()
    found = {}
    for task in tasks:
        for path, accept in PAGES:
            last_stale = None
            while True:
                started = time.monotonic() - changed
                status, _, title = read(task, path, accept)
                if (status if isinstance(wanted, int) else title) == wanted:
                    break
                last_stale = started
                if started > 10:
                    break
                time.sleep(0.02)
            found[f"{task} {path}"] = [round(started, 3), last_stale and round(last_stale, 3)]
    return found


reads = {
    f"{task} {path}": [read(task, path, accept) for _ in range(2)]
    for task in tasks
    for path, accept in PAGES
}
edited = change("PATCH", {"title": NEW_TITLE})
fresh = seen(NEW_TITLE)
deleted = change("DELETE")
gone = seen(404)
print(
    json.dumps(
        {
            "tasks": tasks,
            "reads": reads,
            "edited": edited,
            "fresh": fresh,
            "deleted": deleted,
            "gone": gone,
        }
    )
)
