"""plone.cachepurging's DefaultPurger, with each PURGE sent to every address of the
proxy's host name (fanout.task_urls), and the workers of addresses that are gone stopped.

DefaultPurger keeps a queue and a worker thread per host for good; a rolling update of
Varnish gives every task a new address, so without the clean-up each update would
leave idle threads behind.
"""

from __future__ import annotations

import threading

from plone.cachepurging.purger import DefaultPurger

from .fanout import netloc_of, task_urls


class FanOutPurger(DefaultPurger):
    def __init__(self) -> None:
        super().__init__()
        # The proxy's host (as configured) -> the addresses it resolved to last.
        self._addresses: dict[tuple[str, str], set[tuple[str, str]]] = {}
        self._addresses_lock = threading.Lock()

    def purgeAsync(self, url: str, httpVerb: str = "PURGE") -> None:
        urls = task_urls(url)
        self._retire_gone(url, urls)
        for each in urls:
            super().purgeAsync(each, httpVerb)

    def purgeSync(self, url: str, httpVerb: str = "PURGE") -> tuple[object, str, str]:
        """The first failed answer, else the first (the control panel shows one)."""
        results = [super(FanOutPurger, self).purgeSync(each, httpVerb) for each in task_urls(url)]
        failed = [result for result in results if result[0] != 200]
        return (failed or results)[0]

    def _retire_gone(self, url: str, urls: list[str]) -> None:
        scheme = url.split(":", 1)[0]
        now = {(netloc_of(each), scheme) for each in urls}
        with self._addresses_lock:
            before = self._addresses.get((netloc_of(url), scheme), set())
            self._addresses[(netloc_of(url), scheme)] = now
        for key in before - now:
            # A purge queued for a gone address meanwhile is lost with it: nothing is
            # cached there any more.
            with self.queueLock:
                worker = self.workers.pop(key, None)
                queue = self.queues.pop(key, None)
            if worker is not None and queue is not None:
                worker.stop()
                queue.put(None, block=False)  # wakes it up to see that it is stopping


PURGER = FanOutPurger()
