"""The stack backend's purger: each PURGE to every address the proxy's name has (Swarm's
tasks.varnish: every Varnish task), and no worker left for an address that is gone.
plone.cachepurging's DefaultPurger is a fake here (the real one: test_deploy.py)."""

from __future__ import annotations

import importlib
import sys
import threading
import types
from collections.abc import Iterator
from typing import Any

import pytest

from plonedev.templates.stack.plonedev_purging.fanout import task_urls

PACKAGE = "plonedev.templates.stack.plonedev_purging"


def _resolver(answers: dict[str, list[str]]) -> Any:
    def resolve(host: str, port: int) -> list[str]:
        if host not in answers:
            raise OSError(f"no such host {host}")
        return answers[host]

    return resolve


def test_a_name_fans_out_to_each_of_its_addresses() -> None:
    resolve = _resolver({"tasks.varnish": ["10.0.1.5", "10.0.1.9"]})
    assert task_urls("http://tasks.varnish:80/doc/view", resolve) == [
        "http://10.0.1.5:80/doc/view",
        "http://10.0.1.9:80/doc/view",
    ]
    v6 = _resolver({"cache": ["fd00::2"]})
    assert task_urls("http://cache/a?b=1", v6) == ["http://[fd00::2]/a?b=1"]


def test_what_cannot_fan_out_stays_as_it_is() -> None:
    resolve = _resolver({"varnish": ["10.0.1.5"], "empty": []})
    assert task_urls("http://10.0.0.7:6081/doc", resolve) == ["http://10.0.0.7:6081/doc"]
    assert task_urls("http://gone:80/doc", resolve) == ["http://gone:80/doc"]  # logged later
    assert task_urls("http://empty/doc", resolve) == ["http://empty/doc"]
    assert task_urls("https://varnish/doc", resolve) == ["https://varnish/doc"]  # certificate


class _FakeWorker:
    def __init__(self) -> None:
        self.stopped = False

    def stop(self) -> None:
        self.stopped = True


class _FakeQueue:
    def __init__(self) -> None:
        self.items: list[object] = []

    def put(self, item: object, block: bool = True) -> None:
        self.items.append(item)


class _DefaultPurger:
    """plone.cachepurging's: a queue and a worker per (netloc, scheme)."""

    def __init__(self) -> None:
        self.queues: dict[tuple[str, str], _FakeQueue] = {}
        self.workers: dict[tuple[str, str], _FakeWorker] = {}
        self.queueLock = threading.Lock()
        self.sent: list[str] = []

    def purgeAsync(self, url: str, httpVerb: str = "PURGE") -> None:
        scheme, rest = url.split("://", 1)
        key = (rest.split("/", 1)[0], scheme)
        self.queues.setdefault(key, _FakeQueue())
        self.workers.setdefault(key, _FakeWorker())
        self.sent.append(url)

    def purgeSync(self, url: str, httpVerb: str = "PURGE") -> tuple[object, str, str]:
        return (404 if "10.0.1.9" in url else 200, "", url)


@pytest.fixture
def purger_module(monkeypatch: pytest.MonkeyPatch) -> Iterator[types.ModuleType]:
    fake = types.ModuleType("plone.cachepurging.purger")
    fake.DefaultPurger = _DefaultPurger  # type: ignore[attr-defined]
    for name in ("plone", "plone.cachepurging"):
        monkeypatch.setitem(sys.modules, name, types.ModuleType(name))
    monkeypatch.setitem(sys.modules, "plone.cachepurging.purger", fake)
    monkeypatch.delitem(sys.modules, f"{PACKAGE}.purger", raising=False)
    yield importlib.import_module(f"{PACKAGE}.purger")
    sys.modules.pop(f"{PACKAGE}.purger", None)


def test_every_task_gets_the_purge_and_a_gone_task_loses_its_worker(
    purger_module: types.ModuleType, monkeypatch: pytest.MonkeyPatch
) -> None:
    answers = {"tasks.varnish": ["10.0.1.5", "10.0.1.9"]}
    monkeypatch.setattr(purger_module, "task_urls", lambda url: task_urls(url, _resolver(answers)))
    purger = purger_module.FanOutPurger()
    purger.purgeAsync("http://tasks.varnish:80/doc")
    assert purger.sent == ["http://10.0.1.5:80/doc", "http://10.0.1.9:80/doc"]

    # A rolling update: the task at .5 is replaced by one at .7.
    answers["tasks.varnish"] = ["10.0.1.9", "10.0.1.7"]
    gone_worker = purger.workers[("10.0.1.5:80", "http")]
    gone_queue = purger.queues[("10.0.1.5:80", "http")]
    purger.purgeAsync("http://tasks.varnish:80/doc")
    assert purger.sent[2:] == ["http://10.0.1.9:80/doc", "http://10.0.1.7:80/doc"]
    assert gone_worker.stopped and gone_queue.items == [None]  # woken up to stop
    assert set(purger.workers) == {("10.0.1.9:80", "http"), ("10.0.1.7:80", "http")}


def test_a_sync_purge_reports_a_failed_task(
    purger_module: types.ModuleType, monkeypatch: pytest.MonkeyPatch
) -> None:
    answers = {"tasks.varnish": ["10.0.1.5", "10.0.1.9"]}
    monkeypatch.setattr(purger_module, "task_urls", lambda url: task_urls(url, _resolver(answers)))
    status, _, url = purger_module.FanOutPurger().purgeSync("http://tasks.varnish:80/doc")
    assert (status, url) == (404, "http://10.0.1.9:80/doc")
