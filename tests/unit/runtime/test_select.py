"""The runtime a project runs in sticks: --runtime, then the recorded one, then config."""

from __future__ import annotations

from plonedev.config import RuntimeChoice
from plonedev.runtime.engine_probe import EngineProbe
from plonedev.runtime.select import explicit_choice, resolve

KNOWN = ("native", "docker")  # plonedev.runtimes.registry's


def _engine_answers() -> EngineProbe:
    return EngineProbe(True, "unix:///var/run/docker.sock", "the Docker engine answers")


def test_the_recorded_runtime_wins_over_an_engine_that_answers_now() -> None:
    resolution = resolve(None, RuntimeChoice.AUTO, _engine_answers, recorded="native", known=KNOWN)
    assert resolution.name == "native"
    assert "started in it" in resolution.reason


def test_the_recorded_runtime_wins_over_the_config() -> None:
    assert (
        resolve(None, RuntimeChoice.DOCKER, _engine_answers, recorded="native", known=KNOWN).name
        == "native"
    )


def test_an_explicit_runtime_option_wins_over_the_record() -> None:
    assert resolve(
        "docker", RuntimeChoice.AUTO, _engine_answers, recorded="native", known=KNOWN
    ).name == ("docker")


def test_without_a_record_auto_detection_decides() -> None:
    assert resolve(None, RuntimeChoice.AUTO, _engine_answers, known=KNOWN).name == "docker"


def test_explicit_choice_is_none_for_auto() -> None:
    assert explicit_choice(None, RuntimeChoice.AUTO) is None
    assert explicit_choice("auto", RuntimeChoice.NATIVE) is None
    assert explicit_choice(None, RuntimeChoice.NATIVE) == "native"
    assert explicit_choice("docker", RuntimeChoice.NATIVE) == "docker"
