"""Team charter: who is on the RCA team, in which role; RCA2's checks shown as warnings."""

from __future__ import annotations

from pathlib import Path

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.widgets import Button, Checkbox, DataTable, Footer, Header, Input, Select, Static

from models.domain import TeamMember
from models.rules.team_checks import team_findings
from models.vocab import TeamRole
from screens.base import ServiceScreen
from screens.dialogs import ChoiceDialog, EditDialog
from screens.formatting import label, one_line


class MemberDialog(EditDialog):
    """Add or edit one member: name, role, involved in the event."""

    def __init__(self, member: TeamMember | None = None) -> None:
        super().__init__()
        self.member = member

    def compose(self) -> ComposeResult:
        m = self.member
        with Vertical(classes="dialog"):
            yield Static(Text("Edit member" if m else "Add a team member"), classes="dialog-title")
            yield Static(Text("Name *"), classes="field-label")
            yield Input(value=m.name if m else "", id="name")
            yield Static(Text("Role"), classes="field-label")
            yield Select(
                TeamRole.choices(),
                id="role",
                allow_blank=False,
                value=m.role if m else TeamRole.OTHER.value,
            )
            yield Checkbox(
                "Involved in the event (interview instead of membership)",
                value=m.involved if m else False,
                id="involved",
            )
            yield Static(id="problem", classes="problem")
            with Horizontal(classes="buttons"):
                yield Button("Save", id="ok", variant="primary")
                yield Button("Cancel", id="cancel")

    def snapshot(self) -> object:
        return (
            self.query_one("#name", Input).value,
            self.query_one("#role", Select).value,
            self.query_one("#involved", Checkbox).value,
        )

    def on_mount(self) -> None:
        super().on_mount()
        self.query_one("#problem").display = False
        self.query_one("#name", Input).focus()

    @on(Button.Pressed, "#ok")
    @on(Input.Submitted)
    def action_ok(self) -> None:
        name = self.query_one("#name", Input).value.strip()
        if not name:
            problem = self.query_one("#problem", Static)
            problem.update(Content("Name is required."))
            problem.display = True
            return
        self.dismiss(
            {
                "name": name,
                "role": self.query_one("#role", Select).value,
                "involved": self.query_one("#involved", Checkbox).value,
            }
        )


class TeamScreen(ServiceScreen):
    CSS_PATH = Path(__file__).with_suffix(".tcss")
    HELP_TITLE = "Team charter"
    AUTO_FOCUS = "#members"
    PALETTE_GROUP = "Team"
    BINDINGS = [
        Binding("a", "add", "Add member"),
        Binding("e", "edit", "Edit"),
        Binding("enter", "edit", "Edit", show=False),
        Binding("d,delete", "remove", "Remove"),
        Binding("escape", "back", "Back"),
    ]

    def __init__(self, investigation_id: int) -> None:
        super().__init__()
        self.investigation_id = investigation_id
        self.members: list[TeamMember] = []

    def compose(self) -> ComposeResult:
        yield Header()
        yield DataTable(id="members", cursor_type="row", zebra_stripes=True)
        yield Static(id="warnings")
        yield Footer()

    def on_mount(self) -> None:
        self.title = "Team charter"
        table = self.query_one(DataTable)
        table.add_column("Name", key="name")
        table.add_column("Role", width=32, key="role")
        table.add_column("Involved", width=8, key="involved")
        table.focus()

    def reload(self) -> None:
        self.call(self.service.list_team, self.investigation_id, then=self._show)

    def _show(self, members: list[TeamMember]) -> None:
        self.members = members
        table = self.query_one(DataTable)
        row = table.cursor_row
        table.clear()
        for m in members:
            table.add_row(
                Text(one_line(m.name)),
                Text(label(TeamRole, m.role)),
                Text("yes", style="bold yellow") if m.involved else Text("no"),
                key=str(m.id),
            )
        if members:
            table.move_cursor(row=min(row, len(members) - 1))
        findings = team_findings(members)
        text = Text()
        if not members:
            text.append("No members yet. Press a to add the facilitator first.\n")
        for f in findings:
            text.append("! ", style="bold yellow")
            text.append(f.message + "\n")
        if members and not findings:
            text.append("The team meets the RCA2 charter checks.", style="green")
        self.query_one("#warnings", Static).update(text)

    def _selected(self) -> TeamMember | None:
        table = self.query_one(DataTable)
        if not self.members or not 0 <= table.cursor_row < len(self.members):
            return None
        return self.members[table.cursor_row]

    def action_add(self) -> None:
        def done(values: dict | None) -> None:
            if values:
                self.call(
                    self.service.add_member,
                    self.investigation_id,
                    group="save",
                    then=lambda _: self.reload(),
                    **values,
                )

        self.app.push_screen(MemberDialog(), done)

    def action_edit(self) -> None:
        member = self._selected()
        if member is None:
            return

        def done(values: dict | None) -> None:
            if values:
                self.call(
                    self.service.update_member,
                    member.id,
                    member.version,
                    group="save",
                    then=lambda _: self.reload(),
                    **values,
                )

        self.app.push_screen(MemberDialog(member), done)

    @on(DataTable.RowSelected)
    def _row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_edit()

    def action_remove(self) -> None:
        member = self._selected()
        if member is None:
            return

        def done(choice: str | None) -> None:
            if choice == "remove":
                self.call(
                    self.service.remove_member,
                    member.id,
                    group="save",
                    then=lambda _: self.reload(),
                )

        self.app.push_screen(
            ChoiceDialog(
                f"Remove {one_line(member.name, 40)} from the team?",
                [("Remove", "remove"), ("Cancel", "cancel")],
            ),
            done,
        )
