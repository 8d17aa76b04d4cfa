"""The `rca` command line (click).

`rca` alone opens the terminal app; subcommands work on the same database through the same
service. Each subcommand imports what it needs inside itself so that `rca --help`, `rca list`
and start-up stay fast. Any `RcaError` becomes one line on stderr and exit status 1.

Text people wrote is printed through `visible()` (control characters as visible symbols), so
a title holding an escape sequence cannot restyle or retitle the terminal; `--json` and the
exports keep the text exactly (JSON escapes control characters itself).
"""

from __future__ import annotations

import json
import sys
from typing import TYPE_CHECKING, Any

import click

from exports.formats import FORMATS, parse_formats
from models import __version__
from models.errors import RcaError
from rca_tui import cli_actions
from screens.visible import visible

if TYPE_CHECKING:
    from models.domain import Finding, InvestigationSummary
    from models.service import Service


class _Group(click.Group):
    """Turns every error meant for people into one line and a non-zero exit."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except RcaError as exc:
            message = " ".join(visible(exc.message).split())
            raise click.ClickException(message) from None


class Ctx:
    """What every subcommand needs: settings, and a service opened on first use."""

    def __init__(self, db: str | None, user: str | None, readonly: bool) -> None:
        from rca_tui.config import load_settings

        self.settings = load_settings(db=db, user=user)
        self.readonly = readonly
        self._service: Service | None = None

    def investigations(self) -> list[InvestigationSummary]:
        """The investigation list: from a current SQLite file with sqlite3 alone (no SQLAlchemy
        to import: most of a cold `rca list`), else through the service."""
        if self._service is None:
            from models.sqlite_file import file_path, list_investigations

            path = file_path(self.settings.db)
            if path is not None:
                rows = list_investigations(path)
                if rows is not None:
                    return rows
        return self.service().list_investigations()

    def check(self, investigation_id: int) -> list[Finding]:
        """Every finding of one investigation: from a current SQLite file with sqlite3 alone
        (importing SQLAlchemy was half of a cold `rca check`, issue 16), else the service."""
        if self._service is None:
            from models.sqlite_dossier import read_for_check
            from models.sqlite_file import file_path

            path = file_path(self.settings.db)
            if path is not None:
                read = read_for_check(path, investigation_id)
                if read is not None:
                    from models.rules.checks import check_findings

                    return check_findings(*read)
        return self.service().check(investigation_id)

    def service(self, *, create: bool = True) -> Service:
        if self._service is None:
            from models.service import open_service

            self._service = open_service(
                self.settings.db,
                self.settings.user_name(),
                login=os_login(),
                separation_of_duties=self.settings.separation_of_duties,
                create=create,
                readonly=self.readonly,
            )
        return self._service


def os_login() -> str:
    """The operating system's account of this session (over SSH: the account logged in).

    Roles are checked against this, not against `--user`/RCA_USER/the settings file (those only
    change the name written in the audit trail) and not against LOGNAME/USER, which anyone can
    set before running `rca`.
    """
    import os

    try:
        import pwd

        return pwd.getpwuid(os.getuid()).pw_name
    except (ImportError, KeyError):  # Windows, or a uid without a passwd entry
        import getpass

        try:
            return getpass.getuser()
        except (KeyError, OSError):
            return "unknown"


pass_ctx = click.make_pass_decorator(Ctx)


@click.group(cls=_Group, invoke_without_command=True)
@click.option(
    "--db",
    metavar="PATH|URL",
    help="Database file (or SQLAlchemy URL). Default: $RCA_DB, then the user data folder.",
)
@click.option(
    "--user",
    metavar="NAME",
    help="Display name shown beside your login in the audit trail (the login is always recorded).",
)
@click.option("--read-only", "readonly", is_flag=True, help="Open the database for reading only.")
@click.version_option(__version__, prog_name="rca")
@click.pass_context
def cli(ctx: click.Context, db: str | None, user: str | None, readonly: bool) -> None:
    """Root cause analysis of adverse events. Without a command, opens the app."""
    try:
        ctx.obj = Ctx(db, user, readonly)
    except RcaError as exc:
        raise click.ClickException(visible(exc.message)) from None
    if ctx.invoked_subcommand is None:
        _run_app(ctx.obj)


def _run_app(obj: Ctx) -> None:
    """`rca` alone: the full screen, if this is a terminal that can show it (else one line
    and exit status 2). Exits with the app's status: 1 after a crash, 129 after a hang-up."""
    import os

    from rca_tui.terminal import ascii_only, draw_in_ascii, refusal

    problem = refusal(os.environ, (sys.stdin, sys.stdout, sys.stderr))
    if problem:
        click.echo(problem, err=True)
        sys.exit(2)
    if sys.__stderr__ is not None and ascii_only(sys.__stderr__):  # Textual draws on stderr
        draw_in_ascii(sys.__stderr__)
    ssh = "SSH_CONNECTION" in os.environ
    if ssh:  # escape sequences arrive late over a slow link: wait longer before Escape
        os.environ.setdefault("ESCDELAY", "250")
    mouse = obj.settings.mouse
    if mouse is None:  # a dropped SSH session leaves mouse-reporting junk behind
        mouse = not ssh
    status = run_app(obj, mouse=mouse, slow_link=ssh)
    if status:
        sys.exit(status)


def run_app(obj: Ctx, *, mouse: bool = True, slow_link: bool = False, **run_options: Any) -> int:
    """Open the service and run the app (shared with bench/bench_startup.py); its exit
    status."""
    import gc

    # Start-up builds hundreds of thousands of long-lived objects (modules, widgets, rows);
    # collecting them over and over costs a third of the start. The app freezes them and turns
    # the collector back on once the home screen has loaded (RcaApp.startup_done).
    gc.disable()
    try:
        service, make_app = _service_and_app(obj)
        app = make_app(service, obj.settings, mouse=mouse, slow_link=slow_link)
        app.run(mouse=mouse, **run_options)
        return app.return_code or 0
    finally:
        gc.freeze()  # nothing left to free at exit: skip the final full collection
        gc.enable()


def _service_and_app(obj: Ctx) -> tuple[Service, Any]:
    """The service, opened in a thread while the app's modules (Textual, the screens) are
    imported: most of opening a SQLite file is SQLite's own integrity check, which runs without
    the GIL, so it costs the start nothing on a second core (issue 16). Its error is raised
    here, as opening it here would have."""
    import threading

    opened: list[Service | BaseException] = []

    def open_service() -> None:
        try:
            opened.append(obj.service())
        except BaseException as exc:  # re-raised below, in the main thread
            opened.append(exc)

    thread = threading.Thread(target=open_service, name="open-database", daemon=True)
    thread.start()
    try:
        from rca_tui.app import make_app
    finally:
        thread.join()
    result = opened[0]
    if isinstance(result, BaseException):
        raise result
    return result, make_app


@cli.command()
@click.option(
    "--shared",
    "group",
    metavar="GROUP",
    help="SQLite: make the folder and the file a database every member of this Unix group "
    "uses (setgid folder 2770, files 0660). Run as the folder's owner.",
)
@click.option(
    "--grant",
    "role",
    metavar="ROLE",
    help="PostgreSQL: let this role (a group role of the people's logins) use the database; "
    "it may read and add audit entries, never change or remove them.",
)
@pass_ctx
def init(obj: Ctx, group: str | None, role: str | None) -> None:
    """Create the database (or check an existing one) and print where it is."""
    from models.db import Target, grant_users, share_sqlite
    from models.migrations import HEAD

    if group:
        target = Target.parse(obj.settings.db)
        if target.path is None:
            raise RcaError(
                "--shared is for a SQLite file; a server database is shared with --grant ROLE"
            )
        share_sqlite(target.path, group)
    service = obj.service()
    if role:
        grant_users(service.db, role)
        click.echo(f"Role {role} may use the database; audit entries: read and add only.")
    mode = " (read-only)" if service.readonly else ""
    click.echo(f"Database ready: {service.db.target.name} (schema {HEAD}){mode}")


@cli.command(name="list")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list.")
@pass_ctx
def list_(obj: Ctx, as_json: bool) -> None:
    """List the investigations."""
    rows = obj.investigations()
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
        title = " ".join(visible(r.title).split())
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




@cli.command()
@click.argument("investigation_id", type=int)
@click.option(
    "--format",
    "fmt",
    default="json",
    show_default=True,
    metavar="FORMAT[,FORMAT...]",
    help="One or more of: " + ", ".join(FORMATS) + " (comma-separated).",
)
@click.option(
    "-o",
    "--output",
    metavar="FILE|DIR",
    help="Folder for the files (several formats), or the file (one format). "
    "Without it, a text format is printed.",
)
@click.option(
    "--deidentify",
    is_flag=True,
    help="Replace patient names, record numbers, dates of birth, phone numbers and e-mail "
    "addresses in every text and picture (json: the patient fields are also emptied). "
    "Reports say they are de-identified; the files rca names end in -deidentified.",
)
@click.option("--force", is_flag=True, help="Replace existing files.")
@pass_ctx
def export(
    obj: Ctx,
    investigation_id: int,
    fmt: str,
    output: str | None,
    deidentify: bool,
    force: bool,
) -> None:
    """Export one investigation: the report (docx, pdf, html, md), the action plan alone
    (csv, xlsx), everything re-importable (json), or its cause graph (graphml, dot).

    With several formats, -o names a folder (created if needed) and the files are named after
    the investigation (rca-12-inpatient-fall.md). An existing file is replaced only with
    --force; nothing is written unless every file can be. Files are readable by you only.
    The paths written are printed, one per line.

    \b
        rca export 3 --format docx,pdf,xlsx -o reports/
        rca export 3 --format md --deidentify > rca-3.md
        rca export 3 --format dot | dot -Tsvg -o causes.svg
    """
    from exports import export_formats, render_formats
    from models.migrations import HEAD

    formats = parse_formats(fmt)
    to_stdout = output is None or output == "-"
    if to_stdout:
        if len(formats) > 1:
            raise RcaError("several formats need -o FOLDER")
        if not FORMATS[formats[0]].text:
            raise RcaError(f"format {formats[0]} is not text: give -o FILE or -o FOLDER")
    service = obj.service()
    dossier = service.dossier(investigation_id)
    common: dict[str, Any] = {
        "generated_by": service.user,
        "db_version": HEAD,
        "deidentify": deidentify,
        "deadline_policy": obj.settings.deadline_policy(),
        "confidentiality_notice": obj.settings.confidentiality_notice,
        "paper_size": obj.settings.paper_size,
        "language": obj.settings.language,
    }
    if to_stdout:
        # click writes bytes (the CSV with its BOM) to the binary stream as they are.
        click.echo(render_formats(dossier, formats, **common)[formats[0]], nl=False)
        return
    assert output is not None  # None is standard output, handled above
    for path in export_formats(dossier, formats, output, force=force, **common):
        click.echo(str(path))


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
    findings = obj.check(investigation_id)
    if as_json:
        click.echo(json.dumps([f.as_dict() for f in findings], ensure_ascii=False, indent=2))
    elif not findings:
        click.echo("No findings.")
    else:
        entities = {
            "T-": "team member",
            "TL-": "timeline entry",
            "P-": "action",
            "P-NO-ACTION": "cause",
            "P-WEAK-ONLY": "cause",
            "F-": "action",
            "F-CLOSE-BLOCKED": "investigation",
            "F-NO-FEEDBACK": "investigation",
            "L-ACTION-RECURRED": "action",
        }
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
            click.echo(visible(f"{f.severity.upper():7} {f.code}{subject}: {f.message}"))
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
    click.echo(f"Added the example investigation '{visible(inv.title)}'.", err=True)
    click.echo(inv.id)


@cli.group()
def audit() -> None:
    """The audit trail."""


@audit.command()
@click.option(
    "--expect",
    "expected",
    multiple=True,
    metavar="ENTRY:HASH",
    help="A head the trail must still reach, as a report prints it ('audit trail at entry 1234, "
    "hash 0f3a9c2e41b7d5a8' is 1234:0f3a9c2e41b7d5a8). May be given more than once.",
)
@pass_ctx
def verify(obj: Ctx, expected: tuple[str, ...]) -> None:
    """Check the audit trail: its hash chain, that it still reaches every head recorded outside
    it (sign-offs, your checkpoint file, --expect), that its append-only triggers are in
    place, and that every record in the database says what the trail says. Names the first
    problem and exits 1."""
    from models.audit import Anchor

    anchors = []
    for item in expected:
        seq, _, digest = item.partition(":")
        digest = digest.strip().lower()
        hexadecimal = len(digest) >= 12 and all(c in "0123456789abcdef" for c in digest)
        if not seq.strip().isdigit() or not hexadecimal:
            raise RcaError(
                f"--expect {item!r}: give ENTRY:HASH, e.g. 1234:0f3a9c2e41b7d5a8 (at least 12 "
                "hex digits of the hash)"
            )
        anchors.append(Anchor(int(seq), digest, f"--expect {seq.strip()}"))
    result = obj.service().audit_check(anchors)
    if result.problem is not None:
        raise RcaError(f"audit trail broken: {result.problem.message}")
    click.echo(
        f"Audit trail intact: {result.entries} entries, checked against "
        f"{' and '.join(result.anchors)}; the append-only triggers are in place and every record "
        "matches the trail."
    )
    if result.checkpoint_error:
        click.echo(f"Note: no checkpoint could be kept ({result.checkpoint_error}).", err=True)


@cli.command()
@click.argument("investigation_id", type=int)
@click.option("--reason", required=True, help="Why it is reopened (kept in the sign-off history).")
@pass_ctx
def reopen(obj: Ctx, investigation_id: int, reason: str) -> None:
    """Reopen an approved or closed investigation (reviewers and admins); it goes back to the
    action plan and can be changed again."""
    service = obj.service()
    inv = service.get_investigation(investigation_id)
    inv = service.reopen(inv.id, inv.version, reason)
    click.echo(f"Reopened '{' '.join(visible(inv.title).split())}': status {inv.status}.")


@cli.group()
def user() -> None:
    """Users and their roles: investigator, reviewer, admin.

    A user is a login name. Anyone not listed is an investigator. The person who created the
    database is its first admin; only admins add users or change roles.
    """


@user.command(name="add")
@click.argument("name")
@click.option("--role", required=True, metavar="ROLE", help="investigator, reviewer or admin.")
@pass_ctx
def user_add(obj: Ctx, name: str, role: str) -> None:
    """Give the login NAME a role (admins only)."""
    added = obj.service().add_user(name, role)
    click.echo(visible(f"Added {added.name} as {added.role}."))


@user.command(name="set-role")
@click.argument("name")
@click.option("--role", required=True, metavar="ROLE", help="investigator, reviewer or admin.")
@pass_ctx
def user_set_role(obj: Ctx, name: str, role: str) -> None:
    """Change the role of a listed user (admins only)."""
    changed = obj.service().set_role(name, role)
    click.echo(visible(f"{changed.name} is now {changed.role}."))


@user.command(name="remove")
@click.argument("name")
@pass_ctx
def user_remove(obj: Ctx, name: str) -> None:
    """Take NAME off the list (admins only); the name is then an investigator."""
    obj.service().remove_user(name)
    click.echo(visible(f"Removed {name.strip()}; they are an investigator now."))


@user.command(name="list")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list.")
@pass_ctx
def user_list(obj: Ctx, as_json: bool) -> None:
    """List the users with a role (anyone else is an investigator)."""
    service = obj.service()
    users = service.list_users()
    if as_json:
        data = [
            {
                "name": u.name,
                "role": u.role,
                "created_by": u.created_by,
                "created_at": u.created_at.isoformat() if u.created_at else None,
            }
            for u in users
        ]
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
        return
    width = max([4, *(len(u.name) for u in users)])
    click.echo(f"{'NAME':{width}}  {'ROLE':12}  ADDED")
    for u in users:
        added = f"{u.created_at:%Y-%m-%d} by {u.created_by}" if u.created_at else ""
        click.echo(visible(f"{u.name:{width}}  {u.role:12}  {added}"))
    click.echo(
        visible(
            f"Anyone else is an investigator. You are {service.login} ({service.current_role()})."
        )
    )


cli.add_command(cli_actions.actions)
import rca_tui.cli_learning  # noqa: E402, F401 - registers trends, similar and codes


def main() -> None:
    cli(prog_name="rca")


if __name__ == "__main__":  # pragma: no cover
    main()
