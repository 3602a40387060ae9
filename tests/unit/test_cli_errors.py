"""Bad input: one line naming the problem and the fix, a non-zero exit, nothing written."""

from __future__ import annotations

import socket
import subprocess
from pathlib import Path

import pytest

from tests.conftest import run_plonedev as _plonedev
from tests.conftest import write_pyproject


def _tree(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def _assert_one_line_error(done: subprocess.CompletedProcess[str], *fragments: str) -> None:
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr + done.stdout
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith("Error: ")
    for fragment in fragments:
        assert fragment in lines[0]


@pytest.mark.parametrize(
    ("pyproject", "fragments"),
    [
        ("[tool.plonedev\n", ("pyproject.toml: invalid TOML",)),
        (
            '[tool.plonedev]\nstorage = "zoe"\n',
            ("tool.plonedev.storage: expected one of filestorage, zeo, relstorage, got 'zoe'",),
        ),
        ('[tool.plonedev]\nstorge = "zeo"\n', ("tool.plonedev.storge: unknown key",)),
        ("[tool.plonedev]\nvarnish = 1\n", ("tool.plonedev.varnish: expected true or false",)),
        ('[project]\nname = "x"\n', ("no [tool.plonedev]", "plonedev init")),
        (
            '[tool.plonedev]\nca-bundle = "corp.pem"\n',
            ("tool.plonedev.ca-bundle: file 'corp.pem' not found", "PEM bundle"),
        ),
        (
            '[tool.plonedev.images]\npostgres = "postgres 16"\n',
            ("tool.plonedev.images.postgres: expected an image reference", "'postgres 16'"),
        ),
    ],
)
def test_bad_config_is_one_line_and_writes_nothing(
    tmp_path: Path, pyproject: str, fragments: tuple[str, ...]
) -> None:
    (tmp_path / "pyproject.toml").write_text(pyproject)
    before = _tree(tmp_path)
    for command in ("up", "status", "down", "doctor"):
        _assert_one_line_error(_plonedev(tmp_path, command), *fragments)
    assert _tree(tmp_path) == before


def test_broken_mx_ini_is_one_line_and_writes_nothing(tmp_path: Path) -> None:
    write_pyproject(tmp_path, 'runtime = "native"\n')
    (tmp_path / "mx.ini").write_text("[settings]\n\n[collective.nourl]\nbranch = main\n")
    before = _tree(tmp_path)
    done = _plonedev(tmp_path, "up")
    _assert_one_line_error(done, "mx.ini", "collective.nourl", "url")
    assert _tree(tmp_path) == before


def test_source_that_cannot_be_cloned(tmp_path: Path) -> None:
    write_pyproject(tmp_path, 'runtime = "native"\n')
    (tmp_path / "mx.ini").write_text(
        f"[settings]\n\n[collective.gone]\nurl = file://{tmp_path}/no-such-repo.git\n"
    )
    done = _plonedev(tmp_path, "up")
    _assert_one_line_error(done, "mx.ini: [collective.gone]: cannot clone")
    assert not (tmp_path / "sources" / "collective.gone").exists()
    assert not (tmp_path / "var").exists()


def test_missing_program_names_it_and_the_fix(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from plonedev import model_builder
    from plonedev.config import load_config
    from plonedev.errors import PlonedevError
    from plonedev.paths import ProjectPaths

    monkeypatch.setattr(model_builder, "varnish_available", lambda: None)  # a machine without it
    config = load_config(write_pyproject(tmp_path, "varnish = true\n"))
    with pytest.raises(PlonedevError) as caught:
        model_builder.build_project(config, ProjectPaths(tmp_path))
    assert caught.value.message == "varnish = true, but varnishd was not found"
    assert "apt-get install varnish" in caught.value.hint


def test_unknown_runtime_option(tmp_path: Path) -> None:
    write_pyproject(tmp_path, "")
    _assert_one_line_error(_plonedev(tmp_path, "status", "--runtime", "podman"), "podman")


def test_logs_of_an_unknown_service(tmp_path: Path) -> None:
    write_pyproject(tmp_path, 'runtime = "native"\n')
    _assert_one_line_error(_plonedev(tmp_path, "logs", "frontnd"), "no service named 'frontnd'")


def test_status_json_when_nothing_runs(tmp_path: Path) -> None:
    write_pyproject(tmp_path, 'runtime = "native"\nstorage = "zeo"\n')
    done = _plonedev(tmp_path, "status", "--json")
    assert done.returncode == 0, done.stderr
    import json

    payload = json.loads(done.stdout)
    assert payload["runtime"] == "native"
    assert {s["name"]: s["state"] for s in payload["services"]} == {
        "zeo": "stopped",
        "backend": "stopped",
    }


def test_doctor_reports_a_port_taken_by_another_program(tmp_path: Path) -> None:
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", 0))
        squatter.listen()
        port = squatter.getsockname()[1]
        write_pyproject(tmp_path, f'runtime = "native"\n[tool.plonedev.ports]\nbackend = {port}\n')
        done = _plonedev(tmp_path, "doctor", "--json")
    import json

    payload = json.loads(done.stdout)
    assert done.returncode == 1
    assert payload["runtime"] == "native"
    assert payload["runtime_reason"] == "chosen by tool.plonedev.runtime"
    ports = {c["name"]: c for c in payload["checks"] if c["name"].startswith("port")}
    assert ports["port backend"]["ok"] is False
    assert "tool.plonedev.ports.backend" in ports["port backend"]["detail"]
    assert payload["config"]["storage"] == "filestorage"


def test_init_on_a_file_is_one_line_and_writes_nothing(tmp_path: Path) -> None:
    target = tmp_path / "notes.txt"
    target.write_text("keep me\n")
    before = _tree(tmp_path)
    done = _plonedev(tmp_path, "init", "notes.txt")
    _assert_one_line_error(done, "notes.txt: is a file, not a folder", "name a folder")
    assert _tree(tmp_path) == before


def test_up_of_an_unknown_service_lists_the_valid_ones_and_writes_nothing(tmp_path: Path) -> None:
    write_pyproject(tmp_path, 'runtime = "native"\nstorage = "zeo"\n')
    before = _tree(tmp_path)
    done = _plonedev(tmp_path, "up", "varnsh")
    _assert_one_line_error(done, "no service named 'varnsh'", "choose from zeo, backend")
    assert _tree(tmp_path) == before


def test_down_all_with_volumes_is_refused(tmp_path: Path) -> None:
    write_pyproject(tmp_path, 'runtime = "native"\n')
    _assert_one_line_error(_plonedev(tmp_path, "down", "--all", "--volumes"), "--all")


@pytest.mark.parametrize(
    ("args", "fragments"),
    [
        (("nosuch",), ("No such command 'nosuch'", "`plonedev --help`")),
        (("up", "--nosuch"), ("No such option: --nosuch", "`plonedev up --help`")),
        (("debug", "--port", "abc"), ("'--port'", "valid integer", "`plonedev debug --help`")),
        (("snapshot", "a", "b"), ("unexpected extra argument", "`plonedev snapshot --help`")),
    ],
)
def test_a_usage_error_is_one_line_naming_the_help(
    tmp_path: Path, args: tuple[str, ...], fragments: tuple[str, ...]
) -> None:
    write_pyproject(tmp_path, 'runtime = "native"\n')
    before = _tree(tmp_path)
    done = _plonedev(tmp_path, *args)
    _assert_one_line_error(done, *fragments)
    assert done.stdout == "" and _tree(tmp_path) == before


def test_a_group_without_its_command_prints_its_help(tmp_path: Path) -> None:
    done = _plonedev(tmp_path, "site")
    assert done.returncode == 2
    assert "reset" in done.stdout and "Error" not in done.stderr
