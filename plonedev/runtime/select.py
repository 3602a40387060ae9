"""Choose the runtime once, and say why: --runtime, then the runtime the project was
started in (recorded by `up`, until `down`), then the config, then auto-detection."""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass

from plonedev.config import RuntimeChoice
from plonedev.errors import PlonedevError
from plonedev.runtime.engine_probe import EngineProbe, probe_engine


@dataclass(frozen=True)
class Resolution:
    name: str
    reason: str


def resolve(
    cli_choice: str | None,
    config_choice: RuntimeChoice,
    probe: Callable[[], EngineProbe] = probe_engine,
    recorded: str | None = None,
    *,
    known: Collection[str],  # the runtimes' names (plonedev.runtimes.registry)
) -> Resolution:
    if cli_choice:
        choice, source = cli_choice, "--runtime"
    elif recorded is not None and recorded in known:
        return Resolution(recorded, "the project was started in it, until `plonedev down`")
    elif config_choice is not RuntimeChoice.AUTO:
        choice, source = config_choice.value, "tool.plonedev.runtime"
    else:
        return _auto(probe(), known)
    if choice not in (*known, "auto"):
        raise PlonedevError(
            f"{source}: unknown runtime {choice!r}",
            f"use one of auto, {', '.join(known)}",
        )
    if choice == "auto":
        return _auto(probe(), known)
    return Resolution(choice, f"chosen by {source}")


def explicit_choice(cli_choice: str | None, config_choice: RuntimeChoice) -> str | None:
    """The runtime asked for by name (--runtime, then the config), None for auto."""
    choice = cli_choice or config_choice.value
    return None if choice == "auto" else choice


def _auto(engine: EngineProbe, known: Collection[str]) -> Resolution:
    if engine.answers and "docker" in known:
        return Resolution("docker", f"auto: {engine.reason} ({engine.where})")
    if engine.answers:
        return Resolution("native", "auto: a Docker engine answers, but this build runs natively")
    return Resolution("native", f"auto: {engine.reason}")
