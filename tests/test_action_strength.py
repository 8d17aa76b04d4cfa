"""The strength suggestion reads what an action does: its main verb and what the verb acts on.

Tuned on tests/data/actions_tuning.tsv (every line must read right). The held-out half,
bench/data/actions_heldout.tsv, is measured by bench/bench_strength.py and not tested here, so
that no one tunes the table to it; this file only checks that it exists and is well formed."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from models.rules.action_strength import (
    StrengthTable,
    Suggestion,
    categories,
    parse_table,
    suggest_strength,
)
from models.vocab import Strength


def load_table(path: Path) -> StrengthTable:
    """A table from a TOML file of the shipped shape (`action_strength.toml`, which a hospital
    may edit)."""
    return parse_table(tomllib.loads(path.read_text(encoding="utf-8")))

ROOT = Path(__file__).resolve().parent.parent
TUNING = ROOT / "tests" / "data" / "actions_tuning.tsv"
HELD_OUT = ROOT / "bench" / "data" / "actions_heldout.tsv"
ST, IN, WK = "stronger", "intermediate", "weaker"
FORCING = "Forcing function or engineering control"


def corpus(path: Path) -> list[tuple[str, str, str, str]]:
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            strength, category, text, source = line.split("\t")
            rows.append((strength, category, text, source))
    return rows


TUNED = corpus(TUNING)


# --- the corpus --------------------------------------------------------------------------------
def test_the_corpus_is_large_sourced_and_split_in_two():
    held_out = corpus(HELD_OUT)
    assert len(TUNED) + len(held_out) >= 200
    assert len(held_out) >= 100
    assert not {t for _, _, t, _ in TUNED} & {t for _, _, t, _ in held_out}
    cats = categories()
    for strength, category, text, source in TUNED + held_out:
        assert cats[category] == strength, text  # the label agrees with the hierarchy
        assert text.strip() and len(source) > 5, text
    for rows in (TUNED, held_out):
        assert {s for s, *_ in rows} == {ST, IN, WK}


@pytest.mark.parametrize(
    ("strength", "category", "text", "source"), TUNED, ids=[r[2][:45] for r in TUNED]
)
def test_every_tuning_action_gets_the_hierarchy_strength(strength, category, text, source):
    hint = suggest_strength(text)
    assert hint.strength == strength, (hint, source)
    assert hint.matched and hint.matched in text


def test_the_category_is_right_for_nearly_every_tuning_action():
    right = sum(suggest_strength(t).category == c for _, c, t, _ in TUNED)
    assert right / len(TUNED) >= 0.95


# --- the main verb decides, not a word inside a clause -----------------------------------------
# fmt: off
#: (action, strength, category): what the main verb and its object say.
VERB_CASES = [
    # what the action does, whatever the words around it name
    ("Remove heparin from the automated dispensing cabinets", ST, "Eliminate the hazard"),
    ("Remove adult-strength heparin from all neonatal units", ST, "Eliminate the hazard"),
    ("Add a second pharmacist to the night shift", IN, "More staff or less workload"),
    ("Remind staff to scan the barcode", WK, "Reminder"),
    ("Scan the barcode; remind staff at huddles", ST, FORCING),
    ("Educate staff about the new smart pumps with hard limits", WK, "Training"),
    ("Write a procedure for using the barcode scanners", WK, "New procedure, memo or policy"),
    ("Audit use of the surgical safety checklist every month", WK, "Audit or monitoring"),
    ("Give the nurse a written warning", WK, "Counselling or discipline"),
    ("Standardize the counting procedure", ST, "Standardize equipment or process"),
    # the object decides for a verb that says little by itself
    ("Install grab bars and night lights", ST, "Architectural or physical change"),
    ("Add a safety huddle checklist for the start of each shift", IN,
     "Checklist or cognitive aid"),
    ("Use a standardized I-PASS handoff at every shift change", IN,
     "Standardized communication tool"),
    ("Eliminate distractions in the med room", IN, "Remove distractions"),
    # what a clause after the object says the design does
    ("Use spinal needles with a non-Luer connector that cannot fit an intravenous syringe",
     ST, FORCING),
    ("Configure every bed so the exit alarm re-arms by itself", ST,
     FORCING),
    ("Remind nurses that the pumps cannot be started without a scan", WK, "Reminder"),
    ("Count sponges with a barcode system: closure waits until the count matches, or the "
     "procedure halts the case", ST, FORCING),
    # passive, "will", an opening phrase, a noun phrase alone
    ("Hydromorphone 10 mg/mL to be removed from all automated dispensing cabinets", ST,
     "Eliminate the hazard"),
    ("Pharmacy will stock only one strength of hydromorphone injection", ST,
     "Standardize equipment or process"),
    ("To prevent recurrence, remove promethazine injection from the formulary", ST,
     "Eliminate the hazard"),
    ("Family-activated rapid response team", IN, "Redundancy"),
    ("Supply vincristine only in a 50 mL minibag", ST,
     FORCING),
    ("Staff to be more vigilant when transferring patients", WK, "Reminder"),
    # who acts: two people checking, a leader, a maker
    ("Two nurses check the insulin dose before it is given", WK, "Double check"),
    ("Have two RNs independently calculate every high-risk dose", IN, "Redundancy"),
    ("CNO will round monthly on 4 West", ST, "Tangible leadership involvement"),
    ("The CNO will send a memo to all nurses", WK, "New procedure, memo or policy"),
    ("Ask the manufacturer to change the label and cap", IN,
     "Remove look-alike and sound-alike products"),
    ("Add warning labels to the vials", WK, "Warning or label"),
    ("Ask IT to add a weight field to the order screen", IN, "Software enhancement"),
    ("Ask all staff to check armbands before every procedure", WK, "Reminder"),
]
# fmt: on


@pytest.mark.parametrize(("text", "strength", "category"), VERB_CASES)
def test_the_main_verb_and_its_object_decide(text, strength, category):
    hint = suggest_strength(text)
    assert (hint.strength, hint.category) == (strength, category), hint
    assert hint.matched and hint.matched in text


def test_training_with_simulation_is_simulation_based():
    assert suggest_strength("TeamSTEPPS training with simulated emergencies").category == (
        "Simulation-based training"
    )
    assert suggest_strength("Train staff on the new pumps").category == "Training"


@pytest.mark.parametrize(
    "text",
    [
        "Review the case",
        "Follow up with the team",
        "Improve communication",
        "Look at the pumps",
        "Discuss with the team",
        "Make sure this does not happen again",
        "Something about the weather",
    ],
)
def test_not_sure_where_the_text_says_too_little(text):
    assert suggest_strength(text) == Suggestion()


def test_the_matched_words_are_quoted_as_typed():
    hint = suggest_strength("Use READ\nBACK for verbal orders")
    assert hint.matched == "READ\nBACK"
    assert suggest_strength("Use read–back (en dash)").matched == "read–back"
    assert suggest_strength("Remove heparin from the cabinets").matched == "Remove heparin"


def test_every_strength_is_a_strength_of_the_vocabulary():
    allowed = {s.value for s in Strength}
    assert {suggest_strength(t).strength for _, _, t, _ in TUNED} <= allowed


# --- a hospital's own table --------------------------------------------------------------------
def test_a_hospital_can_add_verbs_and_objects(tmp_path):
    path = tmp_path / "mine.toml"
    path.write_text(
        '[categories]\n"Hard stop" = "stronger"\n"Huddle" = "intermediate"\n\n'
        "[reading]\ncarriers = ['roll out']\n\n"
        "[[rules]]\ncategory = \"Hard stop\"\nmatch = ['omnicell lock\\w*']\n"
        "defaults = ['padlock']\n\n"
        "[[rules]]\ncategory = \"Huddle\"\nverbs = ['huddle']\n",
        encoding="utf-8",
    )
    table = load_table(path)
    assert suggest_strength("Roll out Omnicell lockout for KCl", table) == Suggestion(
        ST, "Hard stop", "Omnicell lockout"
    )
    assert suggest_strength("Padlocked the fridge", table).category == "Hard stop"
    assert suggest_strength("Huddle at 07:00 about the omnicell lockout", table).category == (
        "Huddle"
    )
    assert suggest_strength("Roll out something", table) == Suggestion()


def test_a_bad_verb_entry_is_named(tmp_path):
    path = tmp_path / "bad.toml"
    path.write_text(
        '[categories]\n"X" = "weaker"\n[[rules]]\ncategory = "X"\nverbs = ["re:(("]\n',
        encoding="utf-8",
    )
    with pytest.raises(ValueError, match="not a valid pattern"):
        load_table(path)
    path.write_text('[categories]\n"X" = "weaker"\n[[rules]]\ncategory = "X"\nrefines = ["Y"]\n')
    with pytest.raises(ValueError, match="'Y' is not in"):
        load_table(path)
