"""Which ports `up` takes: defaults give way to the next free port, explicit ones never."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from plonedev.config import PlonedevConfig
from plonedev.errors import PlonedevError
from plonedev.runtime.port_choice import PortMove, choose_ports, with_ports


def _config(**values: object) -> PlonedevConfig:
    return PlonedevConfig.model_validate(values)


def _taken(*ports: int) -> Callable[[str, int], bool]:
    return lambda host, port: port not in ports


def test_free_defaults_stay() -> None:
    assert choose_ports(_config(), {}, _taken()) == ({"backend": 8080}, [])


def test_a_taken_default_gives_way_to_the_next_free_port() -> None:
    ports, moves = choose_ports(_config(), {}, _taken(8080, 8081))
    assert ports == {"backend": 8082}
    assert moves == [PortMove("backend", 8080, 8082)]
    assert "backend uses port 8082: its default 8080 was taken" in str(moves[0])


def test_an_explicit_port_is_never_moved() -> None:
    config = _config(ports={"backend": 8080})
    assert choose_ports(config, {}, _taken(8080)) == ({}, [])


def test_the_recorded_port_is_kept_while_it_is_free() -> None:
    ports, _ = choose_ports(_config(), {"backend": 8083}, _taken())
    assert ports == {"backend": 8083}
    ports, _ = choose_ports(_config(), {"backend": 8083}, _taken(8083))
    assert ports == {"backend": 8084}


def test_only_the_services_the_project_runs_get_ports() -> None:
    config = _config(storage="zeo", varnish=True, frontend="frontend")
    ports, _ = choose_ports(config, {}, _taken())
    assert set(ports) == {"backend", "zeo", "varnish", "frontend"}


def test_the_frontend_needs_two_free_ports_and_no_port_is_given_twice() -> None:
    # 3001 (the frontend's assets port) is taken; a backend moved onto 8101 is not reused.
    config = _config(storage="zeo", frontend="frontend")
    ports, _ = choose_ports(config, {"backend": 8101}, _taken(3001, 8100))
    assert ports == {"backend": 8101, "zeo": 8102, "frontend": 3002}


def test_an_explicit_port_is_not_given_to_another_service() -> None:
    config = _config(storage="zeo", ports={"zeo": 8081})
    ports, _ = choose_ports(config, {}, _taken(8080))
    assert ports == {"backend": 8082}


def test_no_free_port_is_one_line_naming_the_key() -> None:
    with pytest.raises(PlonedevError, match="no free port for backend") as caught:
        choose_ports(_config(), {}, lambda host, port: False)
    assert "tool.plonedev.ports.backend" in caught.value.hint


def test_moved_ports_apply_but_stay_movable() -> None:
    config = with_ports(_config(ports={"zeo": 8200}, storage="zeo"), {"backend": 8082, "zeo": 1})
    assert (config.ports.backend, config.ports.zeo) == (8082, 8200)
    assert config.ports.model_fields_set == {"zeo"}
    ports, _ = choose_ports(config, {}, _taken())
    assert ports == {"backend": 8080}
