"""`plonedev test`, inside the backend's own Python (venv or image), in an add-on's folder.

pytest (with pytest-plone's fixtures) when the add-on configures pytest, zope.testrunner
when it does not, as cookieplone's Makefile and older add-ons do. The exit code is the
test runner's. A runner that is not installed is one line naming the fix, exit 2.

    python run_tests.py [--cov] [ARGS...]
"""

from __future__ import annotations

import configparser
import sys
from pathlib import Path

# Where pytest reads its configuration from (the add-on's folder is the rootdir).
_INI_SECTIONS = {"pytest.ini": "pytest", ".pytest.ini": "pytest", "tox.ini": "pytest",
                 "setup.cfg": "tool:pytest"}  # fmt: skip
_NO_EXTRA = (
    "add `extras = test` to the add-on's section in mx.ini (its test extra requiring "
    "pytest-plone), then `plonedev up`"
)


def _configures_pytest() -> bool:
    if Path("conftest.py").exists() or Path("tests", "conftest.py").exists():
        return True
    for name, section in _INI_SECTIONS.items():
        if Path(name).is_file():
            parser = configparser.ConfigParser(interpolation=None)
            try:
                parser.read(name, encoding="utf-8")
            except configparser.Error:
                continue
            if name in ("pytest.ini", ".pytest.ini") or parser.has_section(section):
                return True
    pyproject = Path("pyproject.toml")
    return pyproject.is_file() and "[tool.pytest.ini_options]" in pyproject.read_text("utf-8")


def _fail(message: str, hint: str) -> None:
    print(f"Error: {message} — {hint}", file=sys.stderr)
    sys.exit(2)


def _pytest(args: list[str], coverage: bool) -> int:
    try:
        import pytest
    except ImportError:
        _fail("pytest is not installed in the backend environment", _NO_EXTRA)
    if coverage:
        try:
            import pytest_cov  # noqa: F401
        except ImportError:
            _fail("--cov needs pytest-cov in the backend environment", _NO_EXTRA)
        source = "src" if Path("src").is_dir() else "."
        args = [f"--cov={source}", "--cov-report=term-missing", *args]
    # The add-on's folder may be a read-only mount: no cache written there.
    return int(pytest.main(["-p", "no:cacheprovider", *args]))


def _testrunner(args: list[str], coverage: bool) -> int:
    if coverage:
        _fail("--cov needs an add-on configured for pytest", "add [tool.pytest.ini_options]")
    try:
        from zope.testrunner.runner import Runner
    except ImportError:
        _fail("zope.testrunner is not installed in the backend environment", _NO_EXTRA)
    from zope.testrunner.options import get_options

    source = "src" if Path("src").is_dir() else "."
    options = get_options([sys.argv[0], *args], ["--test-path", source, "--auto-color"])
    runner = Runner(options=options)
    runner.run()
    return 1 if runner.failed else 0


def main() -> None:
    args = sys.argv[1:]
    coverage = "--cov" in args
    args = [arg for arg in args if arg != "--cov"]
    run = _pytest if _configures_pytest() else _testrunner
    sys.exit(run(args, coverage))


if __name__ == "__main__":
    main()
