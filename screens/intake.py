"""Event intake (new and edit): every investigation field, risk scoring beside the pickers.

The SAC matrix redraws as severity, probability and report type change; deadlines follow the
dates. Dates accept the forms clinicians type (models.rules.dates). Nothing is saved until
ctrl+s; leaving with unsaved edits asks first. A suspected blameworthy act routes the event out
of the RCA process with a note instead of a full analysis.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.validation import ValidationResult, Validator
from textual.widget import Widget
from textual.widgets import Checkbox, Header, Input, Select, Static, TextArea

from models import vocab
from models.domain import Investigation
from models.errors import ConflictError, ValidationError
from models.rules.dates import check_order, format_date, format_datetime, parse_date, parse_datetime
from models.rules.sentinel import suggests_sentinel
from screens.base import SAVE_KEYS, SAVE_KEYS_SHOWN, ServiceScreen
from screens.dialogs import ChoiceDialog
from screens.formatting import deadlines_for, start_verdict, visible
from screens.widgets.editors import SafeInput
from screens.widgets.footer import Footer
from screens.widgets.sac_matrix import SacMatrix
from screens.widgets.text_box import SafeTextArea
from screens.widgets.ticks import TickBox

DATETIME_FIELDS = {
    "occurred_at": "Occurred at",
    "discovered_at": "Discovered at",
    "decision_at": "RCA decided at (starts the clock)",
    "chartered_at": "RCA team chartered at (the RCA started)",
}
DATE_FIELDS = {"patient_dob": "Date of birth"}
TEXT_FIELDS = {
    "title": "Title *",
    "unit": "Unit / location",
    "reported_by": "Reported by",
    "patient_name": "Patient name",
    "patient_mrn": "Medical record number",
}
PICKERS: dict[str, tuple[str, type[vocab.Labelled]]] = {
    "event_type": ("Event type", vocab.EventType),
    "report_type": ("Report type", vocab.ReportType),
    "harm": ("Harm", vocab.Harm),
    "ncc_merp": ("NCC MERP (medication events)", vocab.NccMerp),
    "severity_actual": ("Actual severity", vocab.Severity),
    "severity_potential": ("Potential severity (worst credible)", vocab.Severity),
    "probability": ("Probability", vocab.Probability),
    "status": ("Status", vocab.Status),
}
#: The pickers the sentinel box follows, in the order `suggests_sentinel` takes them.
SENTINEL_FROM = ("report_type", "harm", "ncc_merp")
BLAMEWORTHY_NOTE = (
    "A suspected criminal act, patient abuse, a deliberately unsafe act or impairment is "
    "routed out of the RCA process to administrative / human-resources review. The RCA does "
    "not judge individual culpability; record the referral below."
)


class DateValidator(Validator):
    """Accepts what `parse_datetime` / `parse_date` accept; the failure names the field."""

    def __init__(self, field: str, *, with_time: bool) -> None:
        super().__init__()
        self.field = field
        self.with_time = with_time

    def validate(self, value: str) -> ValidationResult:
        try:
            if self.with_time:
                parse_datetime(value, self.field)
            else:
                parse_date(value, self.field)
        except ValidationError as exc:
            return self.failure(exc.message)
        return self.success()


def _label(text: str) -> Static:
    return Static(Text(text), classes="field-label")


def _date_field(name: str, placeholder: str) -> Iterator[Widget]:
    """A date field's label and input: with a time unless it is a plain date (birth)."""
    with_time = name in DATETIME_FIELDS
    label = DATETIME_FIELDS[name] if with_time else DATE_FIELDS[name]
    yield _label(label)
    yield SafeInput(
        id=name,
        placeholder=placeholder,
        validators=[DateValidator(label, with_time=with_time)],
        compact=True,
    )


class IntakeScreen(ServiceScreen):
    CSS_PATH = Path(__file__).with_suffix(".tcss")
    HELP_TITLE = "Event intake"
    #: No auto focus: it focuses before the layout is done and so scrolls the title to the
    #: middle, hiding "Event" and "Title" above it. on_mount focuses the title instead.
    AUTO_FOCUS = ""
    RELOAD_ON_RESUME = False
    PALETTE_GROUP = "Intake"
    BINDINGS = [
        Binding(SAVE_KEYS, "save", "Save", key_display=SAVE_KEYS_SHOWN),
        Binding("escape", "back", "Back"),
    ]

    def __init__(self, investigation_id: int | None = None) -> None:
        super().__init__()
        self.investigation_id = investigation_id
        self.investigation: Investigation | None = None
        self._original: dict[str, Any] = {}
        self._ready = investigation_id is None
        #: False while the sentinel box follows harm and report type; True once the user (or
        #: the stored record, when it differs from the rule) has set it.
        self._sentinel_by_hand = False

    # --- layout ----------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="form"):
            yield Static(Text("Event"), classes="section")
            yield _label(TEXT_FIELDS["title"])
            yield SafeInput(
                id="title",
                placeholder="e.g. Inpatient fall with hip fracture, 4 West",
                compact=True,
            )
            yield _label("What happened")
            yield SafeTextArea(id="description", soft_wrap=True, tab_behavior="focus", compact=True)
            with Horizontal(classes="pair"):
                for name in ("occurred_at", "discovered_at"):
                    with Vertical():
                        yield from _date_field(name, "e.g. 2026-11-03 14:20 or today 9:00")
            with Horizontal(classes="pair"):
                for name in ("unit", "reported_by"):
                    with Vertical():
                        yield _label(TEXT_FIELDS[name])
                        yield SafeInput(id=name, compact=True)

            yield Static(Text("Classification"), classes="section")
            for name in ("event_type", "report_type", "harm", "ncc_merp"):
                yield from self._picker(name)

            yield Static(Text("Risk (Safety Assessment Code)"), classes="section")
            with Horizontal(id="risk"):
                with Vertical(id="risk-pickers"):
                    for name in ("severity_actual", "severity_potential", "probability"):
                        yield from self._picker(name)
                    yield TickBox("Sentinel event", id="sentinel", compact=True)
                    yield Static(id="sentinel-note")
                yield SacMatrix(id="sac")

            yield Static(Text("Triage and deadlines"), classes="section")
            yield from _date_field("decision_at", "when it was decided that an RCA is needed")
            yield from _date_field(
                "chartered_at", "when the team was chartered and the analysis started"
            )
            yield Static(id="deadlines")
            yield TickBox(
                "Blameworthy act suspected (criminal act, abuse, deliberately unsafe act, "
                "impairment)",
                id="blameworthy",
                compact=True,
            )
            yield Static(Text(BLAMEWORTHY_NOTE), id="blameworthy-help")
            yield SafeTextArea(
                id="blameworthy_note", soft_wrap=True, tab_behavior="focus", compact=True
            )
            yield from self._picker("status", allow_blank=False)

            yield Static(
                Text("Patient identifiers (PHI: removed from de-identified reports)"),
                classes="section",
            )
            with Horizontal(classes="pair"):
                with Vertical():
                    yield _label(TEXT_FIELDS["patient_name"])
                    yield SafeInput(id="patient_name", compact=True)
                with Vertical():
                    yield _label(TEXT_FIELDS["patient_mrn"])
                    yield SafeInput(id="patient_mrn", compact=True)
            yield from _date_field("patient_dob", "e.g. 1945-05-14 or 14/05/1945")
        yield Static(id="errors")
        yield Footer()

    def _picker(self, name: str, *, allow_blank: bool = True) -> ComposeResult:
        title, enum = PICKERS[name]
        yield _label(title)
        yield Select(
            [(m.label, m.value) for m in enum],
            id=name,
            allow_blank=allow_blank,
            prompt="(not set)",
            value=vocab.Status.DRAFT.value if name == "status" else Select.NULL,
            compact=True,
        )

    def on_mount(self) -> None:
        self.query_one("#errors").display = False
        self._refresh_derived()
        # Open at the top with the title focused (it is in view there: no scrolling to it).
        self.query_one("#title", Input).focus(scroll_visible=False)
        if self.investigation_id is None:
            self.title = "New investigation"
            self._original = self.collect()
        else:
            self.reload()

    # --- data ------------------------------------------------------------------------------
    def reload(self) -> None:
        if self.investigation_id is not None:
            self.call(self.service.get_investigation, self.investigation_id, then=self._fill)

    def _fill(self, inv: Investigation) -> None:
        self.investigation = inv
        self.title = inv.title
        for name in TEXT_FIELDS:
            self.query_one(f"#{name}", Input).value = getattr(inv, name) or ""
        for name in DATETIME_FIELDS:
            self.query_one(f"#{name}", Input).value = format_datetime(getattr(inv, name))
        self.query_one("#patient_dob", Input).value = format_date(inv.patient_dob)
        self.query_one("#description", TextArea).text = inv.description
        self.query_one("#blameworthy_note", TextArea).text = inv.blameworthy_note
        for name in PICKERS:
            value = getattr(inv, name)
            self.query_one(f"#{name}", Select).value = value if value else Select.NULL
        self._sentinel_by_hand = inv.sentinel != suggests_sentinel(
            inv.report_type, inv.harm, inv.ncc_merp
        )
        self._set_sentinel(inv.sentinel)
        self.query_one("#blameworthy", Checkbox).value = inv.blameworthy
        self._original = self.collect()
        self._ready = True
        self._refresh_derived()

    def collect(self) -> dict[str, Any]:
        """What the form holds now, as typed (dates still text)."""
        data: dict[str, Any] = {}
        for name in (*TEXT_FIELDS, *DATETIME_FIELDS, *DATE_FIELDS):
            data[name] = self.query_one(f"#{name}", Input).value
        for name in ("description", "blameworthy_note"):
            data[name] = self.query_one(f"#{name}", TextArea).text
        for name in PICKERS:
            value = self.query_one(f"#{name}", Select).value
            data[name] = None if value is Select.NULL else value
        data["sentinel"] = self.query_one("#sentinel", Checkbox).value
        data["blameworthy"] = self.query_one("#blameworthy", Checkbox).value
        return data

    @property
    def dirty(self) -> bool:
        return self._ready and self.collect() != self._original

    def parsed(self) -> tuple[dict[str, Any], list[str]]:
        """The form's values ready for the service, and the problems that stop a save."""
        data = self.collect()
        problems: list[str] = []
        if not data["title"].strip():
            problems.append("Title is required: a short name for the event.")
        for name, title in DATETIME_FIELDS.items():
            try:
                data[name] = parse_datetime(data[name], title)
            except ValidationError as exc:
                problems.append(exc.message)
                data[name] = None
        try:
            data["patient_dob"] = parse_date(data["patient_dob"], DATE_FIELDS["patient_dob"])
        except ValidationError as exc:
            problems.append(exc.message)
        order = check_order(
            data["occurred_at"],
            data["discovered_at"],
            decision_at=data["decision_at"],
            chartered_at=data["chartered_at"],
        )
        if order:
            problems.append(order)
        return data, problems

    # --- live feedback ---------------------------------------------------------------------
    @on(Select.Changed)
    @on(Input.Changed)
    @on(Checkbox.Changed)
    def _changed(self, event: Select.Changed | Input.Changed | Checkbox.Changed) -> None:
        if isinstance(event, Checkbox.Changed) and event.checkbox.id == "sentinel":
            # Only the user changes the box this way: the form's own changes post nothing.
            self._sentinel_by_hand = True
        self._refresh_derived()

    def _set_sentinel(self, value: bool) -> None:
        box = self.query_one("#sentinel", Checkbox)
        with box.prevent(Checkbox.Changed):
            box.value = value

    def _follow_sentinel(self) -> None:
        """Tick the sentinel box from harm and report type, until the user sets it by hand;
        the note under it says which."""
        chosen = [self.query_one(f"#{name}", Select).value for name in SENTINEL_FROM]
        suggested = suggests_sentinel(*(None if v is Select.NULL else str(v) for v in chosen))
        if not self._sentinel_by_hand:
            self._set_sentinel(suggested)
            note = "Follows harm and report type"
        elif self.query_one("#sentinel", Checkbox).value == suggested:
            note = "Set by hand"
        else:
            note = f"Set by hand; harm and report type say: {'' if suggested else 'not '}sentinel"
        self.query_one("#sentinel-note", Static).update(Text(note))

    def _refresh_derived(self) -> None:
        self._follow_sentinel()
        data, problems = self.parsed()
        matrix = self.query_one(SacMatrix)
        matrix.set_values(
            data["report_type"],
            data["severity_actual"],
            data["severity_potential"],
            data["probability"],
        )
        close_call = data["report_type"] in (
            vocab.ReportType.NEAR_MISS,
            vocab.ReportType.UNSAFE_CONDITION,
        )
        self.query_one("#severity_potential", Select).set_class(close_call, "emphasis")
        blame = data["blameworthy"]
        self.query_one("#blameworthy-help").display = blame
        self.query_one("#blameworthy_note").display = blame
        self._show_deadlines(data)
        if self._ready and self.query("#errors"):
            self._show_problems(problems, only_if_shown=True)

    def _show_deadlines(self, data: dict[str, Any]) -> None:
        class _Item:
            pass

        item = _Item()
        for name in ("decision_at", "occurred_at", "discovered_at", "sentinel"):
            setattr(item, name, data[name])
        d = deadlines_for(getattr(self.app, "settings", None), item)
        lines = []
        if d.start_by:
            lines.append(
                f"Start the RCA by   {format_datetime(d.start_by)} (72 h): "
                + start_verdict(d.start_by, data["chartered_at"])
            )
        if d.rca_due:
            lines.append(f"RCA target         {format_date(d.rca_due)} (from {d.rca_from})")
        if d.sentinel_due:
            lines.append(
                f"Sentinel deadline  {format_date(d.sentinel_due)} "
                f"(45 business days from {d.sentinel_from})"
            )
        if not lines:
            lines.append("Deadlines appear when the event and decision dates are filled in.")
        self.query_one("#deadlines", Static).update(Text("\n".join(lines)))

    def _show_problems(self, problems: list[str], *, only_if_shown: bool = False) -> None:
        box = self.query_one("#errors", Static)
        if only_if_shown and not box.display:
            return
        box.update(Content(visible("\n".join(f"• {p}" for p in problems))))
        box.display = bool(problems)

    # --- save / leave ----------------------------------------------------------------------
    def action_save(self, then_leave: bool = False) -> None:
        data, problems = self.parsed()
        if problems:
            self._show_problems(problems)
            self._focus_first_problem(data)
            return
        self._show_problems([])
        if self.investigation is None and self.investigation_id is None:
            title = data.pop("title")
            self.save(self.service.create_investigation, title, then=self._created, **data)
        else:
            # Compare what is typed with what was loaded; send the parsed values that changed.
            typed = self.collect()
            changes = {k: data[k] for k in typed if typed[k] != self._original.get(k)}
            assert self.investigation is not None
            self.save(
                self.service.update_investigation,
                self.investigation.id,
                self.investigation.version,
                then=(self._saved_and_leave if then_leave else self._saved),
                **changes,
            )

    def on_failure(self, error: BaseException) -> None:
        """For an edit conflict, read what is stored now and say which fields changed."""
        if not isinstance(error, ConflictError) or self.investigation is None:
            super().on_failure(error)
            return
        mine = self.investigation

        def explain(current: Investigation) -> None:
            def show(value: object) -> str:
                return f"{value!s:.40}"

            names = (
                *TEXT_FIELDS,
                *DATETIME_FIELDS,
                *DATE_FIELDS,
                *PICKERS,
                "description",
                "sentinel",
                "blameworthy",
                "blameworthy_note",
            )
            changed = [
                f"{name.replace('_', ' ')}: {show(getattr(mine, name))} -> "
                f"{show(getattr(current, name))}"
                for name in names
                if getattr(mine, name) != getattr(current, name)
            ]
            detail = "\n".join(["", "Changed since you opened it:", *changed]) if changed else ""
            super(IntakeScreen, self).on_failure(ConflictError(error.message + detail))

        self.call(self.service.get_investigation, mine.id, then=explain, group="conflict")

    def _focus_first_problem(self, data: dict[str, Any]) -> None:
        """Put the cursor where the first problem is (the list at the bottom says what)."""
        if not data["title"].strip():
            self.query_one("#title", Input).focus()
            return
        for name in (*DATETIME_FIELDS, "patient_dob"):
            widget = self.query_one(f"#{name}", Input)
            if widget.value.strip() and data.get(name) is None:
                widget.focus()
                return

    def _created(self, inv: Investigation) -> None:
        self._original = self.collect()
        self.notify(f"Created: {inv.title}", markup=False)
        self.app.pop_screen()
        self.host.open_investigation(inv.id)

    def _saved(self, inv: Investigation) -> None:
        self._fill(inv)
        self.notify("Saved", markup=False)

    def _saved_and_leave(self, inv: Investigation) -> None:
        self._saved(inv)
        self.app.pop_screen()

    def action_back(self) -> None:
        if not self.dirty:
            self.app.pop_screen()
            return

        def answered(choice: str | None) -> None:
            if choice == "save":
                if self.investigation is None:
                    self.action_save()
                else:
                    self.action_save(then_leave=True)
            elif choice == "discard":
                self.app.pop_screen()

        self.app.push_screen(
            ChoiceDialog(
                "This form has changes that are not saved.",
                [("Save", "save"), ("Discard", "discard"), ("Keep editing", "cancel")],
            ),
            answered,
        )
