"""Cause codes: the seed, a hospital's own codes, retirement, codes on causes (audited, in the
dossier, in the JSON format), the R-NO-CODE warning, and picking codes in the cause dialog."""

from __future__ import annotations

import datetime as dt

import pytest

from models import codes
from models.errors import ImportFormatError, NotFoundError, ValidationError
from models.interchange import FORMAT

BOTH_BACKENDS = True
TODAY = dt.date(2026, 11, 30)


def test_seed_names_its_source_and_has_two_levels():
    seed = codes.seed()
    assert "Joint Commission" in seed.source and "London Protocol" in seed.source
    keys = {c.key: c for c in seed.codes}
    for key in ("TJC-HF", "TJC-COMM", "TJC-MED", "TJC-HIT", "LP-PATIENT", "LP-INST"):
        assert keys[key].level == "category"
    assert keys["TJC-MED.LASA"].parent == "TJC-MED"
    assert keys["TJC-MED.LASA"].top == "TJC-MED"
    # every preset bone maps to a top-level code that exists
    from models.vocab import EIGHT_M, LONDON_PROTOCOL

    for bone in (*LONDON_PROTOCOL, *EIGHT_M):
        assert keys[codes.bone_code(bone)].level == "category", bone


def test_filter_matches_every_word():
    found = [c.key for c in codes.matching(codes.seed().codes, "look alike")]
    assert found == ["TJC-MED", "TJC-MED.LASA"]  # the definition of TJC-MED names them too
    assert codes.matching(codes.seed().codes, "zzz-nothing") == []


def test_hospital_code_retire_and_delete(service):
    code = service.add_code("TJC-MED.HEPARIN", "Heparin concentration", "Vials of two strengths")
    assert code.parent == "TJC-MED"
    listed = [c.key for c in service.list_codes()]
    # a detail sits under its category
    assert listed.index("TJC-MED.HEPARIN") == listed.index("TJC-MED.STORAGE") + 1
    with pytest.raises(ValidationError, match="already exists"):
        service.add_code("TJC-MED.HEPARIN", "again")
    with pytest.raises(ValidationError, match="not a category"):
        service.add_code("NOPE.X", "x")
    inv = service.create_investigation("Heparin")
    cause = service.add_cause(inv.id, "Two strengths side by side", kind="root")
    service.set_cause_codes(cause.id, ["TJC-MED.HEPARIN"])
    with pytest.raises(ValidationError, match="retire it instead"):
        service.delete_code("TJC-MED.HEPARIN")
    with pytest.raises(ValidationError, match="seed code"):
        service.delete_code("TJC-HF")
    service.retire_code("TJC-MED.HEPARIN")
    retired = {c.key: c for c in service.list_codes()}["TJC-MED.HEPARIN"]
    assert retired.retired
    # kept on the cause that has it; refused to another
    other = service.add_cause(inv.id, "Another", kind="root")
    with pytest.raises(ValidationError, match="retired"):
        service.set_cause_codes(other.id, ["TJC-MED.HEPARIN"])
    service.set_cause_codes(cause.id, ["TJC-MED.HEPARIN", "TJC-ENV"])
    assert service.codes_of(cause.id) == ("TJC-ENV", "TJC-MED.HEPARIN")
    # an unused hospital code may go
    service.add_code("TJC-ENV.NOISE", "Noise")
    service.delete_code("TJC-ENV.NOISE")
    assert "TJC-ENV.NOISE" not in {c.key for c in service.list_codes()}
    with pytest.raises(NotFoundError):
        service.retire_code("TJC-ENV.NOISE")


def test_investigator_cannot_add_codes(service, person):
    nurse = person(service, "nurse1")
    from models.review import RoleError

    with pytest.raises(RoleError):
        nurse.add_code("TJC-HF.X", "x")


def test_codes_on_a_cause_are_audited_and_in_the_dossier(service):
    inv = service.create_investigation("Fall")
    cause = service.add_cause(inv.id, "Alarm off", kind="root", codes=["lp-task"])
    assert service.cause_codes(inv.id) == {cause.id: ("LP-TASK",)}
    service.update_cause(cause.id, None, codes=["TJC-ENV", "LP-TASK"])
    entries = [e for e in service.audit_entries(inv.id) if e.field == "codes"]
    assert [(e.old, e.new) for e in entries] == [
        (None, "LP-TASK"),
        ("LP-TASK", "LP-TASK, TJC-ENV"),
    ]
    assert service.dossier(inv.id).cause_codes == {cause.id: ("LP-TASK", "TJC-ENV")}
    with pytest.raises(ValidationError, match="no cause code"):
        service.set_cause_codes(cause.id, ["MADE-UP"])
    assert service.audit_check().problem is None


def test_r_no_code_warns_for_root_causes_only(service):
    inv = service.create_investigation("Fall")
    ev = service.add_cause(inv.id, "Fell", kind="event")
    root = service.add_cause(inv.id, "Alarm re-arm", kind="root", effect_id=ev.id)
    service.add_cause(inv.id, "A cause", effect_id=ev.id)
    found = [(f.code, f.severity, f.subject) for f in service.check(inv.id, TODAY)]
    assert ("R-NO-CODE", "warning", root.id) in found
    assert [f for f in found if f[0] == "R-NO-CODE"] == [("R-NO-CODE", "warning", root.id)]
    service.set_cause_codes(root.id, ["LP-TASK"])
    assert "R-NO-CODE" not in {f.code for f in service.check(inv.id, TODAY)}


def test_codes_travel_in_json_and_version_1_still_imports(service, demo_id):
    doc = service.export_document(demo_id)
    assert doc["format"] == FORMAT == "rca-tui/2"
    by_text = {c["text"]: c["codes"] for c in doc["causes"]}
    assert by_text["Delirium screening (CAM) is not scheduled on night shift"] == [
        "TJC-ASSESS",
        "TJC-HIT",
    ]
    again = service.import_document(doc)
    assert sorted(service.cause_codes(again.id).values()) == sorted(
        service.cause_codes(demo_id).values()
    )
    v1 = {**doc, "format": "rca-tui/1"}
    v1["causes"] = [{k: v for k, v in c.items() if k != "codes"} for c in doc["causes"]]
    old = service.import_document(v1)
    assert service.cause_codes(old.id) == {}
    bad = {**doc}
    bad["causes"] = [dict(c) for c in doc["causes"]]
    bad["causes"][5]["codes"] = ["ELSEWHERE-1"]
    with pytest.raises(ImportFormatError, match=r"causes\[5\]\.codes\[0\]: there is no cause"):
        service.import_document(bad)


async def test_cause_dialog_filters_codes_and_shows_the_definition(service, demo_id):
    from textual.widgets import Input, SelectionList, Static

    from rca_tui.app import make_app
    from screens.cause_dialog import CauseDialog
    from screens.widgets.fishbone import FishboneView

    root = next(c for c in service.list_causes(demo_id) if c.kind == "root")
    before = service.codes_of(root.id)
    app = make_app(service, today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        app.open_investigation(demo_id)
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.press("f")
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        app.screen.query_one(FishboneView).select_cause(root.id)
        await pilot.pause()
        await pilot.press("e")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, CauseDialog)
        listing = dialog.query_one("#codes", SelectionList)
        assert set(listing.selected) == set(before)
        dialog.query_one("#code-filter", Input).focus()
        await pilot.press(*"look alike")
        await pilot.pause()
        keys = [listing.get_option_at_index(i).value for i in range(listing.option_count)]
        assert "TJC-MED.LASA" in keys
        listing.focus()
        await pilot.pause()
        listing.highlighted = keys.index("TJC-MED.LASA")
        await pilot.pause()
        definition = str(dialog.query_one("#code-definition", Static).render())
        assert "look or sound alike" in definition
        await pilot.press("space")
        await pilot.pause()
        # picked is said in words, not only by the box's colour
        assert "TJC-MED.LASA" in str(dialog.query_one("#codes-chosen", Static).render())
        lasa = keys.index("TJC-MED.LASA") - listing.scroll_offset.y
        assert listing.render_line(lasa).text.split()[:2] == ["[x]", "TJC-MED.LASA"]
        assert listing.render_line(0 if lasa else 1).text.startswith("[ ] ")
        await pilot.press("ctrl+s")
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
    assert service.codes_of(root.id) == tuple(sorted({*before, "TJC-MED.LASA"}))


def test_new_cause_on_a_preset_bone_starts_with_its_code():
    from screens.cause_dialog import CauseDialog
    from screens.dialogs import Saver

    dialog = CauseDialog(
        ["Patient", "Team (incl. communication)"],
        save=Saver(lambda values, version: None),
        category="Team (incl. communication)",
        codes=codes.seed().codes,
    )
    assert dialog.chosen == {"LP-TEAM"}


def test_codes_are_in_the_reports(service, demo_id):
    from exports import render_formats

    out = render_formats(service.dossier(demo_id), ["md", "html"])
    line = "Cause codes: C6 LP-ORG, TJC-ENV; C8 TJC-COMM.HANDOFF; C9 TJC-ASSESS, TJC-HIT"
    assert line in out["md"]
    assert f"<p>{line}</p>" in out["html"]
    from exports.document import Para, outline
    from exports.report import build_report

    report = build_report(service.dossier(demo_id), findings=[])
    texts = [r.text for b in outline(report) if isinstance(b, Para) for r in b.runs]
    assert line in texts  # the DOCX and the PDF print the same line


def test_rca_codes(url_for, service, monkeypatch):
    import json
    import re

    from click.testing import CliRunner

    import rca_tui.cli
    from rca_tui.cli import cli

    monkeypatch.setattr(rca_tui.cli, "os_login", lambda: "alice")  # the admin (SQLite)

    runner = CliRunner()
    db = url_for("alice")

    def rca(*args):
        return runner.invoke(cli, ["--db", db, *args])

    listed = rca("codes", "list", "--json")
    assert listed.exit_code == 0, listed.output
    keys = [c["key"] for c in json.loads(listed.output)]
    assert keys[:2] == ["TJC-HF", "TJC-HF.STAFFING"]
    out = rca("codes", "add", "TJC-MED.HEPARIN", "Heparin strengths", "--definition", "Two vials")
    assert out.exit_code == 0 and out.output.strip() == "TJC-MED.HEPARIN"
    assert rca("codes", "retire", "TJC-MED.HEPARIN").output.strip() == "TJC-MED.HEPARIN retired"
    assert "TJC-MED.HEPARIN" not in rca("codes", "list").output
    assert re.search(
        r"TJC-MED.HEPARIN +Heparin strengths \(retired\)", rca("codes", "list", "--all").output
    )
    again = rca("codes", "retire", "TJC-MED.HEPARIN", "--undo")
    assert again.output.strip() == "TJC-MED.HEPARIN in use again"
    bad = rca("codes", "add", "bad key!", "x")
    assert bad.exit_code == 1 and "is not a code key" in bad.output
