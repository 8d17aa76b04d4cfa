"""Action plan rules: the strength suggestion table (realistic action texts), every plan check
with its positive and negative case, the summary line, and the checks in `rca check`."""

from __future__ import annotations

import datetime as dt
import json
import tomllib
from pathlib import Path

import pytest
from click.testing import CliRunner

from models.domain import Action, Cause, Dossier, Investigation, Measure
from models.rules.action_strength import (
    StrengthTable,
    Suggestion,
    categories,
    parse_table,
    strength_table,
    suggest_strength,
)
from models.rules.checks import DATED_RULES, run_checks
from models.rules.plan_checks import (
    NO_ACTION_REASON,
    WEAK_ONLY_REASON,
    has_no_owner,
    is_group_owner,
    plan_counts,
    plan_findings,
    plan_summary,
    reason_asked,
)
from models.vocab import Strength


def load_table(path: Path) -> StrengthTable:
    """A table from a TOML file of the shipped shape (`action_strength.toml`, which a hospital
    may edit)."""
    return parse_table(tomllib.loads(path.read_text(encoding="utf-8")))

TODAY = dt.date(2026, 11, 30)
ST, IN, WK = "stronger", "intermediate", "weaker"

# fmt: off
#: Action texts as investigators write them, with the strength and hierarchy category the
#: wording should suggest.
ACTIONS = [
    # stronger
    ("Install barcode scanning of the patient wristband and the medication at every bedside",
     ST, "Forcing function or engineering control"),
    ("Purchase smart infusion pumps with hard dose limits for heparin",
     ST, "Forcing function or engineering control"),
    ("Configure the infusion pumps so heparin cannot be started above 25 units/kg/h",
     ST, "Forcing function or engineering control"),
    ("Use ENFit connectors so enteral syringes cannot connect to IV lines",
     ST, "Forcing function or engineering control"),
    ("Configure every bed so the exit alarm re-arms by itself after a reset",
     ST, "Forcing function or engineering control"),
    ("Automatically page the rapid response team when the early warning score exceeds 7",
     ST, "Forcing function or engineering control"),
    ("Build a forcing function: the order cannot be signed without a weight",
     ST, "Forcing function or engineering control"),
    ("Remove concentrated potassium chloride vials from all unit stock",
     ST, "Eliminate the hazard"),
    ("Eliminate the use of multi-dose insulin pens on inpatient units",
     ST, "Eliminate the hazard"),
    ("Standardize insulin to a single U-100 concentration across the hospital",
     ST, "Standardize equipment or process"),
    ("Stock only premixed heparin bags from the manufacturer",
     ST, "Standardize equipment or process"),
    ("Print two identifiers on every pharmacy label",
     ST, "Standardize equipment or process"),
    ("Print the date of birth on every pharmacy label",
     ST, "Standardize equipment or process"),
    ("Redesign the medication room so high-alert drugs sit in a separate locked cabinet",
     ST, "Architectural or physical change"),
    ("Install grab bars and night lights in every bathroom on 4 West",
     ST, "Architectural or physical change"),
    ("Buy only beds that passed a usability test of their alarm workflow",
     ST, "Usability testing before purchase"),
    ("Simplify the discharge medication reconciliation to three steps",
     ST, "Simplify the process"),
    ("CNO will round monthly on 4 West to hear safety concerns from night staff",
     ST, "Tangible leadership involvement"),
    # intermediate
    ("Add a software alert in the EHR when an opioid is ordered with a benzodiazepine",
     IN, "Software enhancement"),
    ("Add a required fall-risk field to the electronic handover",
     IN, "Software enhancement"),
    ("Schedule a CAM delirium screen every 12 hours in the EHR task list",
     IN, "Software enhancement"),
    ("Introduce a surgical safety checklist for every operating room case",
     IN, "Checklist or cognitive aid"),
    ("Add a pocket reference card for pediatric weight-based dosing",
     IN, "Checklist or cognitive aid"),
    ("Use read-back for all verbal and telephone orders",
     IN, "Read-back"),
    ("Hire an additional night nurse for 4 West",
     IN, "More staff or less workload"),
    ("Reduce the nurse-to-patient ratio on night shift to 1:4",
     IN, "More staff or less workload"),
    ("Run in-situ simulation training for shoulder dystocia every quarter with refreshers",
     IN, "Simulation-based training"),
    ("Use the SBAR format for every call to the on-call physician",
     IN, "Standardized communication tool"),
    ("Use a standardized I-PASS handoff at every shift change",
     IN, "Standardized communication tool"),
    ("Separate look-alike vials of vecuronium and vancomycin in the dispensing cabinet",
     IN, "Remove look-alike and sound-alike products"),
    ("Create a no-interruption zone around the medication preparation area",
     IN, "Remove distractions"),
    ("Implement a double-check via redundancy: the pump reads the order and the nurse verifies",
     IN, "Redundancy"),
    ("Update the nursing care plan documentation for fall risk",
     IN, "Enhanced documentation"),
    # weaker
    ("Educate all nurses on the fall prevention policy", WK, "Training"),
    ("Re-educate staff on the importance of hand hygiene", WK, "Training"),
    ("Hold an in-service on the new bed alarm", WK, "Training"),
    ("Teach the new handover field at the unit's skills day", WK, "Training"),
    ("Complete an e-learning module on insulin safety", WK, "Training"),
    ("Revise the policy on patient identification", WK, "New procedure, memo or policy"),
    ("Send a memo to all prescribers about the new dosing guideline",
     WK, "New procedure, memo or policy"),
    ("Develop a new procedure for sponge counts", WK, "New procedure, memo or policy"),
    ("Add warning labels to the vials of concentrated heparin", WK, "Warning or label"),
    ("Label the look-alike vials in red", WK, "Warning or label"),
    ("Apply tall man lettering to hydrOXYzine and hydrALAZINE", WK, "Warning or label"),
    ("Require an independent double check of chemotherapy doses by two nurses",
     WK, "Double check"),
    ("Remind staff to scan the barcode before giving any medication", WK, "Reminder"),
    ("Remind physicians to document the indication for every antibiotic", WK, "Reminder"),
    ("Staff to be more vigilant when transferring patients", WK, "Reminder"),
    ("Audit compliance with the fall bundle monthly", WK, "Audit or monitoring"),
    ("Form a task force to study the causes of pressure injuries", WK, "Additional study"),
    ("Conduct a gap analysis of sepsis screening", WK, "Additional study"),
    ("Counsel the nurse involved about medication safety", WK, "Counselling or discipline"),
]
# fmt: on


def test_the_table_has_at_least_forty_texts():
    assert len(ACTIONS) >= 40
    assert {s for _, s, _ in ACTIONS} == {ST, IN, WK}


@pytest.mark.parametrize(
    ("text", "strength", "category"), ACTIONS, ids=[a[0][:40] for a in ACTIONS]
)
def test_suggestion_from_the_wording(text, strength, category):
    hint = suggest_strength(text)
    assert (hint.strength, hint.category) == (strength, category), hint
    assert hint.matched and hint.matched in text


def test_matched_words_are_quoted_as_typed():
    hint = suggest_strength("Use READ\nBACK for verbal orders")
    assert hint.matched == "READ\nBACK"
    assert suggest_strength("Use read–back (en dash)").matched == "read–back"


def test_no_suggestion_for_unknown_or_empty_text():
    assert suggest_strength("") == Suggestion()
    assert not suggest_strength("   ")
    assert not suggest_strength("Something about the weather")
    assert suggest_strength("Something").strength is None


def test_categories_cover_the_hierarchy():
    cats = categories()
    assert set(cats.values()) == {ST, IN, WK}
    for rule in strength_table().rules:
        assert rule.category in cats
    assert cats["Forcing function or engineering control"] == ST
    assert cats["Training"] == WK
    # Every category can be suggested by some phrase.
    assert {r.category for r in strength_table().rules} == set(cats)


def test_a_hospital_can_use_its_own_table(tmp_path):
    path = tmp_path / "mine.toml"
    path.write_text(
        '[categories]\n"Hard stop" = "stronger"\n\n'
        "[[rules]]\ncategory = \"Hard stop\"\nmatch = ['omnicell lock\\w*']\n",
        encoding="utf-8",
    )
    table = load_table(path)
    assert suggest_strength("Omnicell lockout for KCl", table) == Suggestion(
        ST, "Hard stop", "Omnicell lockout"
    )
    path.write_text('[categories]\n"X" = "strong"\n', encoding="utf-8")
    with pytest.raises(ValueError, match="strength 'strong'"):
        load_table(path)
    path.write_text('[categories]\n"X" = "weaker"\n[[rules]]\ncategory = "Y"\nmatch=[]\n')
    with pytest.raises(ValueError, match="'Y' is not in"):
        load_table(path)
    path.write_text('[categories]\n"X" = "weaker"\n[[rules]]\ncategory = "X"\nmatch=["(("]\n')
    with pytest.raises(ValueError, match="not a valid pattern"):
        load_table(path)


# --- plan checks -----------------------------------------------------------------------------


def cause(cid: int, text: str = "Handover template has no fall-risk field", **kw) -> Cause:
    return Cause(cid, 1, text, kind=kw.pop("kind", "root"), **kw)


def action(aid: int, *addresses: int, **kw) -> Action:
    """A complete action (one owner, due date, full measure, rated) unless a test says not."""
    fields = {
        "text": "Add a required fall-risk field to the electronic handover",
        "strength": "intermediate",
        "owner": "Priya Raman, Nursing Informatics Lead",
        "due": TODAY + dt.timedelta(days=30),
        "status": "open",
        "measure": Measure(
            "process",
            "Handovers with the field completed",
            "Weekly audit",
            "20 a week",
            "95%",
            TODAY + dt.timedelta(days=90),
        ),
    }
    fields.update(kw)
    return Action(aid, 1, addresses=tuple(addresses), **fields)


def plan(causes, actions) -> Dossier:
    return Dossier(Investigation(1, "t"), (), (), tuple(causes), (), tuple(actions), (), ())


def found(causes, actions, today=TODAY) -> list[tuple[str, str, int | None]]:
    return [(f.code, f.severity, f.subject) for f in plan_findings(plan(causes, actions), today)]


def test_a_complete_plan_has_no_findings():
    assert found([cause(1), cause(2)], [action(10, 1), action(11, 1, 2)]) == []


def test_no_action_is_an_error_on_the_cause():
    assert found([cause(1), cause(2)], [action(10, 1)]) == [("P-NO-ACTION", "error", 2)]
    message = plan_findings(plan([cause(2)], []), TODAY)[0].message
    assert "Handover template" in message and "write why" in message


def test_a_written_reason_clears_no_action():
    assert found([cause(2, no_action_reason="Already fixed by the 2025 EHR upgrade")], []) == []
    assert found([cause(2, no_action_reason="   ")], []) == [("P-NO-ACTION", "error", 2)]


def test_only_root_causes_need_actions():
    causes = [cause(1, kind="cause"), cause(2, kind="contributing"), cause(3, kind="event")]
    assert found(causes, []) == []


def test_an_action_leadership_refused_does_not_count():
    refused = action(10, 2, concurrence="do_not_concur", concurrence_reason="Too costly", due=None)
    findings = plan_findings(plan([cause(2)], [refused]), TODAY)
    assert [(f.code, f.subject) for f in findings] == [("P-NO-ACTION", 2)]  # no P-NO-DUE
    assert "did not concur" in findings[0].message


def test_weak_only_is_a_warning_that_a_reason_clears():
    weak = [action(10, 1, strength="weaker"), action(11, 1, strength="weaker")]
    assert found([cause(1)], weak) == [("P-WEAK-ONLY", "warning", 1)]
    assert found([cause(1, weak_only_reason="Device replacement funded for 2027")], weak) == []
    assert found([cause(1, weak_only_reason=" \n ")], weak) == [("P-WEAK-ONLY", "warning", 1)]
    mixed = [action(10, 1, strength="weaker"), action(11, 1, strength="stronger")]
    assert found([cause(1)], mixed) == []


def test_the_reason_asked_for_follows_the_live_actions():
    weak, strong = action(10, 1, strength="weaker"), action(11, 1, strength="stronger")
    refused = action(12, 1, strength="stronger", concurrence="do_not_concur")
    assert reason_asked([]) == reason_asked([refused]) == NO_ACTION_REASON
    assert reason_asked([weak]) == reason_asked([weak, refused]) == WEAK_ONLY_REASON
    assert reason_asked([weak, strong]) is None
    assert reason_asked([weak, action(13, 1, strength=None)]) is None  # rate it first


def test_weak_only_counts_only_rated_actions_as_weak():
    actions = [action(10, 1, strength="weaker"), action(11, 1, strength=None)]
    assert ("P-WEAK-ONLY", "warning", 1) not in found([cause(1)], actions)


@pytest.mark.parametrize(
    "owner",
    [
        "Falls committee",
        "Patient Safety Committee",
        "Quality team",
        "Pharmacy department",
        "Pharmacy",
        "4 West nursing staff",
        "Nursing",
        "Nursing management",
        "Nurse managers",
        "All staff",
        "Clinical Engineering",
        "IT",
        "Everyone on 4 West",
        "Pharmacy and Therapeutics Committee",
        "Night shift",
    ],
)
def test_group_owners_are_errors(owner):
    assert is_group_owner(owner)
    assert found([cause(1)], [action(10, 1, owner=owner)]) == [("P-GROUP-OWNER", "error", 10)]


@pytest.mark.parametrize(
    "owner",
    [
        "Dana Whitfield",
        "Priya Raman, Nursing Informatics Lead",
        "Dana Whitfield, Director of Clinical Engineering",
        "Maria Lopez, Nurse Educator",
        "Director of Nursing",
        "Falls committee chair",
        "Chief Nursing Officer",
        "Head of Pharmacy",
        "Pharmacy manager (J. Chen)",
        "Unit manager, 4 West",
        "Dr Tom Okafor",
        "Jane Doe RN",
    ],
)
def test_one_person_is_not_a_group(owner):
    assert not is_group_owner(owner)
    assert found([cause(1)], [action(10, 1, owner=owner)]) == []


@pytest.mark.parametrize(
    "owner",
    [
        "",
        "  ",
        "TBD",
        "TBD.",
        "tbd!",
        "T.B.D.",
        "(tbc)",
        "TBC",
        "tba?",
        "n/a",
        "N.A.",
        "n.a",
        "Unknown",
        "unknown.",
        "?",
        "-",
        "To be confirmed.",
        "TBD - ask the ward manager",
    ],
)
def test_a_missing_owner_is_an_error(owner):
    assert has_no_owner(owner)
    assert found([cause(1)], [action(10, 1, owner=owner)]) == [("P-NO-OWNER", "error", 10)]


@pytest.mark.parametrize("owner", ["Tbilisi Nadareishvili", "Nana Okafor", "Una Known"])
def test_a_name_is_not_a_missing_owner(owner):
    assert not has_no_owner(owner)
    assert found([cause(1)], [action(10, 1, owner=owner)]) == []


@pytest.mark.parametrize(
    "owner",
    [
        "Falls prevention group 4W",
        "Falls committee, 4 West",
        "Quality committee (4W)",
        "Medication safety team East",
        "Nursing council 2027",
        "Surgery department - North site",
        "Falls unit 4W",
        "Dr Okafor's team",
    ],
)
def test_group_owners_with_trailing_words_are_errors(owner):
    assert is_group_owner(owner)
    assert found([cause(1)], [action(10, 1, owner=owner)]) == [("P-GROUP-OWNER", "error", 10)]


@pytest.mark.parametrize(
    "owner",
    [
        "Dr Ana Group",
        "Dr. Ana Group, 4W",
        "Ana Group, RN",
        "Tim Teamson",
        "Prof Lee Council",
        "Falls prevention group lead, 4W",
        "Team leader 4W",
        "José Núñez",
        "4W",
    ],
)
def test_a_person_whose_name_has_a_group_word_is_not_a_group(owner):
    assert not is_group_owner(owner)
    assert found([cause(1)], [action(10, 1, owner=owner)]) == []


def test_no_due_date_is_an_error():
    assert found([cause(1)], [action(10, 1, due=None)]) == [("P-NO-DUE", "error", 10)]


def test_no_measure_is_an_error():
    assert found([cause(1)], [action(10, 1, measure=Measure())]) == [("P-NO-MEASURE", "error", 10)]
    blank = Measure("process", " \t ", "Weekly audit", "20", "95%", TODAY + dt.timedelta(days=60))
    assert found([cause(1)], [action(10, 1, measure=blank)]) == [("P-NO-MEASURE", "error", 10)]
    # A measure must at least say what is measured.
    vague = Measure(kind="process", target="95%", date=TODAY + dt.timedelta(days=60))
    assert found([cause(1)], [action(10, 1, measure=vague)]) == [("P-NO-MEASURE", "error", 10)]


def test_a_measure_without_target_or_date_is_a_warning():
    m = Measure("process", "Handovers with the field completed")
    findings = plan_findings(plan([cause(1)], [action(10, 1, measure=m)]), TODAY)
    assert [(f.code, f.severity) for f in findings] == [("P-MEASURE-INCOMPLETE", "warning")]
    assert "target or a date" in findings[0].message
    spaces = Measure("process", "Handovers with the field", "Audit", "20", "  ", TODAY)
    findings = plan_findings(plan([cause(1)], [action(10, 1, measure=spaces, due=TODAY)]), TODAY)
    assert [(f.code, f.message.rsplit(" ", 2)[-2:]) for f in findings] == [
        ("P-MEASURE-INCOMPLETE", ["a", "target"])
    ]


@pytest.mark.parametrize(
    ("days", "status", "overdue"),
    [
        (-1, "open", True),
        (-40, "in_progress", True),
        (-1, "done", False),
        (-1, "verified_effective", False),
        (-1, "not_effective", False),
        (0, "open", False),
        (1, "open", False),
    ],
)
def test_overdue_is_a_warning_on_open_actions(days, status, overdue):
    due = TODAY + dt.timedelta(days=days)
    m = Measure("process", "x", "", "", "95%", TODAY + dt.timedelta(days=60))
    got = found([cause(1)], [action(10, 1, due=due, status=status, measure=m)])
    assert got == ([("P-OVERDUE", "warning", 10)] if overdue else [])


def test_overdue_is_judged_against_the_given_day():
    a = action(10, 1, due=dt.date(2026, 12, 1))
    assert found([cause(1)], [a], today=dt.date(2026, 12, 1)) == []
    findings = plan_findings(plan([cause(1)], [a]), dt.date(2026, 12, 4))
    assert [f.code for f in findings] == ["P-OVERDUE"]
    assert "3 days ago" in findings[0].message and "2026-12-01" in findings[0].message


@pytest.mark.parametrize(("measure_days", "early"), [(29, True), (30, False), (31, False)])
def test_measuring_before_the_due_date_is_a_warning(measure_days, early):
    m = Measure("outcome", "Falls per 1,000 patient-days", "", "", "30% fewer")
    m = Measure(m.kind, m.what, m.how, m.sample, m.target, TODAY + dt.timedelta(measure_days))
    got = found([cause(1)], [action(10, 1, measure=m)])
    assert got == ([("P-MEASURE-EARLY", "warning", 10)] if early else [])


def test_an_unrated_action_gets_the_wordings_suggestion():
    a = action(10, 1, strength=None, text="Educate nurses about the bed alarm")
    findings = plan_findings(plan([cause(1)], [a]), TODAY)
    assert [(f.code, f.severity) for f in findings] == [("P-NO-STRENGTH", "warning")]
    assert "weaker: Training" in findings[0].message


def test_an_action_addressing_nothing_is_a_warning():
    assert found([cause(1)], [action(10, 1), action(11)]) == [("P-UNLINKED", "warning", 11)]


def test_one_action_can_carry_several_findings():
    bad = action(10, 1, owner="Quality team", due=None, measure=Measure(), strength="weaker")
    assert sorted(found([cause(1)], [bad])) == sorted(
        [
            ("P-WEAK-ONLY", "warning", 1),
            ("P-GROUP-OWNER", "error", 10),
            ("P-NO-DUE", "error", 10),
            ("P-NO-MEASURE", "error", 10),
        ]
    )


# --- summary ---------------------------------------------------------------------------------


def test_summary_counts_strengths_and_the_share_of_strong_root_causes():
    actions = [
        action(10, 1, strength="stronger"),
        action(11, 2, strength="weaker"),
        action(12, 2, strength="weaker"),
        action(13, 3, strength=None),
    ]
    d = plan([cause(1), cause(2), cause(3), cause(4, kind="cause")], actions)
    assert plan_summary(d) == (
        "4 actions: 1 stronger, 0 intermediate, 2 weaker, 1 not rated. "
        "1 of 3 root causes (33%) have a stronger or intermediate action."
    )
    counts = plan_counts(d)
    assert (counts.root_causes, counts.roots_strong) == (3, 1)
    assert counts.strong_share == pytest.approx(1 / 3)


def test_summary_without_root_causes_or_actions():
    assert plan_summary(plan([], [])) == (
        "0 actions: 0 stronger, 0 intermediate, 0 weaker. No root causes yet."
    )
    assert plan_summary(plan([cause(1)], [action(10, 1, strength="intermediate")])) == (
        "1 action: 0 stronger, 1 intermediate, 0 weaker. "
        "1 of 1 root cause (100%) has a stronger or intermediate action."
    )


def test_summary_ignores_actions_leadership_refused():
    refused = action(10, 1, strength="stronger", concurrence="do_not_concur")
    assert "0 of 1 root cause (0%)" in plan_summary(plan([cause(1)], [refused]))


def test_demo_plan_is_clean_and_summarised(service, demo_id):
    d = service.dossier(demo_id)
    assert [f for f in run_checks(d, TODAY) if f.code.startswith("P-")] == []
    assert plan_summary(d) == (
        "4 actions: 1 stronger, 2 intermediate, 1 weaker. "
        "3 of 3 root causes (100%) have a stronger or intermediate action."
    )
    # The wording of each demo action suggests the strength its author chose, or a stronger one.
    order = [Strength.WEAKER, Strength.INTERMEDIATE, Strength.STRONGER]
    for a in d.actions:
        hint = suggest_strength(a.text)
        assert hint, a.text
        assert order.index(hint.strength) >= order.index(a.strength), (a.text, hint)


# --- in the service and on the command line ------------------------------------------------


def test_plan_checks_are_among_the_dated_rules():
    assert plan_findings in DATED_RULES


def test_service_check_uses_the_cause_reasons(service):
    inv = service.create_investigation("Wrong-patient blood draw")
    root = service.add_cause(
        inv.id, "Labels printed in batches at the nurses' station", kind="root"
    )
    assert ("P-NO-ACTION", root.id) in {(f.code, f.subject) for f in service.check(inv.id)}
    root = service.update_cause(root.id, root.version, no_action_reason="Printer moved already")
    assert root.no_action_reason == "Printer moved already"
    assert "P-NO-ACTION" not in {f.code for f in service.check(inv.id)}
    entry = service.audit_entries(inv.id)[-1]
    assert (entry.field, entry.new) == ("no_action_reason", "Printer moved already")

    service.add_action(
        inv.id,
        "Remind staff to label at the bedside",
        addresses=[root.id],
        strength="weaker",
        owner="Phlebotomy team",
        due="2026-12-01",
    )
    codes = {f.code: f.severity for f in service.check(inv.id, today=dt.date(2026, 12, 5))}
    assert codes["P-WEAK-ONLY"] == "warning"
    assert codes["P-GROUP-OWNER"] == "error"
    assert codes["P-NO-MEASURE"] == "error"
    assert codes["P-OVERDUE"] == "warning"
    assert "P-OVERDUE" not in {f.code for f in service.check(inv.id, today=dt.date(2026, 11, 1))}
    root = service.get_cause(root.id)
    service.update_cause(root.id, root.version, weak_only_reason="Bedside printers ordered")
    assert "P-WEAK-ONLY" not in {f.code for f in service.check(inv.id)}


def test_rca_check_json_includes_plan_codes(db_path):
    doc = {
        "format": "rca-tui/1",
        "investigation": {"title": "Insulin overdose"},
        "causes": [
            {"id": "e", "text": "Patient given 10x insulin", "kind": "event"},
            {
                "id": "r1",
                "text": "Two insulin strengths stocked side by side",
                "kind": "root",
                "statement": "Two strengths side by side led to the wrong vial being picked, "
                "which increased the likelihood of the overdose.",
            },
            {
                "id": "r2",
                "text": "No pharmacy check of insulin at night",
                "kind": "root",
                "statement": "No night check led to the wrong dose going unnoticed, which "
                "increased the likelihood of the overdose.",
            },
        ],
        "links": [{"cause": "r1", "effect": "e"}, {"cause": "r2", "effect": "e"}],
        "actions": [
            {
                "addresses": ["r1"],
                "text": "Educate nurses on insulin strengths",
                "strength": "weaker",
                "owner": "Nursing education",
            },
        ],
    }
    runner = CliRunner()
    from rca_tui.cli import cli

    def rca(*args, input=None):
        return runner.invoke(cli, ["--db", str(db_path), "--user", "alice", *args], input=input)

    new_id = rca("import", "-", input=json.dumps(doc)).stdout.strip().splitlines()[-1]
    result = rca("check", new_id, "--json")
    assert result.exit_code == 0
    findings = json.loads(result.stdout)
    plan_codes = {(f["code"], f["severity"]) for f in findings if f["code"].startswith("P-")}
    assert plan_codes == {
        ("P-NO-ACTION", "error"),
        ("P-WEAK-ONLY", "warning"),
        ("P-GROUP-OWNER", "error"),
        ("P-NO-DUE", "error"),
        ("P-NO-MEASURE", "error"),
    }
    severities = [f["severity"] for f in findings]
    assert severities == sorted(severities, key=lambda s: s != "error")  # errors first
    text = rca("check", new_id).stdout
    no_action = next(ln for ln in text.splitlines() if "P-NO-ACTION" in ln)
    assert "[cause " in no_action
    assert "[action " in next(ln for ln in text.splitlines() if "P-NO-DUE" in ln)
    assert rca("check", new_id, "--fail-on", "error").exit_code == 1
