"""What `up` decided for a project, so every later command acts on what runs.

The runtime it was started in (kept until `down`: an engine that starts answering later
must not hide a native project) and the ports it took in place of taken defaults (kept
across `down`: the next `up` takes the same ones while they are free). In
.plonedev/project.json.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import MappingProxyType

from plonedev.files import write_atomic


@dataclass(frozen=True)
class ProjectRecord:
    runtime: str | None = None
    ports: Mapping[str, int] = field(default_factory=lambda: MappingProxyType({}))


class RecordFile:
    def __init__(self, path: Path) -> None:
        self.path = path

    def read(self) -> ProjectRecord:
        try:
            raw = json.loads(self.path.read_text())
        except (OSError, ValueError):
            return ProjectRecord()
        if not isinstance(raw, dict):
            return ProjectRecord()
        runtime = raw.get("runtime")
        ports = raw.get("ports")
        return ProjectRecord(
            runtime if isinstance(runtime, str) else None,
            MappingProxyType(
                {k: v for k, v in ports.items() if isinstance(v, int)}
                if isinstance(ports, dict)
                else {}
            ),
        )

    def started(self, runtime: str, ports: Mapping[str, int]) -> None:
        self._write(ProjectRecord(runtime, MappingProxyType(dict(ports))))

    def stopped(self) -> None:
        record = self.read()
        if record.runtime is not None:
            self._write(replace(record, runtime=None))

    def _write(self, record: ProjectRecord) -> None:
        payload = {"version": 1, "runtime": record.runtime, "ports": dict(record.ports)}
        write_atomic(self.path, json.dumps(payload, indent=2) + "\n")


def record_file(state_dir: Path) -> RecordFile:
    return RecordFile(state_dir / "project.json")
