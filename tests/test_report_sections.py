"""The RCA2 sections kept as notes (lessons, strategies not taken, literature) and the other
people involved: validated, audited, refused after approval, carried by the dossier and JSON."""

from __future__ import annotations

import pytest

from models.errors import ConflictError, ValidationError
from models.review import FrozenError

BOTH_BACKENDS = True


def trail(service, inv_id, entity):
    return [(e.action, e.field, e.new) for e in service.audit_entries(inv_id) if e.entity == entity]


def test_notes_are_added_edited_and_removed_with_their_audit(service):
    inv = service.create_investigation("Wrong-patient transfusion")
    lesson = service.add_note(inv.id, "lesson", "Two identifiers at every bedside check")
    strategy = service.add_note(
        inv.id, "strategy", "Barcode wristbands on every unit", "Funded next fiscal year only"
    )
    service.add_note(inv.id, "Literature or evidence reviewed", "Joint Commission SEA 61")
    notes = service.list_notes(inv.id)
    assert [(n.kind, n.text, n.detail) for n in notes] == [
        ("lesson", "Two identifiers at every bedside check", ""),
        ("strategy", "Barcode wristbands on every unit", "Funded next fiscal year only"),
        ("literature", "Joint Commission SEA 61", ""),
    ]
    edited = service.update_note(strategy.id, strategy.version, detail="No budget this year")
    assert edited.detail == "No budget this year" and edited.version == strategy.version + 1
    with pytest.raises(ConflictError):
        service.update_note(strategy.id, strategy.version, detail="stale")
    service.delete_note(lesson.id)
    assert [n.kind for n in service.list_notes(inv.id)] == ["strategy", "literature"]
    assert trail(service, inv.id, "report_note") == [
        ("create", None, "Two identifiers at every bedside check"),
        ("update", "kind", "lesson"),
        ("create", None, "Barcode wristbands on every unit"),
        ("update", "kind", "strategy"),
        ("update", "detail", "Funded next fiscal year only"),
        ("create", None, "Joint Commission SEA 61"),
        ("update", "kind", "literature"),
        ("update", "detail", "No budget this year"),
        ("delete", None, None),
    ]
    assert service.verify_audit() is None  # the trail replays to the rows as they are


def test_a_strategy_not_taken_needs_its_reason_and_every_note_its_text(service):
    inv = service.create_investigation("Fall")
    with pytest.raises(ValidationError, match="reason not taken: is required"):
        service.add_note(inv.id, "strategy", "Bed alarms on every bed", "  ")
    with pytest.raises(ValidationError, match="text is required"):
        service.add_note(inv.id, "lesson", " ")
    with pytest.raises(ValidationError, match="kind: 'wish' is not one of"):
        service.add_note(inv.id, "wish", "More staff")
    note = service.add_note(inv.id, "strategy", "Bed alarms", "Alarm fatigue on the unit")
    with pytest.raises(ValidationError, match="reason not taken"):
        service.update_note(note.id, note.version, detail="")
    assert service.list_notes(inv.id)[0].detail == "Alarm fatigue on the unit"
    assert [e.entity for e in service.audit_entries(inv.id)].count("report_note") == 3


def test_people_involved_are_kept_in_order_and_audited(service):
    inv = service.create_investigation("Wrong-patient transfusion")
    a = service.add_person(inv.id, "  Harold Finch ", "Patient in bed 12 (received the unit)")
    service.add_person(inv.id, "Grace Hendricks", "Daughter, at the bedside")
    with pytest.raises(ValidationError, match="name: is required"):
        service.add_person(inv.id, " ")
    a = service.update_person(a.id, a.version, involvement="Patient in bed 12")
    people = service.list_people(inv.id)
    assert [(p.name, p.involvement) for p in people] == [
        ("Harold Finch", "Patient in bed 12"),
        ("Grace Hendricks", "Daughter, at the bedside"),
    ]
    service.delete_person(people[1].id)
    assert [p.name for p in service.list_people(inv.id)] == ["Harold Finch"]
    assert trail(service, inv.id, "involved_person")[-1] == ("delete", None, None)


def test_the_dossier_and_the_json_round_trip_carry_them(service):
    inv = service.create_investigation("Wrong-patient transfusion")
    service.add_note(inv.id, "lesson", "Check two identifiers")
    service.add_note(inv.id, "strategy", "Barcode scanning", "Not funded")
    service.add_person(inv.id, "Harold Finch", "Other patient")
    d = service.dossier(inv.id)
    assert [n.text for n in d.notes] == ["Check two identifiers", "Barcode scanning"]
    assert [p.name for p in d.people] == ["Harold Finch"]
    doc = service.export_document(inv.id)
    assert doc["notes"] == [
        {"kind": "lesson", "text": "Check two identifiers", "detail": ""},
        {"kind": "strategy", "text": "Barcode scanning", "detail": "Not funded"},
    ]
    assert doc["people"] == [{"name": "Harold Finch", "involvement": "Other patient"}]
    copy = service.import_document(doc)
    again = service.dossier(copy.id)
    assert [(n.kind, n.text, n.detail) for n in again.notes] == [
        (n.kind, n.text, n.detail) for n in d.notes
    ]
    assert [(p.name, p.involvement) for p in again.people] == [("Harold Finch", "Other patient")]


def test_a_file_without_the_sections_is_written_and_read_as_before(service):
    inv = service.create_investigation("Fall")
    doc = service.export_document(inv.id)
    assert "notes" not in doc and "people" not in doc
    assert service.dossier(service.import_document(doc).id).notes == ()


def test_approved_investigations_refuse_these_edits(service, person):
    from models.demo import add_demo

    service.add_user("rita", "reviewer")
    service.add_user("ivan", "investigator")
    ivan, rita = person(service, "ivan"), person(service, "rita")
    inv_id = add_demo(ivan).id
    note = ivan.add_note(inv_id, "lesson", "Handover needs a checklist")
    someone = ivan.add_person(inv_id, "Harold Finch", "Room-mate")
    inv = ivan.get_investigation(inv_id)
    inv = ivan.submit_for_review(inv.id, inv.version)
    for a in rita.list_actions(inv.id):
        rita.record_concurrence(a.id, a.version, "concur")
    rita.approve(inv.id, inv.version, "Strong plan")
    with pytest.raises(FrozenError):
        ivan.add_note(inv_id, "lesson", "Too late")
    with pytest.raises(FrozenError):
        ivan.update_note(note.id, note.version, text="Too late")
    with pytest.raises(FrozenError):
        ivan.delete_note(note.id)
    with pytest.raises(FrozenError):
        ivan.add_person(inv_id, "Another Name")
    with pytest.raises(FrozenError):
        ivan.update_person(someone.id, someone.version, name="Changed")
    with pytest.raises(FrozenError):
        ivan.delete_person(someone.id)
    assert [n.text for n in ivan.list_notes(inv_id)] == ["Handover needs a checklist"]


def test_an_imported_strategy_not_taken_needs_its_reason(service):
    from models.errors import ImportFormatError

    inv = service.create_investigation("Fall")
    doc = service.export_document(inv.id)
    doc["notes"] = [{"kind": "strategy", "text": "Bed alarms", "detail": " "}]
    with pytest.raises(ImportFormatError, match=r"notes\[0\]\.detail: a strategy not taken"):
        service.import_document(doc)
    doc["notes"] = [{"kind": "wish", "text": "More staff"}]
    with pytest.raises(ImportFormatError, match=r"notes\[0\]\.kind: Input should be .lesson."):
        service.import_document(doc)
    assert len(service.list_investigations()) == 1  # nothing half-imported
