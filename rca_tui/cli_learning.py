"""The learning commands of `rca`: `trends` (counts across investigations, and the board pack),
`similar` (earlier investigations like this one) and `codes` (the cause codes).

Kept apart from `rca_tui/cli.py`, which registers them with one import; like every command they
import what they need inside themselves, so `rca --help` stays fast.
"""

from __future__ import annotations

import json

import click

from rca_tui.cli import Ctx, cli, pass_ctx
from screens.visible import visible


def _day(value: str | None, what: str):
    from models.trends import parse_day

    return parse_day(value, what)


@cli.command()
@click.option(
    "--by",
    "by",
    required=True,
    type=click.Choice(
        ["event_type", "harm", "unit", "sac", "sentinel", "code", "month", "quarter", "year"]
    ),
    help="What to count by.",
)
@click.option("--from", "start", metavar="DATE", help="First event date counted (YYYY-MM-DD).")
@click.option("--to", "end", metavar="DATE", help="Last event date counted (YYYY-MM-DD).")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list.")
@click.option(
    "--format",
    "fmt",
    metavar="FORMAT[,FORMAT...]",
    help="Write a board pack (aggregates only, small counts as <5): pdf, docx, xlsx, md, csv.",
)
@click.option("-o", "--output", metavar="DIR", help="Folder for the board pack.")
@click.option("--force", is_flag=True, help="Replace existing files.")
@pass_ctx
def trends(
    obj: Ctx,
    by: str,
    start: str | None,
    end: str | None,
    as_json: bool,
    fmt: str | None,
    output: str | None,
    force: bool,
) -> None:
    """Count investigations by a dimension or period (exact counts, for the safety team).

    With --format and -o DIR, write a board pack instead: the same counts and the program's
    quality as aggregates only (no titles, free text or patient data), counts below the
    `small_cell` setting (default 5) shown as <5. The paths written are printed.

    \b
        rca trends --by quarter --from 2026-01-01 --json
        rca trends --by code --format pdf,docx,xlsx -o board/
    """
    from models.errors import RcaError

    first, last = _day(start, "--from"), _day(end, "--to")
    service = obj.service()
    rows = service.trends(by, first, last)
    if fmt is not None or output is not None:
        import datetime as dt

        from exports.board import build_pack, parse_board_formats, write_pack

        if not fmt or not output:
            raise RcaError("a board pack needs both --format and -o DIR")
        formats = parse_board_formats(fmt)
        today = dt.date.today()
        data = service.learning(
            start=first, end=last, today=today, policy=obj.settings.deadline_policy()
        )
        pack = build_pack(
            by, rows, data, start=first, end=last, today=today,
            threshold=obj.settings.small_cell,
        )  # fmt: skip
        for path in write_pack(pack, formats, output, stem=f"board-pack-{by}", force=force):
            click.echo(str(path))
        return
    if as_json:
        click.echo(json.dumps([r.as_dict() for r in rows], ensure_ascii=False, indent=2))
        return
    if not rows:
        click.echo("No investigations in this window.")
        return
    names = [visible(str(r.label if by != "code" else f"{r.key} {r.label}")) for r in rows]
    width = max(5, *(len(n) for n in names))
    causes = by == "code"
    click.echo(f"{'KEY':{width}}  {'INVESTIGATIONS':>14}" + ("  CAUSES" if causes else ""))
    for name, r in zip(names, rows, strict=True):
        line = f"{name:{width}}  {r.investigations:>14}"
        if causes:
            line += f"  {r.causes:>6}"
        click.echo(line)


@cli.command()
@click.argument("investigation_id", type=int)
@click.option(
    "--all",
    "include_all",
    is_flag=True,
    help="Also rank investigations not yet approved or closed.",
)
@click.option("--limit", default=10, show_default=True, help="How many to list.")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list, best first.")
@pass_ctx
def similar(obj: Ctx, investigation_id: int, include_all: bool, limit: int, as_json: bool) -> None:
    """Earlier investigations like this one: shared cause codes and similar texts."""
    found = obj.service().similar(investigation_id, include_all=include_all, limit=limit)
    if as_json:
        click.echo(json.dumps([f.as_dict() for f in found], ensure_ascii=False, indent=2))
        return
    if not found:
        click.echo(
            "No similar investigations"
            + ("." if include_all else " approved or closed yet (--all ranks every one).")
        )
        return
    click.echo(f"{'ID':>5}  SCORE  {'STATUS':11}  TITLE")
    for f in found:
        title = " ".join(visible(f.title).split())
        click.echo(f"{f.id:>5}  {f.score:5.2f}  {f.status:11}  {title}")
        if f.shared_codes:
            click.echo(f"{'':>5}         shared codes: {', '.join(f.shared_codes)}")


@cli.group()
def codes() -> None:
    """The cause codes: list them, add the hospital's own, retire one."""


@codes.command(name="list")
@click.option("--all", "show_all", is_flag=True, help="Include retired codes.")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list.")
@pass_ctx
def codes_list(obj: Ctx, show_all: bool, as_json: bool) -> None:
    """List the cause codes (categories, each followed by its details)."""
    listed = [c for c in obj.service().list_codes() if show_all or not c.retired]
    if as_json:
        click.echo(json.dumps([c.as_dict() for c in listed], ensure_ascii=False, indent=2))
        return
    for c in listed:
        indent = "  " if c.parent else ""
        mark = " (retired)" if c.retired else ""
        click.echo(visible(f"{indent}{c.key:18} {c.label}{mark}"))


@codes.command(name="add")
@click.argument("key")
@click.argument("label")
@click.option("--definition", default="", help="What the code means.")
@pass_ctx
def codes_add(obj: Ctx, key: str, label: str, definition: str) -> None:
    """Add a hospital code (KEY, or CATEGORY.DETAIL for a detail of a category)."""
    code = obj.service().add_code(key, label, definition)
    click.echo(code.key)


@codes.command(name="retire")
@click.argument("key")
@click.option("--undo", is_flag=True, help="Bring a retired code back.")
@pass_ctx
def codes_retire(obj: Ctx, key: str, undo: bool) -> None:
    """Retire a code: it stays on the causes that carry it and is offered to no other."""
    code = obj.service().retire_code(key, not undo)
    click.echo(f"{code.key} {'retired' if code.retired else 'in use again'}")
