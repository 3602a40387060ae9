"""Ports as DDEV picks them: a default that is taken gives way to the next free one.

Only the ports the config leaves at their defaults move; one set in
[tool.plonedev.ports] is the user's promise and stays strict (`up` then fails on it
with the clear error of plonedev.runtime.ports). The ports chosen are recorded for the
project and tried first by the next `up`, so its URLs stay the same while they can.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from plonedev.config import PlonedevConfig, Ports, Storage
from plonedev.errors import PlonedevError
from plonedev.runtime.ports import port_is_free

LOOPBACK = "127.0.0.1"
_TRIES = 100
# The frontend's dev server also takes the next port (its assets).
_SPAN = {"frontend": 2}


@dataclass(frozen=True)
class PortMove:
    name: str
    default: int
    port: int  # taken at this `up` or kept from an earlier one

    def __str__(self) -> str:
        return (
            f"{self.name} uses port {self.port}: its default {self.default} was taken "
            "(kept for this project while it is free)"
        )


def used_ports(config: PlonedevConfig) -> tuple[str, ...]:
    """The [tool.plonedev.ports] keys of the services this project runs."""
    wanted = {
        "backend": True,
        "zeo": config.storage is Storage.ZEO,
        "postgres": config.storage is Storage.RELSTORAGE,
        "varnish": config.varnish,
        "frontend": bool(config.frontend),
    }
    return tuple(name for name in Ports.model_fields if wanted[name])


def with_ports(config: PlonedevConfig, ports: Mapping[str, int]) -> PlonedevConfig:
    """The config with `ports` in place of the defaults; explicit ports stay."""
    explicit = config.ports.model_fields_set
    moved = {name: port for name, port in ports.items() if name not in explicit}
    if not moved:
        return config
    # Built with the config's own fields_set: moved ports stay defaults, free to move again.
    values = {**config.ports.model_dump(), **moved}
    return config.model_copy(
        update={"ports": Ports.model_construct(_fields_set=set(explicit), **values)}
    )


def choose_ports(
    config: PlonedevConfig,
    recorded: Mapping[str, int],
    is_free: Callable[[str, int], bool] = port_is_free,
) -> tuple[dict[str, int], list[PortMove]]:
    """A port for each default one the project uses: the recorded one (else the default)
    while it is free, else the next free one; and the moves away from the defaults."""
    explicit = config.ports.model_fields_set
    names = used_ports(config)
    reserved = {
        port
        for name in names
        if name in explicit
        for port in _span(name, getattr(config.ports, name))
    }
    chosen: dict[str, int] = {}
    moves: list[PortMove] = []
    for name in names:
        if name in explicit:
            continue
        default = getattr(Ports(), name)
        wanted = recorded.get(name, default)
        port = _first_free(name, wanted, reserved, is_free)
        reserved.update(_span(name, port))
        chosen[name] = port
        if port != default:
            moves.append(PortMove(name, default, port))
    return chosen, moves


def _first_free(
    name: str, start: int, reserved: set[int], is_free: Callable[[str, int], bool]
) -> int:
    for port in range(start, min(start + _TRIES, 65536)):
        span = _span(name, port)
        if reserved.isdisjoint(span) and all(is_free(LOOPBACK, p) for p in span):
            return port
    raise PlonedevError(
        f"no free port for {name} in {start}-{start + _TRIES - 1} on {LOOPBACK}",
        f"stop some services, or set tool.plonedev.ports.{name} in pyproject.toml",
    )


def _span(name: str, port: int) -> Iterable[int]:
    return range(port, port + _SPAN.get(name, 1))
