"""`plonedev console` and `plonedev run`, inside the backend's own Python (venv or image).

zconsole's `debug` and `run`, with `site` bound too: the configured Plone site, set as
the current site (zope.component hooks) on a request, with the Zope root's admin user as
the security context, so scripts see what a logged-in Manager sees and what they create
belongs to that user. Only the standard library and the backend's packages: plonedev
itself is not installed here.

    python console.py ZOPE_CONF SITE_ID ADMIN_USER [--read-only] debug
    python console.py ZOPE_CONF SITE_ID ADMIN_USER [--read-only] run SCRIPT [ARGS...]

--read-only opens a FileStorage read-only: the running backend holds its lock, and a
read-only FileStorage takes none; it sees the transactions committed up to the moment
it opened. Nothing is committed unless the code calls transaction.commit().
"""

from __future__ import annotations

import argparse
import code
import sys
from pathlib import Path


def _read_only_filestorage() -> None:
    # ZODB.config opens every <filestorage> section through this method.
    import ZODB.config

    opener = ZODB.config.FileStorage.open

    def open_read_only(self):  # type: ignore[no-untyped-def]
        self.config.read_only = True
        return opener(self)

    ZODB.config.FileStorage.open = open_read_only


def _namespace(zope_conf: str, site_id: str, admin_user: str) -> dict[str, object]:
    import transaction
    import Zope2
    from AccessControl.SecurityManagement import newSecurityManager
    from AccessControl.users import system
    from Testing.makerequest import makerequest
    from zope.component.hooks import setSite
    from zope.globalrequest import setRequest
    from Zope2.Startup.run import make_wsgi_app

    make_wsgi_app({}, zope_conf)
    app = makerequest(Zope2.app())
    app.REQUEST["PARENTS"] = [app]
    setRequest(app.REQUEST)
    user = app.acl_users.getUser(admin_user)
    newSecurityManager(None, user.__of__(app.acl_users) if user is not None else system)
    site = app.get(site_id)
    if site is not None:
        setSite(site)
    return {"__name__": "__main__", "app": app, "site": site, "transaction": transaction}


def _debug(namespace: dict[str, object], site_id: str, read_only: bool) -> None:
    if not sys.stdin.isatty():
        # Piped input runs as a script, as `python < file` does: no prompts in the output.
        exec(compile(sys.stdin.read(), "<stdin>", "exec"), namespace)  # noqa: S102 (its job)
        return
    import readline  # line editing and history for code.interact
    import rlcompleter

    readline.set_completer(rlcompleter.Completer(namespace).complete)
    readline.parse_and_bind("tab: complete")
    site = namespace["site"]
    lines = [
        '"app" is the Zope root; '
        + (f'"site" is {site_id!r}.' if site is not None else f"there is no site {site_id!r}."),
        "Changes are kept only after transaction.commit().",
    ]
    if read_only:
        lines.append(
            "Read-only: the running backend holds Data.fs; this console sees the site as of "
            "now (write with `plonedev run`, which stops the backend meanwhile)."
        )
    code.interact(banner="\n".join(lines), local=namespace, exitmsg="")


def _run(namespace: dict[str, object], script: str, args: list[str]) -> None:
    sys.argv = [script, *args]
    source = Path(script).read_text(encoding="utf-8")
    namespace["__file__"] = script
    exec(compile(source, script, "exec"), namespace)  # noqa: S102 (its job)


def main() -> None:
    parser = argparse.ArgumentParser(prog="console.py")
    parser.add_argument("zope_conf")
    parser.add_argument("site_id")
    parser.add_argument("admin_user")
    parser.add_argument("--read-only", action="store_true")
    parser.add_argument("mode", choices=["debug", "run"])
    parser.add_argument("rest", nargs=argparse.REMAINDER)
    options = parser.parse_args()
    if options.read_only:
        _read_only_filestorage()
    namespace = _namespace(options.zope_conf, options.site_id, options.admin_user)
    if options.mode == "debug":
        _debug(namespace, options.site_id, options.read_only)
    else:
        _run(namespace, options.rest[0], options.rest[1:])


if __name__ == "__main__":
    main()
