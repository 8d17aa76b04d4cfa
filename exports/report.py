"""The report model: one investigation built ONCE into display-ready rows, then written per format.

Every writer (Markdown, HTML, CSV/XLSX, DOCX, PDF, the pictures) reads a `Report`, never the
database or the service, so all formats say the same thing in the same words and order, and a
de-identified copy is de-identified in every format at once.

    from exports.report import build_report
    report = build_report(
        service.dossier(12),
        findings=service.check(12),       # run_checks(dossier); R1-R5 go to the statements
        generated_by=service.user,
        db_version="0002",                # schema revision (models.migrations.HEAD)
        deidentify=False,                 # True: patient identifiers replaced everywhere
    )

API (stable; new fields may be added at the end of a dataclass, none renamed or removed)
------------------------------------------------------------------------------------------
`Report` (frozen dataclass, every text a plain `str`: never markup, never None; "" when unknown):

- `title`, `investigation_id` (int), `ref` ("RCA-12")
- `meta: Meta`: `generated_at` ("2026-05-14 10:22"), `generated_by`, `db_version`,
  `app_version`, `deidentified` (bool), `marker` ("De-identified copy: ..." or "").
- `summary: Summary`: `description`, `facts` (tuple of `Fact(label, value)`: when, unit, who
  reported, classification labels, severity/probability with their meaning, status, patient),
  `sac_score` ("3" or ""), `sac_meaning` ("highest risk: full RCA required" / "not scored yet"),
  `sac_text` ("3: highest risk: full RCA required"), `sentinel` (bool), `sentinel_text`,
  `deadlines` (tuple of `Fact`).
- `team`: tuple of `TeamRow(name, role, involved)`.
- `timeline`: tuple of `TimelineRow(number, when, happened, should_have, source)`.
- `event: CauseItem | None`: the head of the fishbone.
- `causes`: tuple of `CauseItem` (every cause, event included, in id order): `id` (int),
  `ref` ("C12"), `text`, `kind` (key: event/cause/contributing/root), `kind_label`,
  `category` ("" when none), `evidence`, `statement`. `links`: tuple of `LinkItem(cause_id,
  effect_id, cause_ref, effect_ref)`, "cause led to effect". Enough to draw pictures.
- `categories`: the fishbone bones in order (plus "Uncategorised" when used).
- `fishbone`: tuple of `Bone(category, nodes)`; each `FishboneNode(cause_id, ref, text, kind,
  kind_label, is_reference, children)`. The bones and trees are those of the fishbone screen
  (`models.fishbone.bone_trees`): top-level nodes of a bone are its causes that lead to the
  event (or to nothing); children are the causes that led to a node, whatever their
  category; a cause reachable twice is given in full once and as `is_reference=True` after.
- `whys`: tuple of `WhyChain(root_id, root_ref, root_text, steps)`: one per path from a root
  cause to the event; `steps` are `WhyStep(cause_id, ref, text, kind_label)` from the EVENT
  (first) down to the root cause (last), the order people read "why? because ...".
- `statements`: tuple of `StatementRow(cause_id, ref, cause_text, kind_label, statement,
  findings)`: root causes first, then every other cause with a statement or an R1-R5 finding;
  `findings` are `FindingRow(code, severity, message)`.
- `root_causes`, `contributing`: tuples of `CauseItem`.
- `actions`: tuple of `ActionRow` (see its docstring: every field of an action, as text, plus
  `id`/`number` ints and `due_date`/`measure_on` dates for spreadsheets).
  `plan_notes`: tuple of str (root causes with no action or only weaker actions).
- `signoffs`: tuple of `SignOffRow(role, name, decision, comment, at)`; `feedback`: tuple of
  `FeedbackRow(audience, given_on, given_by, note)`.
- `findings`: every check finding (`FindingRow`), errors first.

`SECTIONS` gives (key, heading) of the sections in RCA2 / Joint Commission order; writers use
these headings so all formats agree.

Texts keep what people typed (markup-like text, emoji, line breaks) except the characters XML
1.0 forbids, which are dropped here once for all formats. Escaping for a format is the writer's
job. Imports only `models`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from exports.deadline_facts import deadline_facts
from exports.followup_section import FollowupSection, build_followup
from exports.language import language_tag
from exports.safety import clean_xml_text
from exports.sections import LESSONS, LITERATURE, PEOPLE, STRATEGIES, ListSection, build_sections
from models import __version__, vocab
from models.domain import Cause, Dossier, Finding, shown_as
from models.fishbone import bone_trees
from models.review import is_frozen
from models.rules import sac
from models.rules.dates import format_date, format_datetime
from models.rules.deadlines import (
    DeadlinePolicy,
    default_policy,
)

#: The sections in report order (RCA2 / The Joint Commission): the executive summary a reviewer
#: reads first, then the detail. The action plan holds each action's measure and concurrence.
SECTIONS: tuple[tuple[str, str], ...] = (
    ("executive", "Executive summary"),
    ("summary", "Event summary and risk score"),
    ("team", "RCA team"),
    PEOPLE,
    ("timeline", "Sequence of events"),
    ("fishbone", "Fishbone diagram"),
    ("whys", "Five-whys chains"),
    ("statements", "Causal statements"),
    ("causes", "Root causes and contributing factors"),
    ("actions", "Action plan, measures and concurrence"),
    STRATEGIES,
    LESSONS,
    LITERATURE,
    ("signoff", "Sign-off"),
    ("followup", "Follow-up and effectiveness"),
    ("feedback", "Feedback log"),
)
HEADINGS: dict[str, str] = dict(SECTIONS)

#: The confidentiality notice printed on every page unless the settings give another
#: (`confidentiality_notice`; an empty one prints none).
DEFAULT_NOTICE = (
    "Confidential: patient safety work product and peer-review document, privileged and "
    "protected from disclosure (Patient Safety and Quality Improvement Act of 2005, "
    "42 U.S.C. 299b-21 to 299b-26, and state peer-review law). Do not copy or pass on."
)
#: Paper sizes of the paginated reports (the `paper_size` setting).
PAPER_SIZES = ("letter", "a4")
#: The roles that sign the report: a line each in the signature block, signed or not.
SIGNATURE_ROLES: tuple[tuple[str, str], ...] = (
    ("facilitator", "RCA team facilitator (prepared by)"),
    ("reviewer", "Reviewer (concurrence with the action plan)"),
    ("approver", "Approving executive (approval)"),
)
#: The marker put on a de-identified copy (title page, headers, file properties).
DEIDENTIFIED_MARKER = (
    "De-identified copy: patient names, record numbers, dates of birth, phone numbers and "
    "e-mail addresses have been replaced."
)
#: Five-whys chains listed at most (paths are enumerated shortest first).
MAX_CHAINS_PER_ROOT = 10
#: Codes of the five rules of causation (their findings go with the causal statements).
CAUSATION_CODES = ("R1", "R2", "R3", "R4", "R5")

#: Column headings of the action plan (the CSV/XLSX header row), in `ActionRow.cells()` order.
ACTION_COLUMNS: tuple[str, ...] = (
    "No.",
    "Action id",
    "Root cause(s) addressed",
    "Root cause codes",
    "Action",
    "Strength",
    "Hierarchy category",
    "Owner",
    "Due",
    "Status",
    "Measure type",
    "What is measured",
    "How",
    "Sample size",
    "Target",
    "Measure date",
    "Concurrence",
    "Concurrence reason",
    "Concurrence by",
    "Concurrence at",
)


# --- the model --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Fact:
    label: str
    value: str


@dataclass(frozen=True, slots=True)
class Meta:
    generated_at: str
    generated_by: str
    db_version: str
    app_version: str
    deidentified: bool = False
    marker: str = ""
    #: The confidentiality notice for every page ("" for none).
    notice: str = ""
    #: "letter" or "a4".
    paper: str = "letter"
    #: The document language, a BCP 47 tag (the `language` setting).
    language: str = "en"
    #: "audit trail at entry 1234, hash 0f3a9c2e41b7d5a8": the trail as it was when this was
    #: made, for `rca audit verify --expect 1234:0f3a9c2e41b7d5a8` later ("" when unknown).
    audit_head: str = ""


@dataclass(frozen=True, slots=True)
class Summary:
    description: str
    facts: tuple[Fact, ...]
    sac_score: str
    sac_meaning: str
    sac_text: str
    sentinel: bool
    sentinel_text: str
    deadlines: tuple[Fact, ...]


@dataclass(frozen=True, slots=True)
class TeamRow:
    name: str
    role: str
    involved: str  # "Yes" / "No"


@dataclass(frozen=True, slots=True)
class TimelineRow:
    number: int
    when: str
    happened: str
    should_have: str
    source: str


@dataclass(frozen=True, slots=True)
class CauseItem:
    id: int
    ref: str
    text: str
    kind: str
    kind_label: str
    category: str
    evidence: str
    statement: str


@dataclass(frozen=True, slots=True)
class LinkItem:
    cause_id: int
    effect_id: int
    cause_ref: str
    effect_ref: str


@dataclass(frozen=True, slots=True)
class FishboneNode:
    cause_id: int
    ref: str
    text: str
    kind: str
    kind_label: str
    is_reference: bool
    children: tuple[FishboneNode, ...] = ()
    #: For a reference: where the cause is given in full, in reading order ("given in full
    #: above" or "given in full below, on Organisation and management").
    ref_note: str = ""


@dataclass(frozen=True, slots=True)
class Bone:
    category: str
    nodes: tuple[FishboneNode, ...]


@dataclass(frozen=True, slots=True)
class WhyStep:
    cause_id: int
    ref: str
    text: str
    kind_label: str


@dataclass(frozen=True, slots=True)
class WhyChain:
    root_id: int
    root_ref: str
    root_text: str
    steps: tuple[WhyStep, ...]  # event first, root cause last


@dataclass(frozen=True, slots=True)
class FindingRow:
    code: str
    severity: str
    message: str
    subject: int | None = None


@dataclass(frozen=True, slots=True)
class StatementRow:
    cause_id: int
    ref: str
    cause_text: str
    kind_label: str
    statement: str  # "" when none is written
    findings: tuple[FindingRow, ...]


@dataclass(frozen=True, slots=True)
class ActionRow:
    """One action with every field. Texts are display strings ("" when not set); `id` and
    `number` are ints and `due_date`/`measure_date` dates, for spreadsheets."""

    number: int
    id: int
    ref: str  # "A1"
    addresses: str  # "C6: Beds were bought ...; C8: ..."
    addresses_refs: str  # "C6, C8"
    text: str
    strength: str  # label: "Stronger"
    hierarchy_category: str
    owner: str
    due: str
    status: str  # label
    measure_kind: str  # label: "Process measure"
    measure_what: str
    measure_how: str
    measure_sample: str
    measure_target: str
    measure_date: str
    concurrence: str  # label: "Concur" / "Do not concur"
    concurrence_reason: str
    concurrence_by: str
    concurrence_at: str
    due_date: dt.date | None = None
    measure_on: dt.date | None = None
    addressed_ids: tuple[int, ...] = ()
    #: The cause codes of the causes it addresses: "C6: LP-ORG, TJC-ENV; C8: TJC-COMM.HANDOFF".
    cause_codes: str = ""

    @property
    def strength_text(self) -> str:
        """'Stronger: forcing function' (strength and category together)."""
        if self.strength and self.hierarchy_category:
            return f"{self.strength}: {self.hierarchy_category}"
        return self.strength or self.hierarchy_category

    def cells(self) -> tuple[Any, ...]:
        """The row in `ACTION_COLUMNS` order (ints stay ints, everything else text)."""
        return (
            self.number,
            self.id,
            self.addresses,
            self.cause_codes,
            self.text,
            self.strength,
            self.hierarchy_category,
            self.owner,
            self.due,
            self.status,
            self.measure_kind,
            self.measure_what,
            self.measure_how,
            self.measure_sample,
            self.measure_target,
            self.measure_date,
            self.concurrence,
            self.concurrence_reason,
            self.concurrence_by,
            self.concurrence_at,
        )


@dataclass(frozen=True, slots=True)
class SignOffRow:
    role: str
    name: str
    decision: str
    comment: str
    at: str


@dataclass(frozen=True, slots=True)
class FeedbackRow:
    audience: str
    given_on: str
    given_by: str
    note: str


@dataclass(frozen=True, slots=True)
class SignatureLine:
    """One line of the signature block: shown for every role that signs, signed or not."""

    role: str
    name: str  # who signed, or who is expected to ("" when unknown)
    decision: str  # "Approved 2026-11-28", or "" while unsigned
    at: str


@dataclass(frozen=True, slots=True)
class Report:
    title: str
    investigation_id: int
    ref: str
    meta: Meta
    summary: Summary
    team: tuple[TeamRow, ...]
    timeline: tuple[TimelineRow, ...]
    event: CauseItem | None
    causes: tuple[CauseItem, ...]
    links: tuple[LinkItem, ...]
    categories: tuple[str, ...]
    fishbone: tuple[Bone, ...]
    whys: tuple[WhyChain, ...]
    statements: tuple[StatementRow, ...]
    root_causes: tuple[CauseItem, ...]
    contributing: tuple[CauseItem, ...]
    actions: tuple[ActionRow, ...]
    plan_notes: tuple[str, ...]
    signoffs: tuple[SignOffRow, ...]
    feedback: tuple[FeedbackRow, ...]
    findings: tuple[FindingRow, ...]
    #: The deadlines as the executive summary gives them: met or not, or days left.
    deadline_status: tuple[Fact, ...] = ()
    signatures: tuple[SignatureLine, ...] = ()
    #: Implementation, results and effectiveness of each action (exports/followup_section.py).
    followup: FollowupSection = FollowupSection()  # noqa: RUF009 - frozen, so shared safely
    #: Other people involved, strategies not taken, lessons, literature (`exports.sections`).
    lists: tuple[ListSection, ...] = ()
    #: (cause ref, its cause codes joined) for every coded cause (models/codes.py).
    cause_codes: tuple[tuple[str, str], ...] = ()

    @property
    def codes_line(self) -> str:
        """'Cause codes: C6 LP-ORG, TJC-ENV; C8 TJC-COMM.HANDOFF' ("" when none is coded)."""
        if not self.cause_codes:
            return ""
        return "Cause codes: " + "; ".join(f"{ref} {codes}" for ref, codes in self.cause_codes)

    @property
    def sections(self) -> tuple[tuple[str, str], ...]:
        return SECTIONS

    def listed(self, key: str) -> ListSection:
        """One of the list sections (`exports.sections.KEYS`); empty if the report has none."""
        for section in self.lists:
            if section.key == key:
                return section
        return next(x for x in build_sections(None) if x.key == key)

    def cause(self, cause_id: int) -> CauseItem | None:
        for c in self.causes:
            if c.id == cause_id:
                return c
        return None


# --- building -------------------------------------------------------------------------------


def _t(value: object) -> str:
    """A display string: None -> "", control characters shown as their pictures."""
    if value is None:
        return ""
    return clean_xml_text(str(value))


def _label(enum: type[vocab.Labelled], value: str | None) -> str:
    if not value:
        return ""
    try:
        return enum(value).label
    except ValueError:
        return _t(value)


def _when(value: dt.datetime | dt.date | None) -> str:
    return format_datetime(value) if isinstance(value, dt.datetime) else format_date(value)


def cause_ref(cause_id: int) -> str:
    return f"C{cause_id}"


def action_ref(number: int) -> str:
    return f"A{number}"


def _meaning(enum: type[vocab.Labelled], meanings: Mapping[Any, str], value: str | None) -> str:
    label = _label(enum, value)
    if not label or value is None:
        return ""
    try:
        return f"{label} ({meanings[enum(value)]})"
    except (KeyError, ValueError):
        return label


def _summary(
    dossier: Dossier, deadlines: Any, today: dt.date, masked: tuple[bool, bool, bool] | None = None
) -> Summary:
    """The event's facts; `masked` (de-identified copies) says which of the patient's name,
    MRN and date of birth were recorded, each then shown as its placeholder."""
    inv = dossier.investigation
    score = inv.sac_score
    facts: list[Fact] = []

    def add(label: str, value: str) -> None:
        facts.append(Fact(label, value))

    add("Occurred", _when(inv.occurred_at))
    add("Discovered", _when(inv.discovered_at))
    add("RCA decision", _when(inv.decision_at))
    add("RCA team chartered", _when(inv.chartered_at))
    add("Unit", _t(inv.unit))
    add("Reported by", _t(inv.reported_by))
    add("Event type", _label(vocab.EventType, inv.event_type))
    add("Report type", _label(vocab.ReportType, inv.report_type))
    add("Harm", _label(vocab.Harm, inv.harm))
    if inv.ncc_merp:
        add("NCC MERP category", _label(vocab.NccMerp, inv.ncc_merp))
    add(
        "Severity (actual)",
        _meaning(vocab.Severity, vocab.SEVERITY_MEANING, inv.severity_actual),
    )
    add(
        "Severity (potential)",
        _meaning(vocab.Severity, vocab.SEVERITY_MEANING, inv.severity_potential),
    )
    add("Probability", _meaning(vocab.Probability, vocab.PROBABILITY_MEANING, inv.probability))
    add("SAC score", sac.describe(score))
    add(
        "Sentinel event",
        "Yes (The Joint Commission: analysis and action plan within 45 business days)"
        if inv.sentinel
        else "No",
    )
    if inv.blameworthy:
        note = _t(inv.blameworthy_note)
        add("Blameworthy act", "Yes, routed out of the RCA process" + (f": {note}" if note else ""))
    add("Status", _label(vocab.Status, inv.status))
    if masked is not None:
        from exports.deidentify import DOB, MRN, PATIENT

        name, mrn, born = (
            v if on else "" for v, on in zip((PATIENT, MRN, DOB), masked, strict=True)
        )
    else:
        name, mrn = _t(inv.patient_name), _t(inv.patient_mrn)
        born = format_date(inv.patient_dob) if inv.patient_dob else ""
    patient = ", ".join(
        part for part in (name, f"MRN {mrn}" if mrn else "", f"born {born}" if born else "") if part
    )
    if patient:
        add("Patient", patient)

    dl = _deadline_facts(dossier, deadlines, today)[0]
    return Summary(
        description=_t(inv.description),
        facts=tuple(facts),
        sac_score="" if score is None else str(score),
        sac_meaning=sac.MEANING.get(score, "not scored yet") if score else "not scored yet",
        sac_text=sac.describe(score),
        sentinel=bool(inv.sentinel),
        sentinel_text="Yes" if inv.sentinel else "No",
        deadlines=tuple(dl),
    )


def _deadline_facts(
    dossier: Dossier, deadlines: Any, today: dt.date
) -> tuple[tuple[Fact, ...], tuple[Fact, ...]]:
    """The deadlines with days left (summary) and met or not (executive summary):
    `exports.deadline_facts`."""
    facts, status = deadline_facts(dossier, deadlines, today)
    return tuple(Fact(*f) for f in facts), tuple(Fact(*f) for f in status)


def _signatures(dossier: Dossier, actions: Sequence[ActionRow]) -> tuple[SignatureLine, ...]:
    """A line for each role that signs (`SIGNATURE_ROLES`), filled in from what is recorded."""
    inv = dossier.investigation
    labels = dict(SIGNATURE_ROLES)
    facilitator = next((m for m in dossier.team if m.role == vocab.TeamRole.FACILITATOR), None)
    lines = [
        SignatureLine(labels["facilitator"], _t(facilitator.name) if facilitator else "", "", "")
    ]
    decided = [a for a in actions if a.concurrence]
    if decided:
        last = max(decided, key=lambda a: a.concurrence_at)
        lines.append(
            SignatureLine(
                labels["reviewer"],
                last.concurrence_by,
                f"Concurrence recorded on {len(decided)} of {len(actions)} actions",
                last.concurrence_at,
            )
        )
    else:
        lines.append(SignatureLine(labels["reviewer"], "", "", ""))
    approval = None
    if is_frozen(inv.status):
        approvals = [
            s
            for s in dossier.signoffs
            if s.decision == vocab.SignOffDecision.APPROVED and not s.imported
        ]
        approval = max(approvals, key=lambda s: s.at or dt.datetime.min, default=None)
    if approval is not None:
        lines.append(
            SignatureLine(
                labels["approver"],
                _t(approval.signed_by),
                _label(vocab.SignOffDecision, approval.decision),
                _when(approval.at),
            )
        )
    else:
        lines.append(SignatureLine(labels["approver"], "", "", ""))
    return tuple(lines)


def _cause_item(c: Cause) -> CauseItem:
    return CauseItem(
        id=c.id,
        ref=cause_ref(c.id),
        text=_t(c.text),
        kind=_t(c.kind),
        kind_label=_label(vocab.CauseKind, c.kind),
        category=_t(c.category),
        evidence=_t(c.evidence),
        statement=_t(c.statement),
    )


def _fishbone(
    items: Mapping[int, CauseItem],
    links: Sequence[LinkItem],
    categories: Sequence[str],
) -> tuple[tuple[str, ...], tuple[Bone, ...]]:
    """The bones with their trees, as on the fishbone screen (`models.fishbone`)."""
    trees = bone_trees([_t(name) for name in categories], items.values(), links)
    # Where each cause is given in full, in reading order (bones in order, depth first), so a
    # reference can say whether to look above or below.
    full_at: dict[int, tuple[int, str]] = {}
    seq = 0
    for name, bone_items in zip(trees.names, trees.items, strict=True):
        for cid, _depth, _later, ref in bone_items:
            seq += 1
            if not ref:
                full_at[cid] = (seq, name)
    seq = 0
    notes: dict[int, str] = {}
    for bone_items in trees.items:
        for cid, _depth, _later, ref in bone_items:
            seq += 1
            if ref:
                at, bone = full_at[cid]
                notes[seq] = (
                    "given in full above" if at < seq else f"given in full below, on {bone}"
                )
    bones = []
    seq = 0
    for name, bone_items in zip(trees.names, trees.items, strict=True):
        first = seq
        seq += len(bone_items)
        # The trees come depth first; built from the last item back, each node's children
        # are ready when it is reached (no recursion: a chain can be 2,000 causes deep).
        pending: dict[int, list[FishboneNode]] = {}
        for k in range(len(bone_items) - 1, -1, -1):
            cid, depth, _later, ref = bone_items[k]
            c = items[cid]
            kids = pending.pop(depth + 1, [])
            kids.reverse()
            note = notes.get(first + k + 1, "")
            node = FishboneNode(cid, c.ref, c.text, c.kind, c.kind_label, ref, tuple(kids), note)
            pending.setdefault(depth, []).append(node)
        bones.append(Bone(name, tuple(reversed(pending.get(0, [])))))
    return tuple(trees.names), tuple(bones)


def _whys(items: Mapping[int, CauseItem], links: Sequence[LinkItem]) -> tuple[WhyChain, ...]:
    from models.graph import CauseGraph

    graph = CauseGraph.build(
        ((c.id, c.kind, c.category or None) for c in items.values()),
        ((lk.cause_id, lk.effect_id) for lk in links),
    )
    starts = graph.root_causes() or [o for o in graph.origins() if o in graph.connected_to_event()]
    paths = [
        (start, tuple(path))
        for start in starts
        for path in graph.paths_to_event(start, limit=MAX_CHAINS_PER_ROOT)
    ]
    # Each chain once: a path that is the end of a longer one (a root cause that led to another
    # root cause) is read within that one, and a path met twice is given once.
    inside: set[tuple[int, ...]] = set()
    for _start, path in sorted(paths, key=lambda p: -len(p[1])):
        if path not in inside:
            inside.update(path[k:] for k in range(1, len(path)))
    chains: list[WhyChain] = []
    given: set[tuple[int, ...]] = set()
    for start, path in paths:
        if path in inside or path in given:
            continue
        given.add(path)
        steps = tuple(
            WhyStep(cid, items[cid].ref, items[cid].text, items[cid].kind_label)
            for cid in reversed(path)
        )
        c = items[start]
        chains.append(WhyChain(start, c.ref, c.text, steps))
    return tuple(chains)


def _finding_row(f: Finding) -> FindingRow:
    return FindingRow(_t(f.code), _t(f.severity), _t(f.message), f.subject)


def _statements(
    causes: Sequence[CauseItem], findings: Sequence[Finding]
) -> tuple[StatementRow, ...]:
    by_cause: dict[int, list[FindingRow]] = {}
    for f in findings:
        if f.code in CAUSATION_CODES and f.subject is not None:
            by_cause.setdefault(f.subject, []).append(_finding_row(f))
    rows = []
    ordered = [c for c in causes if c.kind == vocab.CauseKind.ROOT] + [
        c for c in causes if c.kind not in (vocab.CauseKind.ROOT, vocab.CauseKind.EVENT)
    ]
    for c in ordered:
        found = tuple(sorted(by_cause.get(c.id, ()), key=lambda r: r.code))
        if c.kind == vocab.CauseKind.ROOT or c.statement.strip() or found:
            rows.append(StatementRow(c.id, c.ref, c.text, c.kind_label, c.statement, found))
    return tuple(rows)


def _actions(
    dossier: Dossier, items: Mapping[int, CauseItem]
) -> tuple[tuple[ActionRow, ...], tuple[str, ...]]:
    rows = []
    for n, a in enumerate(dossier.actions, start=1):
        addressed = [cid for cid in a.addresses if cid in items]
        m = a.measure
        rows.append(
            ActionRow(
                number=n,
                id=a.id,
                ref=action_ref(n),
                addresses="; ".join(f"{items[c].ref}: {items[c].text}" for c in addressed),
                addresses_refs=", ".join(items[c].ref for c in addressed),
                cause_codes="; ".join(
                    f"{items[c].ref}: {', '.join(dossier.cause_codes[c])}"
                    for c in addressed
                    if dossier.cause_codes.get(c)
                ),
                text=_t(a.text),
                strength=_label(vocab.Strength, a.strength),
                hierarchy_category=_t(a.hierarchy_category),
                owner=_t(a.owner),
                due=format_date(a.due),
                status=_label(vocab.ActionStatus, a.status),
                measure_kind=_label(vocab.MeasureKind, m.kind),
                measure_what=_t(m.what),
                measure_how=_t(m.how),
                measure_sample=_t(m.sample),
                measure_target=_t(m.target),
                measure_date=format_date(m.date),
                concurrence=_label(vocab.Concurrence, a.concurrence)
                or (f"Imported: {_t(a.imported_concurrence)}" if a.imported_concurrence else ""),
                concurrence_reason=_t(_with_override(a.concurrence_reason, a.concurrence_override)),
                concurrence_by=_t(shown_as(a.concurrence_by, a.concurrence_name)),
                concurrence_at=_when(a.concurrence_at),
                due_date=a.due,
                measure_on=m.date,
                addressed_ids=tuple(addressed),
            )
        )
    notes = []
    for cause in sorted(dossier.causes, key=lambda c: c.id):
        if cause.kind != vocab.CauseKind.ROOT or cause.id not in items:
            continue
        ref = items[cause.id].ref
        strengths = [a.strength for a in dossier.actions if cause.id in a.addresses]
        if not strengths:
            reason = _t(getattr(cause, "no_action_reason", "")).strip()
            notes.append(
                f"Root cause {ref} has no action. Reason given: {reason}"
                if reason
                else f"Root cause {ref} has no action yet."
            )
        elif all(s == vocab.Strength.WEAKER for s in strengths):
            reason = _t(getattr(cause, "weak_only_reason", "")).strip()
            notes.append(
                f"Root cause {ref} has only weaker actions (training, policy, double checks)."
                + (
                    f" Reason given: {reason}"
                    if reason
                    else " A stronger or intermediate action, or a written reason, is expected."
                )
            )
    return tuple(rows), tuple(notes)


def _with_override(text: str, override: str) -> str:
    """A comment with an admin's reason for setting separation of duties aside, when given."""
    if not override:
        return text
    note = f"Separation of duties set aside by an admin: {override}"
    return f"{text} ({note})" if text else note


def _audit_head(dossier: Dossier) -> str:
    if dossier.audit_head is None:
        return ""
    seq, digest = dossier.audit_head
    return f"audit trail at entry {seq}, hash {digest[:16]}"


def build_report(
    dossier: Dossier,
    *,
    findings: Sequence[Finding] = (),
    generated_by: str = "",
    db_version: str = "",
    deidentify: bool = False,
    today: dt.date | None = None,
    now: dt.datetime | None = None,
    deadlines: Any = None,
    deadline_policy: DeadlinePolicy | None = None,
    confidentiality_notice: str | None = None,
    paper_size: str = "letter",
    language: str = "en",
) -> Report:
    """The report of one investigation (see the module docstring).

    `findings` is `run_checks(dossier)` (the service's `check()`); the R1-R5 ones go with the
    causal statements, all of them to `Report.findings`. `deadlines` may be given (a
    `models.rules.deadlines.Deadlines`); otherwise they are computed from the investigation
    with `deadline_policy` (`Settings.deadline_policy()`), or the default policy, which is
    checked when made: the report never leaves the deadlines out in silence. `today` is for
    "n days left"; `now` the generated-at time. `confidentiality_notice` goes on every page
    (None: `DEFAULT_NOTICE`; "": none) and `paper_size` ("letter" or "a4") is the paper of
    the paginated formats, `language` (a BCP 47 tag) the language the files declare (all three
    are settings). With `deidentify=True` every text people typed
    is passed through `exports.deidentify` (patient name, MRN, date of birth, phone numbers,
    e-mail addresses, other people named in the investigation) before the report is built, so
    the app's own wording is never touched, the patient fields are left out, the findings are
    worked out again from the scrubbed texts, and `meta.marker` says it is a de-identified
    copy.
    """
    now = now or dt.datetime.now().replace(microsecond=0)
    today = today or now.date()
    if paper_size not in PAPER_SIZES:
        raise ValueError(f"paper size {paper_size!r}: expected one of {', '.join(PAPER_SIZES)}")
    language = language_tag(language)  # a LanguageTagError (a ValueError) if it is not one
    if deidentify:
        from exports.deidentify import deidentify_dossier
        from models.rules.checks import run_checks

        had_findings = bool(findings)
        recorded = dossier.investigation
        masked = (
            bool(recorded.patient_name),
            bool(recorded.patient_mrn),
            bool(recorded.patient_dob),
        )
        dossier = deidentify_dossier(dossier)
        findings = run_checks(dossier, today) if had_findings else ()
    inv = dossier.investigation
    if deadlines is None:
        deadlines = (deadline_policy or default_policy()).deadlines_of(inv)

    items = {c.id: _cause_item(c) for c in sorted(dossier.causes, key=lambda c: c.id)}
    causes = tuple(items.values())
    links = tuple(
        LinkItem(lk.cause_id, lk.effect_id, cause_ref(lk.cause_id), cause_ref(lk.effect_id))
        for lk in dossier.links
        if lk.cause_id in items and lk.effect_id in items
    )
    categories, bones = _fishbone(items, links, dossier.categories)
    event_ids = [c.id for c in causes if c.kind == vocab.CauseKind.EVENT]
    actions, notes = _actions(dossier, items)
    order = {"error": 0, "warning": 1}
    notice = DEFAULT_NOTICE if confidentiality_notice is None else confidentiality_notice
    return Report(
        title=_t(inv.title),
        investigation_id=inv.id,
        ref=f"RCA-{inv.id}",
        meta=Meta(
            generated_at=format_datetime(now),
            generated_by=_t(generated_by),
            db_version=_t(db_version),
            app_version=__version__,
            deidentified=deidentify,
            marker=DEIDENTIFIED_MARKER if deidentify else "",
            notice=" ".join(_t(notice).split()),
            paper=paper_size,
            language=language,
            audit_head=_audit_head(dossier),
        ),
        summary=_summary(dossier, deadlines, today, masked if deidentify else None),
        team=tuple(
            TeamRow(_t(m.name), _label(vocab.TeamRole, m.role), "Yes" if m.involved else "No")
            for m in dossier.team
        ),
        timeline=tuple(
            TimelineRow(n, _when(e.at), _t(e.happened), _t(e.should_have), _t(e.source))
            for n, e in enumerate(dossier.timeline, start=1)
        ),
        event=items[event_ids[0]] if event_ids else None,
        causes=causes,
        links=links,
        categories=categories,
        fishbone=bones,
        whys=_whys(items, links),
        statements=_statements(causes, findings),
        root_causes=tuple(c for c in causes if c.kind == vocab.CauseKind.ROOT),
        contributing=tuple(c for c in causes if c.kind == vocab.CauseKind.CONTRIBUTING),
        cause_codes=tuple(
            (cause_ref(c.id), ", ".join(dossier.cause_codes[c.id]))
            for c in dossier.causes
            if dossier.cause_codes.get(c.id)
        ),
        actions=actions,
        plan_notes=notes,
        signoffs=tuple(
            SignOffRow(
                _t(s.role),
                _t(s.signed_by),
                _label(vocab.SignOffDecision, s.decision),
                _t(_with_override(s.comment, s.override_reason)),
                _when(s.at),
            )
            for s in dossier.signoffs
        ),
        lists=build_sections(dossier),
        feedback=tuple(
            FeedbackRow(
                _label(vocab.FeedbackAudience, f.audience),
                format_date(f.given_on),
                _t(f.given_by),
                _t(f.note),
            )
            for f in dossier.feedback
        ),
        findings=tuple(
            _finding_row(f) for f in sorted(findings, key=lambda f: order.get(f.severity, 2))
        ),
        deadline_status=_deadline_facts(dossier, deadlines, today)[1],
        signatures=_signatures(dossier, actions),
        followup=build_followup(dossier),
    )
