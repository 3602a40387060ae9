"""`up`'s decisions against the fakes: what it starts, when it creates the site, what it
reports, and what a failed start leaves (the real thing: tests/integration/test_up_native.py)."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from plonedev import registry
from plonedev.cli.app import app
from plonedev.commands.down import down
from plonedev.commands.up import up
from plonedev.report import QuietReporter
from plonedev.runtime.record import record_file
from tests.unit.commands.conftest import FakeProject
from tests.unit.commands.fakes import StepsReporter

CREATE = ("POST", "/@sites")


def test_up_starts_every_service_creates_the_missing_site_and_says_where_it_is(
    fake: FakeProject,
) -> None:
    fake.configure('storage = "zeo"\n')
    reporter = StepsReporter()
    result = up(fake.root, reporter)
    assert fake.runtime.calls == ["up zeo backend"]
    assert "Creating the site 'Plone'" in reporter.titles
    assert fake.runtime.alive == {"zeo", "backend"}
    assert fake.plone.requests.count(CREATE) == 1 and fake.plone.site
    assert result.site_created is True
    assert result.urls == {
        "site": f"http://127.0.0.1:{fake.plone.port}/Plone",
        "zeo": "zeo://127.0.0.1:8100",
    }
    password_file = fake.paths.admin_password_file
    assert (result.admin_user, result.admin_password_file) == ("admin", password_file)
    assert result.admin_password == password_file.read_text().strip() != ""
    assert record_file(fake.paths.state).read().runtime == "native"  # `down` knows it
    assert [entry.root for entry in registry.entries()] == [fake.root]  # `ls` lists it


def test_up_when_everything_runs_asks_only_whether_the_site_exists(fake: FakeProject) -> None:
    up(fake.root, QuietReporter())
    fake.plone.requests.clear()
    reporter = StepsReporter()
    result = up(fake.root, reporter)
    assert fake.plone.requests == [("GET", "/Plone/@@ok")]  # one cheap request
    assert reporter.titles == ["Checking out sources (mxdev)"]  # no "Creating the site"
    assert result.site_created is False
    assert [(e.service, e.action) for e in reporter.events] == [("backend", "already running")]
    assert result.admin_password == fake.paths.admin_password_file.read_text().strip()


def test_up_never_creates_an_existing_site_but_installs_the_profiles_it_lacks(
    fake: FakeProject,
) -> None:
    fake.plone.site = True
    fake.plone.addon("collective.new")  # a teammate added it to the config since
    fake.plone.addon("collective.old", installed=True)
    fake.configure('profiles = ["collective.new:default", "collective.old:default"]\n')
    result = up(fake.root, QuietReporter())
    assert CREATE not in fake.plone.requests
    assert result.site_created is False
    assert fake.plone.installed() == {"collective.new", "collective.old"}
    imports = [path for method, path in fake.plone.requests if method == "POST"]
    assert imports == ["/Plone/@addons/collective.new/import/default"]  # the old one untouched


def test_up_of_the_database_alone_starts_only_it_and_leaves_the_site_alone(
    fake: FakeProject,
) -> None:
    fake.configure('storage = "zeo"\n')
    result = up(fake.root, QuietReporter(), services=("zeo",))
    assert fake.runtime.calls == ["up zeo"]
    assert fake.plone.requests == []
    assert result.urls == {"zeo": "zeo://127.0.0.1:8100"}
    assert fake.prepared == [False]  # no frontend to install for it


def test_a_backend_that_does_not_start_is_one_error_line_and_down_stops_what_is_left(
    fake: FakeProject, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake.configure('storage = "zeo"\n')
    fake.runtime.fail = {"backend": "ImportError: No module named 'collective.gone'"}
    monkeypatch.chdir(fake.root)
    done = CliRunner().invoke(app, ["up"])
    assert done.exit_code == 3, done.output  # a failed service, not a user error
    lines = done.stderr.strip().splitlines()
    assert lines[-1] == (
        "Error: backend exited during start-up — see its log (`plonedev logs backend`)"
    )
    assert lines[:-1] == ["ImportError: No module named 'collective.gone'"]  # its log above
    assert "Traceback" not in done.output
    # What it leaves: the database it started, recorded, so `down` stops it; no site.
    assert fake.runtime.alive == {"zeo"}
    assert CREATE not in fake.plone.requests
    assert record_file(fake.paths.state).read().runtime == "native"
    assert down(fake.root, QuietReporter()).stopped == ["zeo"]
    assert fake.runtime.alive == set()
    assert registry.entries() == []
