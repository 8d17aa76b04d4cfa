"""Cause codes in the exports: beside each action in the action-plan CSV and XLSX (the codes of
the root causes it addresses), a "Root causes" sheet with each root cause's codes, the GraphML
`codes` attribute, the DOT label, and the JSON format; on both backends (the codes are read by
the service)."""

from __future__ import annotations

import csv
import io

import pytest

from exports.graphs import node_id, to_dot, to_graphml
from exports.report import ACTION_COLUMNS, build_report, cause_ref
from exports.sheets import ROOT_CAUSE_COLUMNS, csv_action_plan, xlsx_action_plan
from models.interchange import to_document

BOTH_BACKENDS = True


@pytest.fixture
def coded(service):
    inv = service.create_investigation("Heparin mix-up", event_type="medication")
    ev = service.add_cause(inv.id, "Infant given 10,000 units/mL heparin", kind="event")
    vials = service.add_cause(
        inv.id, "Vials look alike", kind="root", effect_id=ev.id,
        codes=["TJC-MED.LASA", "TJC-MED.STORAGE"],
    )  # fmt: skip
    staff = service.add_cause(
        inv.id, "Night staff short", kind="root", effect_id=ev.id, codes=["LP-TASK"]
    )
    bare = service.add_cause(inv.id, "Label small", kind="root", effect_id=ev.id)
    service.add_action(inv.id, "Stock one strength", addresses=[vials.id, staff.id])
    service.add_action(inv.id, "Bigger labels", addresses=[bare.id])
    return service.dossier(inv.id), {"vials": vials.id, "staff": staff.id, "bare": bare.id}


def test_the_action_plan_csv_names_the_root_cause_codes(coded):
    dossier, ids = coded
    rows = list(csv.reader(io.StringIO(csv_action_plan(build_report(dossier)).decode("utf-8-sig"))))
    assert tuple(rows[0]) == ACTION_COLUMNS
    col = ACTION_COLUMNS.index("Root cause codes")
    assert col == ACTION_COLUMNS.index("Root cause(s) addressed") + 1
    v, s = cause_ref(ids["vials"]), cause_ref(ids["staff"])
    assert rows[1][col] == f"{v}: TJC-MED.LASA, TJC-MED.STORAGE; {s}: LP-TASK"
    assert rows[2][col] == ""  # its root cause has no code


def test_the_xlsx_has_the_codes_beside_each_action_and_a_root_causes_sheet(coded):
    from openpyxl import load_workbook

    dossier, ids = coded
    wb = load_workbook(io.BytesIO(xlsx_action_plan(build_report(dossier))))
    assert wb.sheetnames == ["Action plan", "Root causes", "About"]
    plan = wb["Action plan"]
    col = ACTION_COLUMNS.index("Root cause codes") + 1
    assert plan.cell(1, col).value == "Root cause codes"
    assert plan.cell(2, col).value.endswith(": LP-TASK")
    roots = wb["Root causes"]
    assert tuple(c.value for c in roots[1]) == ROOT_CAUSE_COLUMNS
    by_ref = {row[0].value: row[3].value for row in roots.iter_rows(min_row=2)}
    assert by_ref == {
        cause_ref(ids["vials"]): "TJC-MED.LASA, TJC-MED.STORAGE",
        cause_ref(ids["staff"]): "LP-TASK",
        cause_ref(ids["bare"]): None,  # an empty text cell reads back as nothing
    }


def test_graphml_dot_and_json_carry_the_codes(coded):
    import networkx as nx

    dossier, ids = coded
    g = nx.read_graphml(io.BytesIO(to_graphml(dossier)))
    assert g.nodes[node_id(ids["vials"])]["codes"] == "TJC-MED.LASA, TJC-MED.STORAGE"
    assert g.nodes[node_id(ids["bare"])]["codes"] == ""
    dot = to_dot(dossier)
    (line,) = [ln for ln in dot.splitlines() if ln.startswith(f'  "{node_id(ids["vials"])}" [')]
    assert "\\n[TJC-MED.LASA, TJC-MED.STORAGE]" in line
    (bare,) = [ln for ln in dot.splitlines() if ln.startswith(f'  "{node_id(ids["bare"])}" [')]
    assert "[" not in bare.split("label=")[1].split('"')[1]
    causes = {c["text"]: c for c in to_document(dossier)["causes"]}  # ids are the file's own
    assert causes["Night staff short"]["codes"] == ["LP-TASK"]
    assert causes["Vials look alike"]["codes"] == ["TJC-MED.LASA", "TJC-MED.STORAGE"]
    assert causes["Label small"]["codes"] == []
