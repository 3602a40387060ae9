"""What the native runtime has started, on disk, so another shell can see and stop it."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path

from plonedev.files import write_atomic
from plonedev.runtime.processes import ProcessHandle


@dataclass(frozen=True)
class RunningService:
    name: str
    pid: int
    start_ticks: int
    started_at: float
    command: tuple[str, ...]
    # contents_digest of the service's config_files when it started; None: not recorded
    # (a state file from before), so no reason to restart it.
    config_digest: str | None = None

    @property
    def handle(self) -> ProcessHandle:
        return ProcessHandle(self.pid, self.start_ticks)


class StateFile:
    """A JSON file of running services, replaced atomically on every change."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def read(self) -> dict[str, RunningService]:
        try:
            raw = json.loads(self.path.read_text())
        except (OSError, ValueError):
            return {}
        services = raw.get("services", {}) if isinstance(raw, dict) else {}
        result: dict[str, RunningService] = {}
        for name, entry in services.items():
            try:
                result[name] = RunningService(
                    name=name,
                    pid=int(entry["pid"]),
                    start_ticks=int(entry["start_ticks"]),
                    started_at=float(entry["started_at"]),
                    command=tuple(entry["command"]),
                    config_digest=entry.get("config_digest"),
                )
            except (KeyError, TypeError, ValueError):
                continue  # a damaged entry is a service we can no longer vouch for
        return result

    def put(self, service: RunningService) -> None:
        services = self.read()
        services[service.name] = service
        self._write(services)

    def remove(self, name: str) -> None:
        services = self.read()
        if services.pop(name, None) is not None:
            self._write(services)

    def _write(self, services: dict[str, RunningService]) -> None:
        payload = {
            "version": 1,
            "services": {
                name: {k: v for k, v in asdict(s).items() if k != "name"}
                for name, s in services.items()
            },
        }
        # 0600, as mkstemp always left it: the file is for this user's shells only.
        write_atomic(self.path, json.dumps(payload, indent=2), mode=0o600)
