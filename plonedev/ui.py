"""The one place that prints: rich output for people, JSON for scripts."""

from __future__ import annotations

import json
import sys
import time
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from plonedev.errors import PlonedevError
from plonedev.runtime.protocol import LogLine, ServiceEvent, ServiceStatus, State

if TYPE_CHECKING:  # results are only read here; importing them would load every command
    from plonedev.commands.doctor import DoctorResult
    from plonedev.commands.down import ProjectDown
    from plonedev.commands.init import InitResult
    from plonedev.commands.ls import ListedProject
    from plonedev.commands.up import UpResult

console = Console(highlight=False)
err_console = Console(stderr=True, highlight=False)

JSON_VERSION = 1
_COLOURS = ("cyan", "magenta", "green", "yellow", "blue", "bright_red", "bright_cyan")
_STATE_STYLE = {
    State.RUNNING: "green",
    State.STARTING: "yellow",
    State.UNHEALTHY: "red",
    State.EXITED: "red",
    State.STOPPED: "dim",
}


def service_colour(name: str) -> str:
    # Stable per name, so a service has the same colour in every command.
    return _COLOURS[zlib.crc32(name.encode()) % len(_COLOURS)]


def print_error(error: PlonedevError) -> None:
    if error.details:
        err_console.print(escape(error.details), style="dim", soft_wrap=True)
    hint = f" — {error.hint}" if error.hint else ""
    err_console.print(f"[bold red]Error:[/] {escape(error.message)}{escape(hint)}", soft_wrap=True)


def print_bug(what: str, log: str) -> None:
    err_console.print(
        f"[bold red]Error:[/] plonedev failed unexpectedly: {escape(what)} — this is a bug; "
        f"the traceback and versions are in {escape(log)}, please attach it to a report",
        soft_wrap=True,
    )


def print_json(payload: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps({"version": JSON_VERSION, **payload}, indent=2) + "\n")


class _Progress:
    """A running step as the terminal shows it, rendered afresh on each refresh: its
    title, the seconds so far and the tool's latest line."""

    def __init__(self, title: str) -> None:
        self.title = title
        self.started = time.monotonic()
        self.line = ""
        self.summary = ""

    def update(self, line: str) -> None:
        self.line = line  # one assignment: safe from mxdev's checkout threads

    def done(self, summary: str) -> None:
        self.summary = summary

    @property
    def seconds(self) -> float:
        return time.monotonic() - self.started

    def __rich__(self) -> Text:
        text = Text(f"{self.title} ")
        text.append(f"{self.seconds:.0f} s", style="cyan")
        if self.line:
            text.append(f"  {self.line.strip()[:100]}", style="dim")
        text.no_wrap, text.overflow = True, "ellipsis"
        return text


class ConsoleReporter:
    """Reports progress: on a terminal a live line per long step (spinner, seconds, the
    tool's latest output); otherwise plain lines, one when a step starts and one when it
    ends, so logs and captured output stay readable."""

    def __init__(self, out: Console | None = None) -> None:
        self.out = out or console

    @contextmanager
    def step(self, title: str) -> Iterator[_Progress]:
        progress = _Progress(title)
        live = self.out.is_terminal and not self.out.is_dumb_terminal
        if not live:
            self.out.print(f"{escape(title)} ...", soft_wrap=True)
        try:
            if live:
                with self.out.status(progress):
                    yield progress
            else:
                yield progress
        except BaseException:
            self.out.print(f"[red]✗[/] {escape(title)} [dim]({progress.seconds:.1f} s)[/]")
            raise
        text = progress.summary or title
        self.out.print(f"[green]✓[/] {escape(text)} [dim]({progress.seconds:.1f} s)[/]")

    def event(self, event: ServiceEvent) -> None:
        colour = service_colour(event.service)
        timing = f" [dim]({event.seconds:.1f} s)[/]" if event.seconds else ""
        detail = f" [dim]{escape(event.detail)}[/]" if event.detail else ""
        self.out.print(f"[{colour}]{event.service}[/] {event.action}{detail}{timing}")

    def warn(self, text: str) -> None:
        err_console.print(f"[yellow]Warning:[/] {escape(text)}", soft_wrap=True)

    def info(self, text: str) -> None:
        self.out.print(escape(text), soft_wrap=True)


def status_table(runtime: str, statuses: list[ServiceStatus]) -> Table:
    table = Table(title=f"plonedev ({runtime} runtime)", title_justify="left")
    for column in ("service", "state", "pid", "url", "detail"):
        table.add_column(column)
    for status in statuses:
        style = _STATE_STYLE[status.state]
        table.add_row(
            f"[{service_colour(status.name)}]{status.name}[/]",
            f"[{style}]{status.state.value}[/]",
            str(status.pid or ""),
            status.url,
            escape(status.detail),
        )
    return table


def print_projects(projects: list[ListedProject]) -> None:
    if not projects:
        console.print("No plonedev project runs on this machine.")
        return
    table = Table(title="plonedev projects", title_justify="left")
    for column in ("project", "folder", "runtime", "state", "urls"):
        table.add_column(column)
    for project in projects:
        urls = "\n".join(f"{name} {url}" for name, url in project.urls.items())
        state = project.state + (f": {project.detail}" if project.detail else "")
        table.add_row(
            escape(project.name), escape(str(project.root)), project.runtime, escape(state), urls
        )
    console.print(table)


def print_down_all(done: list[ProjectDown]) -> None:
    if not done:
        console.print("Nothing was running.")
    for project in done:
        where = f"{escape(project.name)} [dim]({escape(str(project.root))})[/]"
        if project.result is None:
            err_console.print(f"[bold red]Error:[/] {where}: {escape(project.error)}")
        elif project.result.stopped:
            console.print(f"{where}: stopped {', '.join(project.result.stopped)}")
        else:
            console.print(f"{where}: nothing was running")


def print_log_line(line: LogLine, width: int) -> None:
    colour = service_colour(line.service)
    console.print(
        f"[{colour}]{line.service.ljust(width)} |[/] {escape(line.text)}",
        soft_wrap=True,
    )


def print_doctor(result: DoctorResult) -> None:
    console.print(f"[bold]Project[/] {escape(str(result.root))}")
    console.print(f"[bold]Runtime[/] {result.runtime} [dim]({escape(result.runtime_reason)})[/]")
    for check in result.checks:
        if check.ok:
            mark = "[green]✓[/]"
        elif check.required:
            mark = "[red]✗[/]"
        else:
            mark = "[yellow]-[/]"
        console.print(f"  {mark} {check.name}: {escape(check.detail)}", soft_wrap=True)
    console.print("[bold]Config[/] [dim](tool.plonedev, with defaults)[/]")
    for key, value in result.config.items():
        console.print(f"  {key} = {escape(json.dumps(value))}", soft_wrap=True)


def print_init_summary(result: InitResult) -> None:
    for path in result.created:
        console.print(f"[green]created[/] {escape(str(path.relative_to(result.root)))}")
    for path in result.updated:
        console.print(f"[yellow]updated[/] {escape(str(path.relative_to(result.root)))}")
    console.print(f"Next: cd {escape(str(result.root))} && plonedev up")


def print_up_summary(result: UpResult) -> None:
    console.print()
    site = "created" if result.site_created else "ready"
    console.print(f"[bold green]Plone is up[/] ({result.runtime} runtime), site {site}:")
    for name, url in result.urls.items():
        console.print(f"  [{service_colour(name)}]{name:<9}[/] {url}")
    console.print(
        f"  [bold]login[/]     {result.admin_user} / {result.admin_password} "
        f"[dim](in {result.admin_password_file})[/]",
        soft_wrap=True,
    )
    console.print(f"[dim]Took {result.seconds:.1f} s. Stop with `plonedev down`.[/]")


def confirm_deletion(project: str, items: list[str]) -> bool:
    """Ask before `down --volumes` deletes data; refuse without a terminal to ask on."""
    if not sys.stdin.isatty():
        raise PlonedevError(
            f"`down --volumes` would delete the data of {project} ({', '.join(items)})",
            "add --yes to confirm without a prompt",
        )
    console.print(f"This deletes the data of [bold]{escape(project)}[/]: the site and its content.")
    for item in items:
        console.print(f"  {escape(item)}")
    from rich.prompt import Confirm

    return Confirm.ask("Delete it?", default=False, console=console)


def confirm_site_reset(project: str, site_id: str) -> bool:
    """Ask before `site reset` deletes the site; refuse without a terminal to ask on."""
    return _confirm(
        f"`site reset` would delete the site {site_id!r} of {project} and all its content",
        f"Delete the site [bold]{escape(site_id)}[/] of {escape(project)} with all its content, "
        "and create it anew?",
    )


def confirm_restore(project: str, snapshot: str, created: str) -> bool:
    """Ask before `restore` replaces the data; refuse without a terminal to ask on."""
    return _confirm(
        f"`restore` would replace the data of {project} with the snapshot {snapshot!r}",
        f"Replace the data of [bold]{escape(project)}[/] with the snapshot "
        f"[bold]{escape(snapshot)}[/] ({escape(created)})? What changed since is lost",
    )


def _confirm(refusal: str, question: str) -> bool:
    """The question on a terminal; without one, `refusal` as the one-line error."""
    if not sys.stdin.isatty():
        raise PlonedevError(refusal, "add --yes to confirm without a prompt")
    from rich.prompt import Confirm

    return Confirm.ask(question, default=False, console=console)


def snapshots_table(rows: list[tuple[str, str, str, str, str]]) -> Table:
    table = Table("name", "created", "storage", "plone", "size", box=None)
    for row in rows:
        table.add_row(*(escape(cell) for cell in row))
    return table
