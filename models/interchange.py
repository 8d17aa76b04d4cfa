"""The JSON interchange format, "rca-tui/2" (documented in docs/format.md); "rca-tui/1" is read.

rca-tui/2 adds the cause codes of each cause, the follow-up of each action (implementation
dates, results, the effectiveness verdict or a reviewer's closure), how feedback was given, the
RCA2 list sections (notes, other people involved) and when the RCA team was chartered
(`chartered_at`, written only when recorded). On import a verdict or closure is history
(`imported_followup`), never a live decision, as concurrence and sign-offs are; dates and
results are facts and arrive as they were, each result marked imported.

One document holds one investigation completely. Cause ids inside a document are local to it
("c1", "c2", ... on export; any unique strings or numbers on import), so exporting, importing
and exporting again gives the same document apart from `exported_at` and `exported_by`.

Import validates everything before anything is written: types and fixed lists (pydantic),
references between causes, links and actions, and that the links form no cycle. A refusal names
the field path and the reason on one line.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Annotated, Any, Final, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, field_validator, model_validator
from pydantic import ValidationError as PydanticError

from models.domain import Dossier
from models.errors import ExportError, ImportFormatError
from models.rules import sac
from models.values import MAX_TEXT
from models.vocab import (
    ActionStatus,
    CauseKind,
    Concurrence,
    Effectiveness,
    EventType,
    FeedbackAudience,
    Harm,
    MeasureKind,
    NccMerp,
    NoteKind,
    Probability,
    ReportType,
    Severity,
    SignOffDecision,
    Status,
    Strength,
    TeamRole,
)

FORMAT: Final = "rca-tui/2"
#: The formats this release reads (a rca-tui/1 file has no follow-up and no cause codes).
READS: Final = ("rca-tui/1", "rca-tui/2")


def _as_id(value: Any) -> Any:
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return value


LocalId = Annotated[str, BeforeValidator(_as_id), Field(min_length=1, max_length=200)]


class _Doc(BaseModel):
    """Base: unknown keys are refused (a typo must not vanish silently); texts are checked."""

    model_config = ConfigDict(extra="forbid", use_enum_values=True)

    @field_validator("*", mode="after")
    @classmethod
    def _storable_text(cls, value: Any) -> Any:
        if isinstance(value, str):
            if len(value) > MAX_TEXT:
                raise ValueError(f"text too long ({len(value):,} characters; at most {MAX_TEXT:,})")
            try:
                value.encode("utf-8")
            except UnicodeEncodeError:
                raise ValueError("text contains characters that cannot be stored") from None
        return value


class InvestigationDoc(_Doc):
    title: str = Field(min_length=1)
    description: str = ""
    occurred_at: dt.datetime | None = None
    discovered_at: dt.datetime | None = None
    decision_at: dt.datetime | None = None
    #: When the RCA team was chartered (the RCA started). Written only when recorded, so a
    #: file without it is the same as before it existed (and older releases still read it).
    chartered_at: dt.datetime | None = None
    unit: str = ""
    reported_by: str = ""
    event_type: EventType | None = None
    report_type: ReportType | None = None
    harm: Harm | None = None
    ncc_merp: NccMerp | None = None
    severity_actual: Severity | None = None
    severity_potential: Severity | None = None
    probability: Probability | None = None
    sac_score: int | None = None
    #: None (absent) means: derive from report type and harm, as the app does on creation.
    sentinel: bool | None = None
    blameworthy: bool = False
    blameworthy_note: str = ""
    status: Status = Status.DRAFT
    patient_name: str = ""
    patient_mrn: str = ""
    patient_dob: dt.date | None = None

    @field_validator("title")
    @classmethod
    def _title_not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("is required")
        return value.strip()

    @field_validator("occurred_at", "discovered_at", "decision_at", "chartered_at")
    @classmethod
    def _naive(cls, value: dt.datetime | None) -> dt.datetime | None:
        if value is not None and value.tzinfo is not None:
            value = value.astimezone().replace(tzinfo=None)
        return value

    @model_validator(mode="after")
    def _score(self) -> InvestigationDoc:
        # Derived: always computed from the severities and the probability with today's rule,
        # so a file written by an older release (whose rule scored incidents on the actual
        # severity only) imports with the score this release gives.
        self.sac_score = sac.sac_score(
            self.report_type, self.severity_actual, self.severity_potential, self.probability
        )
        return self


class MemberDoc(_Doc):
    name: str = Field(min_length=1)
    role: TeamRole = TeamRole.OTHER
    involved: bool = False


class TimelineDoc(_Doc):
    at: dt.datetime | None = None
    happened: str = Field(min_length=1)
    should_have: str = ""
    source: str = ""


class CauseDoc(_Doc):
    id: LocalId
    text: str = Field(min_length=1)
    category: str | None = None
    kind: CauseKind = CauseKind.CAUSE
    evidence: str = ""
    statement: str = ""
    #: Why a root cause has no action / only weaker actions (the plan checks' written reasons).
    no_action_reason: str = ""
    weak_only_reason: str = ""
    #: Cause codes (models/codes.py), by key; since rca-tui/2.
    codes: list[Annotated[str, Field(min_length=1, max_length=60)]] = []


class LinkDoc(_Doc):
    cause: LocalId
    effect: LocalId


class MeasureDoc(_Doc):
    kind: MeasureKind | None = None
    what: str = ""
    how: str = ""
    sample: str = ""
    target: str = ""
    date: dt.date | None = None


class MeasurementDoc(_Doc):
    """One result of an action's measure (rca-tui/2)."""

    taken_on: dt.date
    value: float | None = None
    numerator: int | None = Field(default=None, ge=0)
    denominator: int | None = Field(default=None, gt=0)
    note: str = ""
    #: Who entered it where the file came from (history: nobody here entered it).
    entered_by: str = ""
    #: Entered by mistake and corrected there: why (the key is left out when it was not, so a
    #: file without corrections reads as before). Imported, it stays corrected.
    corrected: str = ""

    @model_validator(mode="after")
    def _a_result(self) -> MeasurementDoc:
        if (self.numerator is None) != (self.denominator is None):
            raise ValueError("give numerator and denominator together")
        if self.numerator is not None and self.numerator > (self.denominator or 0):
            raise ValueError("the numerator is more than the denominator")
        if self.numerator is None and self.value is None:
            raise ValueError("a result needs a value or a numerator and denominator")
        if self.numerator is not None and self.value is not None:
            raise ValueError("give a value or a numerator and denominator, not both")
        return self


class ActionDoc(_Doc):
    addresses: list[LocalId] = []
    text: str = Field(min_length=1)
    strength: Strength | None = None
    hierarchy_category: str = ""
    owner: str = ""
    due: dt.date | None = None
    measure: MeasureDoc | None = None
    status: ActionStatus = ActionStatus.OPEN
    concurrence: Concurrence | None = None
    concurrence_reason: str = ""
    #: Concurrence from the database this came from (history; import never makes it live).
    imported_concurrence: str = ""
    #: Follow-up (rca-tui/2). The verdict and a closure become `imported_followup` on import.
    started_on: dt.date | None = None
    done_on: dt.date | None = None
    effectiveness: Effectiveness | None = None
    effectiveness_by: str = ""
    effectiveness_at: dt.datetime | None = None
    effectiveness_note: str = ""
    closed_reason: str = ""
    closed_by: str = ""
    closed_at: dt.datetime | None = None
    imported_followup: str = ""
    measurements: list[MeasurementDoc] = []


class SignOffDoc(_Doc):
    role: str = ""
    name: str = Field(min_length=1)
    decision: SignOffDecision
    comment: str = ""
    at: dt.datetime | None = None
    #: It was itself imported where it was exported from (every sign-off is, once imported).
    imported: bool = False


class FeedbackDoc(_Doc):
    audience: FeedbackAudience
    given_on: dt.date | None = None
    given_by: str = ""
    note: str = ""
    #: How it was given (rca-tui/2).
    method: str = ""


class NoteDoc(_Doc):
    """A lesson learned, a strategy not taken (`detail`: why) or literature reviewed."""

    kind: NoteKind
    text: str = Field(min_length=1)
    detail: str = ""


class PersonDoc(_Doc):
    """Another person involved: an identifier, like the patient's name."""

    name: str = Field(min_length=1)
    involvement: str = ""


class Document(_Doc):
    format: Literal["rca-tui/1", "rca-tui/2"]
    exported_at: dt.datetime | None = None
    exported_by: str | None = None
    app_version: str | None = None
    investigation: InvestigationDoc
    #: The fishbone bones in order; absent means the default (London Protocol) set.
    categories: list[Annotated[str, Field(min_length=1, max_length=200)]] | None = None
    team: list[MemberDoc] = []
    timeline: list[TimelineDoc] = []
    causes: list[CauseDoc] = []
    links: list[LinkDoc] = []
    actions: list[ActionDoc] = []
    signoffs: list[SignOffDoc] = []
    feedback: list[FeedbackDoc] = []
    #: Optional: read when present, written only when there are any (files without them are
    #: the same as before these sections existed).
    notes: list[NoteDoc] = []
    people: list[PersonDoc] = []

    @model_validator(mode="after")
    def _references(self) -> Document:
        seen: set[str] = set()
        for i, name in enumerate(self.categories or ()):
            if not name.strip():
                raise _at(f"categories[{i}]", "a category needs a name")
            if name.casefold() in seen:
                raise _at(f"categories[{i}]", f"duplicate category {name!r}")
            seen.add(name.casefold())
        index: dict[str, int] = {}
        for i, cause in enumerate(self.causes):
            if cause.id in index:
                raise _at(f"causes[{i}].id", f"duplicate cause id {cause.id!r}")
            index[cause.id] = i
        edges: dict[str, list[str]] = {cause_id: [] for cause_id in index}
        seen_links: set[tuple[str, str]] = set()
        for i, link in enumerate(self.links):
            for end in ("cause", "effect"):
                if getattr(link, end) not in index:
                    raise _at(f"links[{i}].{end}", f"no cause with id {getattr(link, end)!r}")
            if link.cause == link.effect:
                raise _at(f"links[{i}]", "a cause cannot lead to itself")
            if (link.cause, link.effect) in seen_links:
                raise _at(f"links[{i}]", "duplicate link")
            seen_links.add((link.cause, link.effect))
            edges[link.cause].append(link.effect)
        if _has_cycle(edges):
            raise _at("links", f"the links form a circle: {_cycle_path(index, self.links)}")
        for i, action in enumerate(self.actions):
            for j, ref in enumerate(action.addresses):
                if ref not in index:
                    raise _at(f"actions[{i}].addresses[{j}]", f"no cause with id {ref!r}")
        return self


class _Located(ValueError):
    """A cross-reference problem that knows its own field path."""

    def __init__(self, path: str, message: str):
        super().__init__(f"{path}: {message}")
        self.path = path
        self.detail = message


def _at(path: str, message: str) -> _Located:
    return _Located(path, message)


def _path(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out or "(document)"


def parse_document(data: Any) -> Document:
    """Validate a document (a dict, or JSON text/bytes); refuse with the first problems named."""
    if isinstance(data, bytes | bytearray):
        try:
            data = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise ImportFormatError(f"not UTF-8 text (byte {exc.start})") from None
    if isinstance(data, str):
        try:
            data = json.loads(data)
        except json.JSONDecodeError as exc:
            raise ImportFormatError(
                f"not JSON: {exc.msg} at line {exc.lineno} column {exc.colno}"
            ) from None
    if not isinstance(data, dict):
        raise ImportFormatError("(document): expected a JSON object")
    fmt = data.get("format")
    if fmt not in READS:
        reads = " and ".join(repr(f) for f in READS)
        if (
            isinstance(fmt, str)
            and fmt.startswith("rca-tui/")
            and fmt[8:].isdigit()
            and int(fmt[8:]) > int(FORMAT[8:])
        ):
            raise ImportFormatError(
                f"format: {fmt!r} was written by a newer rca-tui; this one reads {reads}"
            )
        raise ImportFormatError(f"format: expected {FORMAT!r}, found {fmt!r}")
    try:
        return Document.model_validate(data)
    except PydanticError as exc:
        raise ImportFormatError(_problems(exc)) from None


def _problems(exc: PydanticError) -> str:
    """The first problem a validation found, with its field path, and how many more."""
    problems = []
    for err in exc.errors():
        ctx_error = (err.get("ctx") or {}).get("error")
        if isinstance(ctx_error, _Located):
            problems.append(str(ctx_error))
            continue
        msg = err["msg"].removeprefix("Value error, ")
        problems.append(f"{_path(err['loc'])}: {msg}")
    more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
    return problems[0] + more


def to_document(dossier: Dossier, *, exported_by: str | None = None) -> dict[str, Any]:
    """The document of one investigation, as JSON-ready data.

    The document is checked as an import would check it, so a file that could not be read back
    (a circle of links written into the database outside the app) is refused here, in words,
    instead of being written.
    """
    try:
        return _document(dossier, exported_by)
    except PydanticError as exc:
        raise ExportError(
            f"cannot write the investigation as JSON, it could not be read back: {_problems(exc)}"
        ) from None


def _document(dossier: Dossier, exported_by: str | None) -> dict[str, Any]:
    from models import __version__

    inv = dossier.investigation
    local = {c.id: f"c{i}" for i, c in enumerate(dossier.causes, start=1)}
    doc = Document(
        format=FORMAT,
        exported_at=dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0),
        exported_by=exported_by,
        app_version=__version__,
        investigation=InvestigationDoc.model_validate(
            {name: getattr(inv, name) for name in InvestigationDoc.model_fields}
        ),
        categories=list(dossier.categories) or None,
        team=[
            MemberDoc(name=m.name, role=TeamRole(m.role), involved=m.involved) for m in dossier.team
        ],
        timeline=[
            TimelineDoc(at=e.at, happened=e.happened, should_have=e.should_have, source=e.source)
            for e in dossier.timeline
        ],
        causes=[
            CauseDoc(
                id=local[c.id],
                text=c.text,
                category=c.category,
                kind=CauseKind(c.kind),
                evidence=c.evidence,
                statement=c.statement,
                no_action_reason=c.no_action_reason,
                weak_only_reason=c.weak_only_reason,
                codes=list(dossier.cause_codes.get(c.id, ())),
            )
            for c in dossier.causes
        ],
        links=[
            LinkDoc(cause=local[lk.cause_id], effect=local[lk.effect_id]) for lk in dossier.links
        ],
        actions=[
            ActionDoc(
                addresses=[local[c] for c in a.addresses],
                text=a.text,
                strength=None if a.strength is None else Strength(a.strength),
                hierarchy_category=a.hierarchy_category,
                owner=a.owner,
                due=a.due,
                measure=None
                if a.measure.is_empty
                else MeasureDoc(
                    kind=None if a.measure.kind is None else MeasureKind(a.measure.kind),
                    what=a.measure.what,
                    how=a.measure.how,
                    sample=a.measure.sample,
                    target=a.measure.target,
                    date=a.measure.date,
                ),
                status=ActionStatus(a.status),
                concurrence=None if a.concurrence is None else Concurrence(a.concurrence),
                concurrence_reason=a.concurrence_reason,
                imported_concurrence=a.imported_concurrence,
                **_followup_of(a, dossier),
            )
            for a in dossier.actions
        ],
        signoffs=[
            SignOffDoc(
                role=s.role,
                name=s.name,
                decision=SignOffDecision(s.decision),
                comment=s.comment,
                at=s.at,
                imported=s.imported,
            )
            for s in dossier.signoffs
        ],
        feedback=[
            FeedbackDoc(
                audience=FeedbackAudience(f.audience),
                given_on=f.given_on,
                given_by=f.given_by,
                note=f.note,
                method=f.method,
            )
            for f in dossier.feedback
        ],
        notes=[NoteDoc(kind=NoteKind(n.kind), text=n.text, detail=n.detail) for n in dossier.notes],
        people=[PersonDoc(name=p.name, involvement=p.involvement) for p in dossier.people],
    )
    optional = {name for name in ("notes", "people") if not getattr(doc, name)}
    out = doc.model_dump(mode="json", exclude=optional)
    if out["investigation"]["chartered_at"] is None:
        del out["investigation"]["chartered_at"]
    for action in out["actions"]:
        for result in action["measurements"]:
            if not result["corrected"]:
                del result["corrected"]
    return out


def _followup_of(a: Any, dossier: Dossier) -> dict[str, Any]:
    """The follow-up fields of one action's document (rca-tui/2)."""
    names = (
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
    )
    results = sorted(
        (m for m in dossier.measurements if m.action_id == a.id), key=lambda m: (m.taken_on, m.id)
    )
    return {
        **{n: getattr(a, n) for n in names},
        "measurements": [
            MeasurementDoc(
                taken_on=m.taken_on,
                value=m.value,
                numerator=m.numerator,
                denominator=m.denominator,
                note=m.note,
                entered_by=m.entered_by,
                corrected=(m.superseded_reason.strip() or "corrected") if m.superseded else "",
            )
            for m in results
        ],
    }


def dumps(document: dict[str, Any]) -> str:
    """The document as JSON text: UTF-8, indented, keys in schema order."""
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


def _has_cycle(edges: dict[str, list[str]]) -> bool:
    """Whether the links go round in a circle (stdlib only: networkx costs ~80 ms to import,
    more than the rest of a small `rca import`, and is needed only to name the circle)."""
    from graphlib import CycleError, TopologicalSorter

    try:
        TopologicalSorter(_predecessors(edges)).prepare()
    except CycleError:
        return True
    return False


def _predecessors(edges: dict[str, list[str]]) -> dict[str, list[str]]:
    preds: dict[str, list[str]] = {}
    for cause, effects in edges.items():
        for effect in effects:
            preds.setdefault(effect, []).append(cause)
    return preds


def _cycle_path(index: dict[str, int], links: Any) -> str:
    """The circle as networkx names it (the wording users and tests have seen since 1.0)."""
    import networkx as nx

    graph = nx.DiGraph()
    graph.add_nodes_from(index)
    graph.add_edges_from((link.cause, link.effect) for link in links)
    cycle = nx.find_cycle(graph)
    return " -> ".join([str(a) for a, _ in cycle] + [str(cycle[0][0])])
