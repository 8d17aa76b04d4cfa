"""What an imported document's parts become as stored values, without the ORM.

Why: `rca import` on a current SQLite file writes with sqlite3 alone (`models.sqlite_import`),
because importing SQLAlchemy and SQLModel took most of a cold import (issue 16). Both writers,
that one and the ORM's (`models.service.documents.write_document`), take the same validated
document (`models.interchange.parse_document`) and turn its parts into column values with the
functions here, so there is one definition of what an import stores: the normalised fields, the
derived SAC score and sentinel flag, the history texts of a concurrence, verdict or closure from
another database, and which fields the audit trail holds of each kind of record
(`TRACKED_FIELDS`, from which `models.service.core.TRACKED` is made).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from models import values
from models.errors import ImportFormatError, ValidationError
from models.vocab import Status

#: An action's measure is stored in the columns `measure_<name>`.
MEASURE_FIELDS = ("kind", "what", "how", "sample", "target", "date")

#: Statuses an imported investigation may not keep: it arrives in the action plan instead.
AWAITING_REVIEW = frozenset({Status.IN_REVIEW, Status.APPROVED, Status.CLOSED})

#: Follow-up fields of an action document that are not copied as they are on import.
FOLLOWUP_FIELDS = frozenset(
    {
        "started_on",
        "done_on",
        "effectiveness",
        "effectiveness_by",
        "effectiveness_at",
        "effectiveness_note",
        "closed_reason",
        "closed_by",
        "closed_at",
        "imported_followup",
        "measurements",
    }
)

#: Per kind of audited record: the field its create entry names (None: a summary) and the
#: fields whose every value is in the trail (`models.service.core.Tracked`).
TRACKED_FIELDS: dict[str, tuple[str | None, tuple[str, ...]]] = {
    "investigation": ("title", (*values.INVESTIGATION, "sac_score")),
    "team_member": ("name", tuple(values.TEAM_MEMBER)),
    "timeline_entry": ("happened", tuple(values.TIMELINE_ENTRY)),
    "cause": ("text", tuple(values.CAUSE)),
    "action": (
        "text",
        (
            *values.ACTION,
            "concurrence_by",
            "concurrence_name",
            "concurrence_override",
            "concurrence_at",
            *values.FOLLOWUP,
            "effectiveness_by",
            "effectiveness_at",
            "closed_by",
            "closed_at",
        ),
    ),
    "measurement": (None, ("action_id", *values.MEASUREMENT, "superseded_by", "superseded_reason")),
    "sign_off": (None, ("comment",)),
    "feedback": ("audience", tuple(values.FEEDBACK)),
    "app_user": (None, ("role",)),
    "report_note": ("text", tuple(values.REPORT_NOTE)),
    "involved_person": ("name", tuple(values.INVOLVED_PERSON)),
}


def norm(rules: Mapping[str, Callable[[str, Any], Any]], data: dict, path: str) -> dict:
    """`values.normalise`, its refusal naming the document's field path."""
    try:
        return values.normalise(rules, data)
    except ValidationError as exc:
        name, _, why = exc.message.partition(": ")
        raise ImportFormatError(f"{path}.{name.replace(' ', '_')}: {why}") from None


def derive(data: dict[str, Any], current: Any = None) -> None:
    """Fill the derived fields: the SAC score (`sac.assess`: for an incident the higher of
    the actual and potential scores) and, on creation, the sentinel default."""
    from models.rules import sac
    from models.rules.sentinel import suggests_sentinel

    def pick(name: str) -> Any:
        if name in data:
            return data[name]
        return getattr(current, name) if current is not None else None

    data["sac_score"] = sac.sac_score(
        pick("report_type"),
        pick("severity_actual"),
        pick("severity_potential"),
        pick("probability"),
    )
    if current is None and "sentinel" not in data:
        data["sentinel"] = suggests_sentinel(pick("report_type"), pick("harm"), pick("ncc_merp"))


def investigation_fields(doc: Any) -> dict[str, Any]:
    """The investigation's stored fields from a document (normalised, derived)."""
    fields = doc.investigation.model_dump()
    fields.pop("sac_score")
    if fields["sentinel"] is None:
        fields.pop("sentinel")
    # A file cannot bring authority with it: an investigation that was in review, approved or
    # closed where it came from arrives before review here, to be reviewed by people who see it.
    if fields.get("status") in AWAITING_REVIEW:
        fields["status"] = Status.ACTION_PLAN
    data = norm(values.INVESTIGATION, fields, "investigation")
    derive(data)
    return data


def flatten_action(fields: dict[str, Any]) -> dict[str, Any]:
    """An action's fields with its measure (a `Measure` or a dict) as `measure_<name>`."""
    from models.domain import Measure

    measure = fields.pop("measure", None)
    if measure is not None:
        if isinstance(measure, Measure):
            measure = {n: getattr(measure, n) for n in MEASURE_FIELDS}
        if not isinstance(measure, dict):
            raise ValidationError("measure: expected the measure's fields")
        for name, value in measure.items():
            if name not in MEASURE_FIELDS:
                raise ValidationError(f"measure {name}: is not a field of a measure")
            fields[f"measure_{name}"] = value
    return fields


def action_fields(a: Any, i: int) -> tuple[dict[str, Any], dict[str, Any]]:
    """An imported action's stored fields and its follow-up fields (normalised)."""
    fields = a.model_dump(
        exclude={"addresses", "measure", "concurrence", "concurrence_reason", *FOLLOWUP_FIELDS}
    )
    # Concurrence in the file is history of another database, never a decision here.
    fields["imported_concurrence"] = a.imported_concurrence or concurrence_text(a)
    if a.measure is not None:
        fields = flatten_action({**fields, "measure": a.measure.model_dump()})
    # So is a verdict or a closure; the dates the action was started and done are facts.
    followup = norm(
        values.FOLLOWUP,
        {"started_on": a.started_on, "done_on": a.done_on, "imported_followup": followup_text(a)},
        f"actions[{i}]",
    )
    return norm(values.ACTION, fields, f"actions[{i}]"), followup


def timeline_fields(e: Any, position: int) -> dict[str, Any]:
    entry = norm(values.TIMELINE_ENTRY, e.model_dump(), f"timeline[{position}]")
    if not entry["happened"].strip():
        raise ImportFormatError(f"timeline[{position}].happened: is required")
    return entry


def note_fields(n: Any, i: int) -> dict[str, Any]:
    from models.vocab import NoteKind

    note = norm(values.REPORT_NOTE, n.model_dump(), f"notes[{i}]")
    if note["kind"] == NoteKind.STRATEGY and not note["detail"].strip():
        raise ImportFormatError(f"notes[{i}].detail: a strategy not taken needs its reason")
    return note


def code_keys(causes: Any, known: Callable[[], set[str]]) -> list[list[str]]:
    """The cause codes of each imported cause, sorted; each must be known here (retired ones
    too: they are history); one unknown refuses the file, naming it, so a hospital can add it
    first. `known` is asked only when a cause has codes."""
    if not any(c.codes for c in causes):
        return [[] for _ in causes]
    catalogue = known()
    out = []
    for i, c in enumerate(causes):
        keys = sorted({k.strip().upper() for k in c.codes})
        for j, key in enumerate(keys):
            if key not in catalogue:
                raise ImportFormatError(
                    f"causes[{i}].codes[{j}]: there is no cause code {key!r} in this database "
                    "(add it with `rca codes add`, then import again)"
                )
        out.append(keys)
    return out


def followup_text(action: Any) -> str:
    """A verdict or closure given in a file, as history: "effective (rita): note; closed by
    rita: reason"; what the file itself had imported comes first."""
    from models.vocab import Effectiveness

    parts = [action.imported_followup] if action.imported_followup else []
    if action.effectiveness:
        said = Effectiveness(action.effectiveness).label.lower()
        who = f" ({action.effectiveness_by})" if action.effectiveness_by else ""
        note = f": {action.effectiveness_note}" if action.effectiveness_note else ""
        parts.append(f"{said}{who}{note}")
    if action.closed_reason:
        parts.append(f"closed by {action.closed_by or 'a reviewer'}: {action.closed_reason}")
    return "; ".join(parts)


def concurrence_text(action: Any) -> str:
    """A concurrence given in a file, as history: "concur" or "do not concur: reason"."""
    from models.vocab import Concurrence

    if action.concurrence is None:
        return ""
    said = Concurrence(action.concurrence).label.lower()
    return f"{said}: {action.concurrence_reason}" if action.concurrence_reason else said
