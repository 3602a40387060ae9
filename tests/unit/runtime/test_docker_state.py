"""An `up` with nothing to change skips Compose: when is there nothing to change."""

from __future__ import annotations

from pathlib import Path

from plonedev.runtime.docker_state import UpRecord, compose_digest


def test_the_digest_follows_the_compose_files_and_the_images(tmp_path: Path) -> None:
    compose = tmp_path / "compose.yaml"
    compose.write_text("services: {}\n")
    override = tmp_path / "compose.override.yaml"
    base = compose_digest([compose], ["sha256:1"])
    assert compose_digest([compose], ["sha256:1"]) == base
    assert compose_digest([compose], ["sha256:2"]) != base  # the image was rebuilt
    override.write_text("services: {backend: {environment: {A: '1'}}}\n")
    assert compose_digest([compose, override], ["sha256:1"]) != base
    compose.write_text("services: {x: {}}\n")
    assert compose_digest([compose], ["sha256:1"]) != base


def test_the_record_matches_only_what_it_saved(tmp_path: Path) -> None:
    record = UpRecord(tmp_path / "run" / "docker.json")
    assert not record.matches("d1")
    record.save("d1")
    assert record.matches("d1") and not record.matches("d2")
    record.clear()
    assert not record.matches("d1")


def test_the_two_calls_of_one_up_are_both_remembered(tmp_path: Path) -> None:
    # Services before the site, then the frontend: the second must not forget the first.
    record = UpRecord(tmp_path / "run" / "docker.json")
    record.save("before-the-site")
    record.save("everything")
    assert record.matches("before-the-site") and record.matches("everything")
    for n in range(UpRecord.KEEP):
        record.save(f"later-{n}")
    assert not record.matches("before-the-site")  # bounded


def test_a_record_of_the_previous_format_still_matches(tmp_path: Path) -> None:
    path = tmp_path / "docker.json"
    path.write_text('{"version": 1, "compose_digest": "d1"}\n')
    assert UpRecord(path).matches("d1")
