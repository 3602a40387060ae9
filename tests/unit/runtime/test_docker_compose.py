"""What Compose says, turned into one line a user can act on."""

from __future__ import annotations

from plonedev.errors import ServiceError
from plonedev.runtime.docker_compose import compose_error


def test_a_port_taken_by_a_program_names_the_port_and_the_fix() -> None:
    output = (
        "Error response from daemon: driver failed programming external connectivity on "
        "endpoint demo-backend-1: Error starting userland proxy: listen tcp4 "
        "127.0.0.1:8080: bind: address already in use"
    )
    error = compose_error("start the services", output)
    assert error.message == "port 8080 on 127.0.0.1 is already in use by another program"
    assert "[tool.plonedev.ports]" in error.hint


def test_a_port_taken_by_a_container_too() -> None:
    output = "Bind for 127.0.0.1:8000 failed: port is already allocated"
    assert "port 8000 on 127.0.0.1" in compose_error("start", output).message


def test_a_failed_job_points_at_its_logs() -> None:
    output = 'service "site" didn\'t complete successfully: exit 1'
    error = compose_error("start the services", output)
    assert isinstance(error, ServiceError)
    assert error.message == "site failed"
    assert error.hint == "see `plonedev logs site`"


def test_anything_else_keeps_the_last_line() -> None:
    error = compose_error("build the backend image", "step 1\nstep 2\nfailed to solve: boom")
    assert (
        error.message == "docker compose could not build the backend image: failed to solve: boom"
    )
    assert isinstance(error, ServiceError) and "step 1" in error.details


def test_a_base_image_that_cannot_be_pulled_points_at_the_images_config() -> None:
    output = (
        " > [b internal] load metadata for docker.io/library/python:3.11-slim:\n------\n"
        'failed to solve: failed to do request: Head "https://registry-1.docker.io/v2/...": '
        "no such host"
    )
    error = compose_error("build the backend image", output)
    assert error.message.startswith(
        "the image docker.io/library/python:3.11-slim could not be pulled"
    )
    assert "tool.plonedev.images" in error.hint


def test_a_service_image_that_cannot_be_pulled_too() -> None:
    output = (
        ' a Pulling \n a Error Get "https://registry-1.docker.io/v2/": no such host\n'
        'Error response from daemon: Get "https://registry-1.docker.io/v2/": no such host'
    )
    error = compose_error("start the services", output)
    assert error.message.startswith("an image could not be pulled")
