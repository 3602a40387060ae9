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
