"""Team charter: who is on the RCA team, in which role; RCA2's checks shown as warnings."""

from __future__ import annotations

from functools import partial
from pathlib import Path

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Button, Checkbox, DataTable, Header, Input, Select, Static
from textual.widgets.data_table import ColumnKey

from models.domain import TeamMember
from models.rules.team_checks import team_findings
from models.vocab import TeamRole
from screens.base import ServiceScreen
from screens.dialogs import ChoiceDialog, EditDialog, Saver, stored_in
from screens.formatting import label, one_line, visible
from screens.widgets.editors import SafeInput
from screens.widgets.footer import Footer
from screens.widgets.ticks import TickBox

#: The Role and Involved columns; the Name column gets the rest of the width.
ROLE_WIDTH = 32
INVOLVED_WIDTH = 8


class MemberDialog(EditDialog):
    """Add or edit one member: name, role, involved in the event."""

    def __init__(self, member: TeamMember | None = None, *, save: Saver) -> None:
        super().__init__(save)
        self.member = member

    def compose(self) -> ComposeResult:
        m = self.member
        with Vertical(classes="dialog"):
            yield Static(Text("Edit member" if m else "Add a team member"), classes="dialog-title")
            yield Static(Text("Name *"), classes="field-label")
            yield SafeInput(value=m.name if m else "", id="name")
            yield Static(Text("Role"), classes="field-label")
            yield Select(
                TeamRole.choices(),
                id="role",
                allow_blank=False,
                value=m.role if m else TeamRole.OTHER.value,
                compact=True,
            )
            yield TickBox(
                "Involved in the event",
                value=m.involved if m else False,
                id="involved",
                compact=True,
            )
            yield Static(
                Text("RCA2: people involved are interviewed, not made members."),
                classes="field-label",
            )
            yield from self.foot()

    def snapshot(self) -> object:
        return (
            self.query_one("#name", Input).value,
            self.query_one("#role", Select).value,
            self.query_one("#involved", Checkbox).value,
        )

    def on_mount(self) -> None:
        super().on_mount()
        self.query_one("#name", Input).focus(scroll_visible=False)

    @on(Button.Pressed, "#ok")
    @on(Input.Submitted)
    def action_ok(self) -> None:
        name = self.query_one("#name", Input).value.strip()
        if not name:
            self.show_problem("Name is required.")
            return
        self.submit(
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
        table.add_column("Name", width=self._name_width(), key="name")
        table.add_column("Role", width=ROLE_WIDTH, key="role")
        table.add_column("Involved", width=INVOLVED_WIDTH, key="involved")
        table.focus()

    def _name_width(self) -> int:
        """What is left for names once Role and Involved (and cell padding) are in view."""
        return max(12, self.app.size.width - ROLE_WIDTH - INVOLVED_WIDTH - 8)

    def on_resize(self) -> None:
        table = self.query_one(DataTable)
        table.columns[ColumnKey("name")].width = self._name_width()
        if self.members:
            self._show(self.members)

    def reload(self) -> None:
        self.call(self.service.list_team, self.investigation_id, then=self._show)

    def _show(self, members: list[TeamMember]) -> None:
        self.members = members
        table = self.query_one(DataTable)
        row = table.cursor_row
        table.clear()
        for m in members:
            table.add_row(
                Text(one_line(m.name, self._name_width())),
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
            text.append(visible(f.message) + "\n")
        if members and not findings:
            text.append("The team meets the RCA2 charter checks.", style="green")
        self.query_one("#warnings", Static).update(text)

    def _selected(self) -> TeamMember | None:
        table = self.query_one(DataTable)
        if not self.members or not 0 <= table.cursor_row < len(self.members):
            return None
        return self.members[table.cursor_row]

    def action_add(self) -> None:
        def add(values: dict, _version: int | None) -> TeamMember:
            return self.service.add_member(self.investigation_id, **values)

        self.app.push_screen(MemberDialog(save=Saver(add)))

    def action_edit(self) -> None:
        member = self._selected()
        if member is None:
            return

        def update(values: dict, version: int | None) -> TeamMember:
            return self.service.update_member(member.id, version, **values)

        saver = Saver(
            update,
            member.version,
            stored_in(
                partial(self.service.list_team, self.investigation_id), member.id, "team member"
            ),
        )
        self.app.push_screen(MemberDialog(member, save=saver))

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
                self.save(self.service.remove_member, member.id, then=lambda _: self.reload())

        self.app.push_screen(
            ChoiceDialog(
                f"Remove {one_line(member.name, 40)} from the team?",
                [("Remove", "remove"), ("Cancel", "cancel")],
            ),
            done,
        )
