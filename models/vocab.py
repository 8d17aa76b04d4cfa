"""The fixed lists of the domain (RCA2, VA NCPS, NCC MERP) as enums with labels for people.

Values are stable keys stored in the database and the JSON format; `label` is what screens and
reports show. Order matters: pickers list the members in declaration order.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Self


class Labelled(StrEnum):
    """A StrEnum whose members carry a human label in `_labels`."""

    @property
    def label(self) -> str:
        return type(self)._labels()[self.value]

    @classmethod
    def _labels(cls) -> dict[str, str]:  # pragma: no cover - overridden
        return {}

    @classmethod
    def choices(cls) -> list[tuple[str, str]]:
        """(label, value) pairs in declaration order, the shape a picker wants."""
        return [(m.label, m.value) for m in cls]

    @classmethod
    def from_value(cls, value: str | None) -> Self | None:
        """The member stored as `value`, or None for None or a key this version does not know
        (a database written by a newer version)."""
        try:
            return None if value is None else cls(value)
        except ValueError:
            return None

    @classmethod
    def parse(cls, value: str | None, field: str) -> Labelled | None:
        """Accept a key or a label in any case ("I", "i", "Fall", "FALL"); `None`/"" stays
        None; anything else is refused. Keys are compared in lower case too, because some are
        upper case (NCC MERP "A" to "I")."""
        from models.errors import ValidationError

        if value is None or value == "":
            return None
        if isinstance(value, cls):
            return value
        text = str(value).strip().lower()
        for member in cls:
            if text in (member.value.lower(), member.label.lower()):
                return member
        allowed = ", ".join(m.value for m in cls)
        raise ValidationError(f"{field}: {value!r} is not one of {allowed}")


class EventType(Labelled):
    BLOOD = "blood"
    DEVICE = "device"
    FALL = "fall"
    HAI = "infection"
    MEDICATION = "medication"
    PERINATAL = "perinatal"
    PRESSURE_INJURY = "pressure_injury"
    SURGERY = "surgery"
    VTE = "vte"
    OTHER = "other"

    @classmethod
    def _labels(cls):
        return {
            "blood": "Blood or blood product",
            "device": "Device or medical/surgical supply (incl. health IT)",
            "fall": "Fall",
            "infection": "Healthcare-associated infection",
            "medication": "Medication or other substance",
            "perinatal": "Perinatal",
            "pressure_injury": "Pressure injury",
            "surgery": "Surgery or anesthesia",
            "vte": "Venous thromboembolism",
            "other": "Other",
        }


class ReportType(Labelled):
    INCIDENT = "incident"
    NEAR_MISS = "near_miss"
    UNSAFE_CONDITION = "unsafe_condition"

    @classmethod
    def _labels(cls):
        return {
            "incident": "Incident (reached the patient)",
            "near_miss": "Near miss (did not reach the patient)",
            "unsafe_condition": "Unsafe condition",
        }


class Harm(Labelled):
    DEATH = "death"
    SEVERE = "severe"
    MODERATE = "moderate"
    MILD = "mild"
    NONE = "none"
    UNKNOWN = "unknown"

    @classmethod
    def _labels(cls):
        return {
            "death": "Death",
            "severe": "Severe harm",
            "moderate": "Moderate harm",
            "mild": "Mild harm",
            "none": "No harm",
            "unknown": "Unknown",
        }


class NccMerp(Labelled):
    A = "A"
    B = "B"
    C = "C"
    D = "D"
    E = "E"
    F = "F"
    G = "G"
    H = "H"
    I = "I"  # noqa: E741 - the category's own name

    @classmethod
    def _labels(cls):
        return {
            "A": "A: capacity to cause error",
            "B": "B: error did not reach the patient",
            "C": "C: reached the patient, no harm",
            "D": "D: needed monitoring",
            "E": "E: temporary harm, intervention",
            "F": "F: temporary harm, prolonged stay",
            "G": "G: permanent harm",
            "H": "H: intervention to sustain life",
            "I": "I: error contributed to death",
        }


class Severity(Labelled):
    CATASTROPHIC = "catastrophic"
    MAJOR = "major"
    MODERATE = "moderate"
    MINOR = "minor"

    @classmethod
    def _labels(cls):
        return {
            "catastrophic": "Catastrophic",
            "major": "Major",
            "moderate": "Moderate",
            "minor": "Minor",
        }


SEVERITY_MEANING = {
    Severity.CATASTROPHIC: "death or major permanent loss of function",
    Severity.MAJOR: "permanent lessening of function",
    Severity.MODERATE: "longer stay or a higher level of care",
    Severity.MINOR: "none of these",
}


class Probability(Labelled):
    FREQUENT = "frequent"
    OCCASIONAL = "occasional"
    UNCOMMON = "uncommon"
    REMOTE = "remote"

    @classmethod
    def _labels(cls):
        return {
            "frequent": "Frequent",
            "occasional": "Occasional",
            "uncommon": "Uncommon",
            "remote": "Remote",
        }


PROBABILITY_MEANING = {
    Probability.FREQUENT: "several times a year",
    Probability.OCCASIONAL: "several times in 1-2 years",
    Probability.UNCOMMON: "sometime in 2-5 years",
    Probability.REMOTE: "sometime in 5-30 years",
}


class Status(Labelled):
    DRAFT = "draft"
    ANALYSIS = "analysis"
    ACTION_PLAN = "action_plan"
    IN_REVIEW = "in_review"
    APPROVED = "approved"
    CLOSED = "closed"

    @classmethod
    def _labels(cls):
        return {
            "draft": "Draft",
            "analysis": "Analysis",
            "action_plan": "Action plan",
            "in_review": "In review",
            "approved": "Approved",
            "closed": "Closed",
        }


class CauseKind(Labelled):
    EVENT = "event"
    CAUSE = "cause"
    CONTRIBUTING = "contributing"
    ROOT = "root"

    @classmethod
    def _labels(cls):
        return {
            "event": "Event",
            "cause": "Cause",
            "contributing": "Contributing factor",
            "root": "Root cause",
        }


class Strength(Labelled):
    STRONGER = "stronger"
    INTERMEDIATE = "intermediate"
    WEAKER = "weaker"

    @classmethod
    def _labels(cls):
        return {"stronger": "Stronger", "intermediate": "Intermediate", "weaker": "Weaker"}


class ActionStatus(Labelled):
    OPEN = "open"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    VERIFIED = "verified_effective"
    NOT_EFFECTIVE = "not_effective"

    @classmethod
    def _labels(cls):
        return {
            "open": "Open",
            "in_progress": "In progress",
            "done": "Done",
            "verified_effective": "Verified effective",
            "not_effective": "Not effective",
        }


class Effectiveness(Labelled):
    """The verdict on an action's effect, given after approval by its owner or a reviewer."""

    EFFECTIVE = "effective"
    NOT_EFFECTIVE = "not_effective"
    PENDING = "pending"

    @classmethod
    def _labels(cls):
        return {"effective": "Effective", "not_effective": "Not effective", "pending": "Pending"}


class MeasureKind(Labelled):
    PROCESS = "process"
    OUTCOME = "outcome"

    @classmethod
    def _labels(cls):
        return {"process": "Process measure", "outcome": "Outcome measure"}


class Concurrence(Labelled):
    CONCUR = "concur"
    DO_NOT_CONCUR = "do_not_concur"

    @classmethod
    def _labels(cls):
        return {"concur": "Concur", "do_not_concur": "Do not concur"}


class TeamRole(Labelled):
    FACILITATOR = "facilitator"
    EXPERT = "subject_expert"
    UNFAMILIAR = "unfamiliar"
    FRONT_LINE = "front_line"
    PATIENT_REP = "patient_rep"
    LEADER = "leader"
    OTHER = "other"

    @classmethod
    def _labels(cls):
        return {
            "facilitator": "Facilitator",
            "subject_expert": "Subject-matter expert",
            "unfamiliar": "Unfamiliar with the event",
            "front_line": "Front-line staff (not involved)",
            "patient_rep": "Patient representative",
            "leader": "Executive sponsor / leader",
            "other": "Other",
        }


class FeedbackAudience(Labelled):
    REPORTER = "reporter"
    STAFF = "staff"
    PATIENT_FAMILY = "patient_family"

    @classmethod
    def _labels(cls):
        return {"reporter": "Reporter", "staff": "Staff", "patient_family": "Patient / family"}


class SignOffDecision(Labelled):
    """A step of the review, as recorded in the sign-off history (models/review.py)."""

    APPROVED = "approved"
    RETURNED = "returned"
    REOPENED = "reopened"
    CLOSED = "closed"

    @classmethod
    def _labels(cls):
        return {
            "approved": "Approved",
            "returned": "Returned with comments",
            "reopened": "Reopened",
            "closed": "Closed",
        }


class UserRole(Labelled):
    """What a user may do (models/review.py). A name not in the user table is an investigator."""

    INVESTIGATOR = "investigator"
    REVIEWER = "reviewer"
    ADMIN = "admin"

    @classmethod
    def _labels(cls):
        return {"investigator": "Investigator", "reviewer": "Reviewer", "admin": "Administrator"}


#: The healthcare default fishbone categories (London Protocol contributory factors).
LONDON_PROTOCOL = (
    "Patient",
    "Individual staff",
    "Task and technology",
    "Team (incl. communication)",
    "Work environment",
    "Organisation and management",
    "Institutional context",
)

#: The manufacturing 8M-style set, also common in hospitals.
EIGHT_M = (
    "People",
    "Process/methods",
    "Equipment",
    "Materials",
    "Environment",
    "Policies",
    "Communication",
    "Measurement",
    "Management",
)
