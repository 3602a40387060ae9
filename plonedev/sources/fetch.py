"""Clone or update each source with mxdev's WorkingCopies, in parallel, safely.

Each package gets its own WorkingCopies run with threads=1, in a thread of our pool:
with more threads mxdev calls sys.exit on the first error and stops the other checkouts,
and its messages would not say which source failed. A git checkout with local work is
left out before mxdev sees it (mxdev would ask on stdin).
"""

from __future__ import annotations

from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from plonedev.errors import PlonedevError
from plonedev.sources.git import describe_git_failure, is_dirty
from plonedev.sources.mxdev_session import Session, working_on
from plonedev.sources.mxini import SourceSpec
from plonedev.sources.result import SourceState, SourceStateName


def fetch_sources(
    specs: tuple[SourceSpec, ...],
    packages: Mapping[str, dict[str, Any]],
    threads: int,
    offline: bool,
    session: Session,
) -> tuple[SourceState, ...]:
    """Clone or update each source in parallel; raise for the first one that failed."""
    from mxdev.vcs.common import get_workingcopytypes

    get_workingcopytypes()  # load the entry points once, not in every thread

    def one(spec: SourceSpec) -> SourceState:
        state, reason = _fetch_one(spec, packages[spec.name], offline, session)
        return SourceState(spec.name, spec.path, spec.vcs, spec.url, state, reason)

    with ThreadPoolExecutor(max_workers=max(1, threads), thread_name_prefix="mxdev") as pool:
        sources = tuple(pool.map(one, specs))
    failed = [source for source in sources if session.errors.get(source.name)]
    if failed:
        raise _fetch_error(failed, {spec.name: spec for spec in specs}, session)
    return sources


def _fetch_one(
    spec: SourceSpec, package: dict[str, Any], offline: bool, session: Session
) -> tuple[SourceStateName, str]:
    from mxdev.vcs.common import WorkingCopies

    exists = spec.path.exists()
    if spec.vcs == "fs":
        return "fs", ""
    if offline or (exists and not spec.update):
        if exists:
            return "kept", ""
        return "missing", "is not checked out (offline), so it is not installed"
    if exists and spec.vcs == "git":
        reason = is_dirty(spec.path)
        if reason:
            return (
                "skipped-dirty",
                f"{reason}; commit and push (or stash) to let plonedev update it",
            )
    with working_on(spec.name):
        copies = WorkingCopies({spec.name: package}, threads=1, smart_threading=False)
        try:
            copies.checkout(
                [spec.name],
                verbose=False,
                update=True,
                submodules="always",
                always_accept_server_certificate=True,
                offline=False,
            )
        except SystemExit:  # mxdev exits when git is missing or a source is contradictory
            session.error("mxdev stopped (see the messages above)")
        except Exception as exc:  # e.g. ValueError for an option mxdev cannot read
            session.error(str(exc))
        if spec.name in session.declined:
            return "skipped-dirty", "it has local changes; commit and push to let it update"
        if copies.errors and not session.errors.get(spec.name):
            session.error("mxdev reported an error")
    return ("updated" if exists else "checked-out"), ""


def _fetch_error(
    failed: list[SourceState], specs: Mapping[str, SourceSpec], session: Session
) -> PlonedevError:
    spec = specs[failed[0].name]
    message = "\n".join(session.errors[spec.name])
    verb = "update" if failed[0].state == "updated" else "clone"
    if "Branch '" in message and "does not exist" in message:
        target = spec.branch or spec.rev
        reason, hint = f"branch {target!r} does not exist", "fix `branch` in mx.ini"
    else:
        reason, hint = describe_git_failure(message)
    others = f" (and {len(failed) - 1} more: {', '.join(s.name for s in failed[1:])})"
    return PlonedevError(
        f"mx.ini: [{spec.name}]: cannot {verb} {spec.url}: {reason}"
        + (others if len(failed) > 1 else ""),
        hint,
    )
