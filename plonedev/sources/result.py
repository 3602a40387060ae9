"""What a sync did, and the record of the last sync that lets the next one be skipped."""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Literal

from plonedev.files import file_digest, write_atomic

# checked-out: cloned now; updated: pulled now; kept: left as it is (offline, or
# `update = false`); skipped-dirty: has local work, left as it is (see warnings);
# fs: a `vcs = fs` package, nothing to fetch; missing: not there (offline), not installed.
SourceStateName = Literal["checked-out", "updated", "kept", "skipped-dirty", "fs", "missing"]

RECORD = "sources-sync.json"


@dataclass(frozen=True)
class SourceState:
    name: str
    path: Path
    vcs: str
    url: str
    state: SourceStateName
    reason: str = ""  # why it was skipped or is missing


@dataclass(frozen=True)
class SourcesResult:
    requirements: Path  # requirements-mxdev.txt: install with `-r` from the project root
    constraints: Path  # constraints-mxdev.txt (requirements-mxdev.txt refers to it)
    sources: tuple[SourceState, ...]
    warnings: tuple[str, ...]
    cached: bool = False  # True: nothing changed since the last sync, mxdev did not run


def save_record(out_dir: Path, key: str, result: SourcesResult) -> None:
    record = {
        "fingerprint": key,
        "outputs": {
            str(result.requirements): file_digest(result.requirements),
            str(result.constraints): file_digest(result.constraints),
        },
        "result": {
            "requirements": str(result.requirements),
            "constraints": str(result.constraints),
            "warnings": list(result.warnings),
            "sources": [{**vars(s), "path": str(s.path)} for s in result.sources],
        },
    }
    write_atomic(out_dir / RECORD, json.dumps(record, indent=1))  # never half a record


def load_record(out_dir: Path, key: str) -> SourcesResult | None:
    """The last sync's result, if it was made from the same inputs and its outputs are intact."""
    try:
        record = json.loads((out_dir / RECORD).read_text(encoding="utf-8"))
        if record["fingerprint"] != key:
            return None
        outputs: dict[str, str] = record["outputs"]
        if any(file_digest(Path(path)) != digest for path, digest in outputs.items()):
            return None
        return replace(_result(record["result"]), cached=True)
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _result(data: dict[str, Any]) -> SourcesResult:
    return SourcesResult(
        requirements=Path(data["requirements"]),
        constraints=Path(data["constraints"]),
        warnings=tuple(data["warnings"]),
        sources=tuple(SourceState(**{**s, "path": Path(s["path"])}) for s in data["sources"]),
    )
