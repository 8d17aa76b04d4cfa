"""The RCA2 report sections no other aggregate holds, and the other people involved.

Notes (`vocab.NoteKind`): lessons learned, risk-reduction strategies considered and not taken
(a strategy needs the reason it was not taken), literature and evidence reviewed. People: the
name and role of someone involved who is neither the patient nor on the team; de-identified
copies scrub their names (`exports.deidentify`). Each list keeps the order entries were added.
Every change is one transaction with its audit entries, refused once the investigation is
approved, like every other edit.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlmodel import col

from models import values
from models.domain import InvolvedPerson, ReportNote
from models.errors import ValidationError
from models.service.core import UnitOfWork, short
from models.tables import InvolvedPersonRow, ReportNoteRow
from models.vocab import NoteKind


def _check_note(kind: str, data: dict[str, Any]) -> None:
    """A note needs its text; a strategy not taken needs the reason it was not taken."""
    if not data.get("text", "").strip():
        raise ValidationError(f"{NoteKind(kind).label.lower()}: text is required")
    if kind == NoteKind.STRATEGY and not data.get("detail", "").strip():
        raise ValidationError("reason not taken: is required for a strategy not taken")


def list_notes(uow: UnitOfWork, investigation_id: int) -> list[ReportNote]:
    with uow.read() as s:
        return notes_in(s, investigation_id)


def notes_in(s: Any, investigation_id: int) -> list[ReportNote]:
    rows = s.execute(
        select(ReportNoteRow)
        .where(col(ReportNoteRow.investigation_id) == investigation_id)
        .order_by(col(ReportNoteRow.position), col(ReportNoteRow.id))
    ).scalars()
    return [ReportNote.from_row(r) for r in rows]


def add_note(
    uow: UnitOfWork, investigation_id: int, kind: str, text: str, detail: str = ""
) -> ReportNote:
    data = values.normalise(values.REPORT_NOTE, {"kind": kind, "text": text, "detail": detail})
    _check_note(data["kind"], data)
    with uow.write() as tx:
        uow.writable(tx.s, investigation_id)
        position = uow.next_position(tx.s, ReportNoteRow, investigation_id)
        row = ReportNoteRow(investigation_id=investigation_id, position=position, **data)
        tx.s.add(row)
        tx.s.flush()
        tx.created(investigation_id, "report_note", row)
        uow.touch(tx, investigation_id)
        return ReportNote.from_row(row)


def update_note(uow: UnitOfWork, note_id: int, version: int | None, **changes: Any) -> ReportNote:
    data = values.normalise(values.REPORT_NOTE, changes)
    with uow.write() as tx:
        row = uow.get(tx.s, ReportNoteRow, note_id, "report note")
        uow.writable(tx.s, row.investigation_id)
        uow.check_version(tx.s, row, version, f"The note '{short(row.text)}'")
        merged = {"text": row.text, "detail": row.detail, **data}
        _check_note(data.get("kind", row.kind), merged)
        if uow.apply(tx, row, data, row.investigation_id, "report_note"):
            tx.s.flush()
            uow.touch(tx, row.investigation_id)
        return ReportNote.from_row(row)


def delete_note(uow: UnitOfWork, note_id: int) -> None:
    uow.delete_simple(ReportNoteRow, note_id, "report note", "report_note", "text")


def list_people(uow: UnitOfWork, investigation_id: int) -> list[InvolvedPerson]:
    with uow.read() as s:
        return people_in(s, investigation_id)


def people_in(s: Any, investigation_id: int) -> list[InvolvedPerson]:
    rows = s.execute(
        select(InvolvedPersonRow)
        .where(col(InvolvedPersonRow.investigation_id) == investigation_id)
        .order_by(col(InvolvedPersonRow.position), col(InvolvedPersonRow.id))
    ).scalars()
    return [InvolvedPerson.from_row(r) for r in rows]


def add_person(
    uow: UnitOfWork, investigation_id: int, name: str, involvement: str = ""
) -> InvolvedPerson:
    data = values.normalise(values.INVOLVED_PERSON, {"name": name, "involvement": involvement})
    with uow.write() as tx:
        uow.writable(tx.s, investigation_id)
        position = uow.next_position(tx.s, InvolvedPersonRow, investigation_id)
        row = InvolvedPersonRow(investigation_id=investigation_id, position=position, **data)
        tx.s.add(row)
        tx.s.flush()
        tx.created(investigation_id, "involved_person", row)
        uow.touch(tx, investigation_id)
        return InvolvedPerson.from_row(row)


def update_person(
    uow: UnitOfWork, person_id: int, version: int | None, **changes: Any
) -> InvolvedPerson:
    data = values.normalise(values.INVOLVED_PERSON, changes)
    with uow.write() as tx:
        row = uow.get(tx.s, InvolvedPersonRow, person_id, "person involved")
        uow.writable(tx.s, row.investigation_id)
        uow.check_version(tx.s, row, version, "This person involved")
        if uow.apply(tx, row, data, row.investigation_id, "involved_person"):
            tx.s.flush()
            uow.touch(tx, row.investigation_id)
        return InvolvedPerson.from_row(row)


def delete_person(uow: UnitOfWork, person_id: int) -> None:
    uow.delete_simple(InvolvedPersonRow, person_id, "person involved", "involved_person", "name")
