"""The `rca` command line (click).

`rca` alone opens the terminal app; subcommands work on the same database through the same
service. Each subcommand imports what it needs inside itself so that `rca --help`, `rca list`
and start-up stay fast. Any `RcaError` becomes one line on stderr and exit status 1.
"""

from __future__ import annotations

import json
import sys
from typing import Any

import click

from models import __version__
from models.errors import RcaError


class _Group(click.Group):
    """Turns every error meant for people into one line and a non-zero exit."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except RcaError as exc:
            message = " ".join(exc.message.split())
            raise click.ClickException(message) from None


class Ctx:
    """What every subcommand needs: settings, and a service opened on first use."""

    def __init__(self, db: str | None, user: str | None, readonly: bool) -> None:
        from rca_tui.config import load_settings

        self.settings = load_settings(db=db, user=user)
        self.readonly = readonly
        self._service = None

    def service(self, *, create: bool = True):
        if self._service is None:
            from models.service import open_service

            self._service = open_service(
                self.settings.db,
                self.settings.user_name(),
                create=create,
                readonly=self.readonly,
            )
        return self._service


pass_ctx = click.make_pass_decorator(Ctx)


@click.group(cls=_Group, invoke_without_command=True)
@click.option(
    "--db",
    metavar="PATH|URL",
    help="Database file (or SQLAlchemy URL). Default: $RCA_DB, then the user data folder.",
)
@click.option("--user", metavar="NAME", help="Name recorded in the audit trail (default: login).")
@click.option("--read-only", "readonly", is_flag=True, help="Open the database for reading only.")
@click.version_option(__version__, prog_name="rca")
@click.pass_context
def cli(ctx: click.Context, db: str | None, user: str | None, readonly: bool) -> None:
    """Root cause analysis of adverse events. Without a command, opens the app."""
    try:
        ctx.obj = Ctx(db, user, readonly)
    except RcaError as exc:
        raise click.ClickException(exc.message) from None
    if ctx.invoked_subcommand is None:
        _run_app(ctx.obj)


def _run_app(obj: Ctx) -> None:
    import os

    mouse = obj.settings.mouse
    if mouse is None:  # a dropped SSH session leaves mouse-reporting junk behind
        mouse = "SSH_CONNECTION" not in os.environ
    run_app(obj, mouse=mouse)


def run_app(obj: Ctx, **run_options: Any) -> None:
    """Open the service and run the app (shared with bench/bench_startup.py)."""
    import gc

    # Start-up builds hundreds of thousands of long-lived objects (modules, widgets, rows);
    # collecting them over and over costs a third of the start. The app freezes them and turns
    # the collector back on once the home screen has loaded (RcaApp.startup_done).
    gc.disable()
    try:
        from rca_tui.app import make_app

        make_app(obj.service(), obj.settings).run(**run_options)
    finally:
        gc.freeze()  # nothing left to free at exit: skip the final full collection
        gc.enable()


@cli.command()
@pass_ctx
def init(obj: Ctx) -> None:
    """Create the database (or check an existing one) and print where it is."""
    from models.migrations import HEAD

    service = obj.service()
    mode = " (read-only)" if service.readonly else ""
    click.echo(f"Database ready: {service.db.target.name} (schema {HEAD}){mode}")


@cli.command(name="list")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list.")
@pass_ctx
def list_(obj: Ctx, as_json: bool) -> None:
    """List the investigations."""
    rows = obj.service().list_investigations()
    if as_json:
        data = [
            {
                "id": r.id,
                "title": r.title,
                "status": r.status,
                "sac_score": r.sac_score,
                "sentinel": r.sentinel,
                "unit": r.unit,
                "event_type": r.event_type,
                "occurred_at": r.occurred_at.isoformat() if r.occurred_at else None,
            }
            for r in rows
        ]
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
        return
    if not rows:
        click.echo("No investigations yet. Start one in the app (rca), or add an example: rca demo")
        return
    click.echo(f"{'ID':>4}  {'SAC':3}  {'STATUS':11}  TITLE")
    for r in rows:
        sac = "-" if r.sac_score is None else str(r.sac_score)
        title = " ".join(r.title.split())
        click.echo(f"{r.id:>4}  {sac:3}  {r.status:11}  {title}")


@cli.command(name="import")
@click.argument("file", type=click.Path(dir_okay=False, allow_dash=True))
@pass_ctx
def import_(obj: Ctx, file: str) -> None:
    """Import an investigation from a JSON file ('-' reads standard input); prints its id."""
    data = _read_input(file)
    inv = obj.service().import_document(data)
    click.echo(inv.id)


def _read_input(file: str) -> bytes:
    if file == "-":
        return sys.stdin.buffer.read()
    try:
        with open(file, "rb") as fh:
            return fh.read()
    except FileNotFoundError:
        raise RcaError(f"{file}: no such file") from None
    except OSError as exc:
        raise RcaError(f"{file}: cannot read ({exc.strerror})") from None


FORMATS = ("json", "graphml", "dot")


@cli.command()
@click.argument("investigation_id", type=int)
@click.option(
    "--format",
    "fmt",
    default="json",
    show_default=True,
    help="Output format: " + ", ".join(FORMATS) + ".",
)
@click.option("-o", "--output", metavar="FILE", help="Write here instead of standard output.")
@click.option("--force", is_flag=True, help="Replace an existing file.")
@pass_ctx
def export(obj: Ctx, investigation_id: int, fmt: str, output: str | None, force: bool) -> None:
    """Export one investigation: completely (json), or its cause graph (graphml, dot).

    The graph formats open in yEd or Gephi (graphml) or render with Graphviz (dot):

    \b
        rca export 3 --format dot | dot -Tsvg -o causes.svg
    """
    fmt = fmt.strip().lower()
    if fmt not in FORMATS:
        raise RcaError(f"--format: {fmt!r} is not available (choose from {', '.join(FORMATS)})")
    from exports.safety import write_atomic

    service = obj.service()
    dossier = service.dossier(investigation_id)
    data: str | bytes
    if fmt == "graphml":
        from exports.graphs import to_graphml

        data = to_graphml(dossier)
    elif fmt == "dot":
        from exports.graphs import to_dot

        data = to_dot(dossier)
    else:
        from models.interchange import dumps, to_document

        data = dumps(to_document(dossier, exported_by=service.user))
    if output is None or output == "-":
        click.echo(data.decode("utf-8") if isinstance(data, bytes) else data, nl=False)
        return
    path = write_atomic(output, data, force=force)
    click.echo(f"Wrote {path}", err=True)


@cli.command()
@click.argument("investigation_id", type=int)
@click.option("--json", "as_json", is_flag=True, help="Print the findings as a JSON list.")
@click.option(
    "--fail-on",
    type=click.Choice(["never", "error", "warning"]),
    default="never",
    show_default=True,
    help="Exit with status 1 when a finding of this severity (or worse) is present.",
)
@pass_ctx
def check(obj: Ctx, investigation_id: int, as_json: bool, fail_on: str) -> None:
    """Check one investigation against the method's rules."""
    findings = obj.service().check(investigation_id)
    if as_json:
        click.echo(json.dumps([f.as_dict() for f in findings], ensure_ascii=False, indent=2))
    elif not findings:
        click.echo("No findings.")
    else:
        entities = {"T-": "team member", "TL-": "timeline entry", "P-": "action"}
        for f in findings:
            entity = next(
                (
                    e
                    for p, e in sorted(entities.items(), key=lambda x: -len(x[0]))
                    if f.code.startswith(p)
                ),
                "cause",
            )
            subject = "" if f.subject is None else f" [{entity} {f.subject}]"
            click.echo(f"{f.severity.upper():7} {f.code}{subject}: {f.message}")
    levels = {"never": set(), "error": {"error"}, "warning": {"error", "warning"}}[fail_on]
    if any(f.severity in levels for f in findings):
        sys.exit(1)


@cli.command()
@click.argument("dest", type=click.Path())
@click.option("--force", is_flag=True, help="Replace an existing file.")
@pass_ctx
def backup(obj: Ctx, dest: str, force: bool) -> None:
    """Copy the database to DEST while it stays in use (SQLite online backup)."""
    path = obj.service().backup(dest, force=force)
    click.echo(f"Backed up to {path}")


@cli.command()
@pass_ctx
def demo(obj: Ctx) -> None:
    """Add an example investigation (an inpatient fall); prints its id."""
    from models.demo import add_demo

    inv = add_demo(obj.service())
    click.echo(f"Added the example investigation '{inv.title}'.", err=True)
    click.echo(inv.id)


@cli.group()
def audit() -> None:
    """The audit trail."""


@audit.command()
@pass_ctx
def verify(obj: Ctx) -> None:
    """Recompute the audit trail's hash chain; name the first entry altered or removed."""
    problem = obj.service().verify_audit()
    if problem is not None:
        raise RcaError(f"audit trail broken: {problem.message}")
    click.echo("Audit trail intact.")


def main() -> None:
    cli(prog_name="rca")


if __name__ == "__main__":  # pragma: no cover
    main()
