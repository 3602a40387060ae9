"""`plonedev ci` and `plonedev export-k8s`: from the repository to production."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from plonedev import ui
from plonedev.cli.errors import reports_errors

CI_HELP = (
    "Write the project's CI pipeline: .github/workflows/plonedev.yml (github) or "
    ".gitlab-ci.yml (gitlab). Lint and tests on every push; on the default branch and "
    "on tags, `plonedev build --push` to the forge's registry, tagged with the commit "
    "and the tag; with --deploy-host, a deploy job over SSH (on tags, or by hand)."
)


@reports_errors
def ci(
    forge: Annotated[str, typer.Argument(help="github or gitlab.")],
    deploy_host: Annotated[
        str,
        typer.Option(
            "--deploy-host",
            help="Add the deploy job, for the site on this public host name: `plonedev "
            "deploy` over SSH, the key and host from the forge's secrets.",
        ),
    ] = "",
    plonedev: Annotated[
        str,
        typer.Option(
            "--plonedev", help="What the jobs install as plonedev (default: this release)."
        ),
    ] = "",
) -> None:
    from plonedev.commands.ci import Forge, write_ci
    from plonedev.errors import PlonedevError
    from plonedev.render.ci_jobs import (
        KNOWN_HOSTS_SECRET,
        SSH_HOST_SECRET,
        SSH_KEY_SECRET,
        CiOptions,
    )
    from plonedev.render.owned import Outcome

    try:
        kind = Forge(forge)
    except ValueError:
        raise PlonedevError(
            f"{forge!r} is not a forge plonedev knows", "use `plonedev ci github` or `ci gitlab`"
        ) from None
    result = write_ci(Path.cwd(), kind, CiOptions(plonedev=plonedev, deploy_host=deploy_host))
    console = ui.console
    path = escape(str(result.file.path))
    if result.file.outcome is Outcome.USER_OWNED:
        console.print(f"  {path} is yours (no plonedev marker): left as it is")
        return
    mark = "[green]✓[/] Wrote" if result.file.outcome is Outcome.WRITTEN else "  Unchanged:"
    console.print(f"{mark} {path}")
    jobs = "lint, test" + (" (with the frontend)" if result.frontend else "") + ", build"
    console.print(f"  jobs: {jobs}" + (", deploy" if result.deploy else ""))
    if result.deploy:
        console.print(
            f"  The deploy job reads the secrets {SSH_KEY_SECRET} (a private key), "
            f"{SSH_HOST_SECRET} (user@host of a Swarm manager) and {KNOWN_HOSTS_SECRET} "
            "(its `ssh-keyscan` line)."
        )
