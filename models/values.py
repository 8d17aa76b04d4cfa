"""Normalising values on their way into the database.

The service takes Python values (or ISO strings, as the command line and JSON give them) and
turns each into what is stored, refusing anything else with a message that names the field.
Parsing the forms people type (03/11/2026, "yesterday 14:00") lives in `models.rules.dates`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from typing import Any

from models import vocab
from models.errors import ValidationError

#: One pasted field larger than this is refused rather than stored (about 1 MB of text).
MAX_TEXT = 1_000_000
MAX_LINE = 2_000


def now() -> dt.datetime:
    """Record timestamps are naive UTC, to the second.

    Event times (occurred, discovered, timeline) are naive too, but local wall-clock time as the
    investigator typed it: a hospital's events happen in its own time zone.
    """
    return dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)


def text(field: str, value: Any, *, required: bool = False, single_line: bool = False) -> str:
    """Free text as typed; None becomes "". Titles and names are stripped of outer spaces."""
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise ValidationError(f"{field}: expected text, got {type(value).__name__}")
    if single_line:
        value = value.strip()
    limit = MAX_LINE if single_line else MAX_TEXT
    if len(value) > limit:
        raise ValidationError(f"{field}: too long ({len(value):,} characters; at most {limit:,})")
    if required and not value.strip():
        raise ValidationError(f"{field}: is required")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValidationError(f"{field}: contains characters that cannot be stored") from None
    return value


def title(field: str, value: Any) -> str:
    return text(field, value, required=True, single_line=True)


def line(field: str, value: Any) -> str:
    return text(field, value, single_line=True)


def optional_line(field: str, value: Any) -> str | None:
    out = text(field, value, single_line=True)
    return out or None


def when(field: str, value: Any) -> dt.datetime | None:
    """A date-time: a datetime, a date (midnight), an ISO string, or None/""."""
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            value = value.astimezone().replace(tzinfo=None)
        return value.replace(microsecond=0)
    if isinstance(value, dt.date):
        return dt.datetime.combine(value, dt.time())
    if isinstance(value, str):
        try:
            return when(field, dt.datetime.fromisoformat(value.strip()))
        except ValueError:
            pass
    raise ValidationError(f"{field}: {value!r} is not a date and time (use 2026-11-03 14:20)")


def day(field: str, value: Any) -> dt.date | None:
    """A calendar date: a date, an ISO date string, or None/""."""
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise ValidationError(f"{field}: {value!r} is not a date (use 2026-11-03)")


def flag(field: str, value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if value in (0, 1):
        return bool(value)
    if isinstance(value, str) and value.strip().lower() in ("yes", "true", "no", "false"):
        return value.strip().lower() in ("yes", "true")
    raise ValidationError(f"{field}: {value!r} is not yes or no")


def choice(enum: type[vocab.Labelled], *, required: bool = False) -> Callable[[str, Any], Any]:
    """A normaliser for one of the fixed lists: stores the key, accepts key or label."""

    def normalise(field: str, value: Any) -> str | None:
        member = enum.parse(value, field)
        if member is None:
            if required:
                raise ValidationError(f"{field}: is required")
            return None
        return member.value

    return normalise


INVESTIGATION: dict[str, Callable[[str, Any], Any]] = {
    "title": title,
    "description": text,
    "occurred_at": when,
    "discovered_at": when,
    "decision_at": when,
    "chartered_at": when,
    "unit": line,
    "reported_by": line,
    "event_type": choice(vocab.EventType),
    "report_type": choice(vocab.ReportType),
    "harm": choice(vocab.Harm),
    "ncc_merp": choice(vocab.NccMerp),
    "severity_actual": choice(vocab.Severity),
    "severity_potential": choice(vocab.Severity),
    "probability": choice(vocab.Probability),
    "sentinel": flag,
    "blameworthy": flag,
    "blameworthy_note": text,
    "status": choice(vocab.Status, required=True),
    "patient_name": line,
    "patient_mrn": line,
    "patient_dob": day,
}

#: How each field of a record is checked: field name -> normaliser(field, value).
Rules = dict[str, Callable[[str, Any], Any]]

TEAM_MEMBER: Rules = {
    "name": title,
    "role": choice(vocab.TeamRole, required=True),
    "involved": flag,
}

TIMELINE_ENTRY: Rules = {
    "at": when,
    "happened": text,
    "should_have": text,
    "source": line,
}

REPORT_NOTE: Rules = {
    "kind": choice(vocab.NoteKind, required=True),
    "text": text,
    "detail": text,
}

INVOLVED_PERSON: Rules = {
    "name": title,
    "involvement": line,
}

CAUSE: Rules = {
    "text": lambda f, v: text(f, v, required=True),
    "category": optional_line,
    "kind": choice(vocab.CauseKind, required=True),
    "evidence": text,
    "statement": text,
    "no_action_reason": text,
    "weak_only_reason": text,
}

ACTION: Rules = {
    "text": lambda f, v: text(f, v, required=True),
    "strength": choice(vocab.Strength),
    "hierarchy_category": line,
    "owner": line,
    "due": day,
    "status": choice(vocab.ActionStatus, required=True),
    "measure_kind": choice(vocab.MeasureKind),
    "measure_what": text,
    "measure_how": text,
    "measure_sample": line,
    "measure_target": line,
    "measure_date": day,
    "concurrence": choice(vocab.Concurrence),
    "concurrence_reason": text,
    "imported_concurrence": text,
}

SIGN_OFF: Rules = {
    "role": line,
    "name": title,
    "decision": choice(vocab.SignOffDecision, required=True),
    "comment": text,
}

FEEDBACK: Rules = {
    "audience": choice(vocab.FeedbackAudience, required=True),
    "given_on": day,
    "given_by": line,
    "note": text,
    "method": line,
}

#: The follow-up of an action after approval (`models.service.followup`): set only through
#: its own calls, which check who may give a verdict; never through `update_action`.
FOLLOWUP = {
    "started_on": day,
    "done_on": day,
    "effectiveness": choice(vocab.Effectiveness),
    "effectiveness_note": text,
    "closed_reason": text,
    "imported_followup": text,
}


def number(field: str, value: Any) -> float | None:
    """A measured value: a number, or text that reads as one ("92.5", "92,5"); None/"" stays
    None."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise ValidationError(f"{field}: {value!r} is not a number")
    if isinstance(value, int | float):
        out = float(value)
    elif isinstance(value, str):
        try:
            out = float(value.strip().rstrip("%").strip().replace(",", "."))
        except ValueError:
            raise ValidationError(f"{field}: {value!r} is not a number") from None
    else:
        raise ValidationError(f"{field}: {value!r} is not a number")
    if out != out or out in (float("inf"), float("-inf")):
        raise ValidationError(f"{field}: {value!r} is not a number")
    return out


def count(field: str, value: Any) -> int | None:
    """A whole number of cases, 0 or more; None/"" stays None."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise ValidationError(f"{field}: {value!r} is not a whole number")
    if isinstance(value, str):
        try:
            value = int(value.strip())
        except ValueError:
            raise ValidationError(f"{field}: {value!r} is not a whole number") from None
    if not isinstance(value, int) or value < 0:
        raise ValidationError(f"{field}: {value!r} is not a whole number of 0 or more")
    return value


MEASUREMENT = {
    "taken_on": lambda f, v: _required(f, day(f, v)),
    "value": number,
    "numerator": count,
    "denominator": count,
    "note": text,
}


def _required(field: str, value: Any) -> Any:
    if value is None:
        raise ValidationError(f"{field}: is required")
    return value


USER: Rules = {
    "name": title,
    "role": choice(vocab.UserRole, required=True),
}


def normalise(rules: Mapping[str, Callable[[str, Any], Any]], changes: dict[str, Any]) -> dict:
    """Apply each field's normaliser; an unknown field is a programming error, said plainly."""
    out = {}
    for name, value in changes.items():
        if name not in rules:
            raise ValidationError(f"{name}: is not a field that can be set here")
        out[name] = rules[name](name.replace("_", " "), value)
    return out


def audit_text(value: Any) -> str | None:
    """How a value is written into the audit trail."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return str(value)
