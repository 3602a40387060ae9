"""The backend around an add-on change: restart it on the new set, and back.

When the backend runs, it is restarted (and, on a rollback, restarted again on the
previous set). When it does not, the project is started for the duration of the change
(a new add-on must prove it starts, and its profile is installed through the running
site) and what was started is stopped again at the end: services end as they were.

With `recreate` (Docker: the change built a new backend image) the backend is brought
up rather than restarted, so Compose recreates its container from the new image; when
nothing about the container changed (only its bind-mounted instance files did), it is
restarted after all.
"""

from __future__ import annotations

from plonedev.model import Project, Role
from plonedev.runtime.protocol import EventSink, Runtime, State

BACKEND = Role.BACKEND.value  # the backend service's name
_ALIVE = (State.RUNNING, State.STARTING, State.UNHEALTHY)


class BackendControl:
    def __init__(
        self, runtime: Runtime, project: Project, on_event: EventSink, *, recreate: bool = False
    ) -> None:
        self.runtime = runtime
        self.project = project
        self.on_event = on_event
        self.recreate = recreate
        self.before = self._alive()
        self.restarted = False  # the backend was (re)started on new files

    @property
    def was_running(self) -> bool:
        return BACKEND in self.before

    def ensure_running(self) -> None:
        """Start the project if its backend does not run (to reach the site)."""
        if BACKEND not in self._alive():
            self.runtime.up(self.project, self.on_event)

    def restart(self) -> None:
        """Run the backend on what is on disk now; raises ServiceError if it fails to start."""
        self.restarted = True
        self._restart()

    def undo_restart(self) -> None:
        """Once the files and the environment are back: the backend on the previous set."""
        if self.restarted:
            self._restart()

    def settle(self) -> list[str]:
        """Stop what was not running before the change; return the names stopped."""
        alive = self._alive()
        started = tuple(
            n for n in self.project.service_names if n in alive and n not in self.before
        )
        return self.runtime.stop(self.project, started, self.on_event) if started else []

    def _restart(self) -> None:
        if BACKEND not in self._alive():
            self.runtime.up(self.project, self.on_event)
        elif not self.recreate:
            self.runtime.restart(self.project, (BACKEND,), self.on_event)
        else:
            before = self._pid()
            self.runtime.up(self.project, self.on_event)
            if self._pid() == before:  # the same container: it must read its files again
                self.runtime.restart(self.project, (BACKEND,), self.on_event)

    def _pid(self) -> int | None:
        statuses = self.runtime.status(self.project)
        return next((s.pid for s in statuses if s.name == BACKEND), None)

    def _alive(self) -> frozenset[str]:
        statuses = self.runtime.status(self.project)
        return frozenset(status.name for status in statuses if status.state in _ALIVE)
