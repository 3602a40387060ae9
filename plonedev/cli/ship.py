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
    from plonedev.render.owned import WriteOutcome

    try:
        kind = Forge(forge)
    except ValueError:
        raise PlonedevError(
            f"{forge!r} is not a forge plonedev knows", "use `plonedev ci github` or `ci gitlab`"
        ) from None
    result = write_ci(Path.cwd(), kind, CiOptions(plonedev=plonedev, deploy_host=deploy_host))
    console = ui.console
    path = escape(str(result.file.path))
    if result.file.outcome is WriteOutcome.USER_OWNED:
        console.print(f"  {path} is yours (no plonedev marker): left as it is")
        return
    mark = "[green]✓[/] Wrote" if result.file.outcome is WriteOutcome.WRITTEN else "  Unchanged:"
    console.print(f"{mark} {path}")
    jobs = "lint, test" + (" (with the frontend)" if result.frontend else "") + ", build"
    console.print(f"  jobs: {jobs}" + (", deploy" if result.deploy else ""))
    if result.deploy:
        console.print(
            f"  The deploy job reads the secrets {SSH_KEY_SECRET} (a private key), "
            f"{SSH_HOST_SECRET} (user@host of a Swarm manager) and {KNOWN_HOSTS_SECRET} "
            "(its `ssh-keyscan` line)."
        )


K8S_HELP = (
    "Write the project as Kubernetes manifests with a kustomization.yaml (apply with "
    "`kubectl apply -k DIR`): Deployments for Varnish, the frontend and the backend with "
    "rolling updates that never go below their replicas, probes, PodDisruptionBudgets, "
    "Services, an Ingress through Varnish, PostgreSQL as a StatefulSet (or --database-dsn)"
    ", the VCL and Zope's settings as ConfigMaps. Secrets are referenced by name: the "
    "commands that create them are printed."
)


@reports_errors
def export_k8s(
    output: Annotated[Path, typer.Option("--output", "-o", help="The folder to write.")],
    host: Annotated[str, typer.Option("--host", help="The site's public host name.")],
    registry: Annotated[
        str, typer.Option("--registry", help="Image registry (and path), as for build.")
    ] = "",
    tag: Annotated[str, typer.Option("--tag", help="Image tag, e.g. a git commit.")] = "latest",
    backend_replicas: Annotated[int, typer.Option("--backend-replicas")] = 2,
    frontend_replicas: Annotated[int, typer.Option("--frontend-replicas")] = 2,
    ingress_class: Annotated[
        str, typer.Option("--ingress-class", help="The Ingress's class (default: the cluster's).")
    ] = "",
    cluster_issuer: Annotated[
        str,
        typer.Option(
            "--cluster-issuer", help="cert-manager ClusterIssuer: HTTPS with its certificate."
        ),
    ] = "",
    database_dsn: Annotated[
        str,
        typer.Option(
            "--database-dsn",
            help="An external PostgreSQL (libpq keywords, no password) instead of the StatefulSet.",
        ),
    ] = "",
    database_size: Annotated[
        str, typer.Option("--database-size", help="The StatefulSet's volume claim.")
    ] = "10Gi",
) -> None:
    from plonedev.commands.export_k8s import export_k8s as run_export
    from plonedev.render.k8s_options import K8sOptions
    from plonedev.render.owned import WriteOutcome

    options = K8sOptions(
        host=host,
        registry=registry,
        tag=tag,
        backend_replicas=backend_replicas,
        frontend_replicas=frontend_replicas,
        ingress_class=ingress_class,
        cluster_issuer=cluster_issuer,
        database_dsn=database_dsn,
        database_size=database_size,
    )
    result = run_export(Path.cwd(), output, options)
    console = ui.console
    for file in result.files:
        if file.outcome is WriteOutcome.USER_OWNED:
            console.print(
                f"  {escape(str(file.path))} is yours (no plonedev marker): left as it is"
            )
        elif file.outcome is WriteOutcome.WRITTEN:
            console.print(f"[green]✓[/] Wrote {escape(str(file.path))}")
    console.print("  images: " + escape(", ".join(result.images.all())))
    console.print("Create the secrets first (in the namespace you deploy to):")
    for command in result.create_commands:
        console.print(f"  {escape(command)}", soft_wrap=True)
    console.print(f"Deploy: kubectl apply -k {escape(str(result.folder))}", soft_wrap=True)
