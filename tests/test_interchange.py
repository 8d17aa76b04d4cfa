"""The JSON format: complete, validated, all-or-nothing, and stable across a round trip."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from models.errors import ImportFormatError
from models.interchange import FORMAT, parse_document
from models.service import open_service

HOSTILE = [
    "[bold]x[/]",
    "[/]",
    "[red]",
    "\x1b[31mred\x1b[0m",
    "\x00\x07\x1b",
    "🙂👩🏽‍⚕️",
    "患者の転倒",
    "<script>alert(1)</script>",
    '=HYPERLINK("http://x")',
    "line\nbreak\r\n",
]

texts = st.one_of(
    st.text(max_size=40),
    st.sampled_from(HOSTILE),
    st.builds(lambda a, b: a + b, st.sampled_from(HOSTILE), st.text(max_size=10)),
)
big_texts = st.one_of(texts, st.just("長" * 100_000), st.just("[b]" * 34_000))
nonblank = texts.filter(lambda s: s.strip() != "")

#: The tests that take `service` run on a SQLite file and on a PostgreSQL server.
BOTH_BACKENDS = True


def strip_volatile(doc: dict) -> dict:
    return {k: v for k, v in doc.items() if k not in ("exported_at", "exported_by")}


@st.composite
def documents(draw):
    n = draw(st.integers(min_value=1, max_value=12))
    causes = []
    for i in range(n):
        causes.append(
            {
                "id": f"k{i}" if draw(st.booleans()) else i,
                "text": draw(nonblank),
                "category": draw(st.one_of(st.none(), texts)),
                "kind": "event"
                if i == 0
                else draw(st.sampled_from(["cause", "root", "contributing"])),
                "evidence": draw(big_texts),
                "statement": draw(texts),
            }
        )
    links = set()
    for i in range(1, n):
        # Only point at an earlier cause: a DAG by construction.
        for j in draw(st.sets(st.integers(0, i - 1), max_size=2)):
            links.add((i, j))
    ids = [c["id"] for c in causes]
    return {
        "format": FORMAT,
        "investigation": {
            "title": draw(nonblank),
            "description": draw(big_texts),
            "occurred_at": "2026-11-03T14:20:00",
            "chartered_at": draw(st.sampled_from([None, "2026-11-05T10:00:00"])),
            "unit": draw(texts),
            "event_type": draw(st.sampled_from(["fall", "medication", None])),
            "report_type": draw(st.sampled_from(["incident", "near_miss", None])),
            "harm": draw(st.sampled_from(["death", "none", None])),
            "severity_actual": draw(st.sampled_from(["major", "minor", None])),
            "severity_potential": draw(st.sampled_from(["catastrophic", None])),
            "probability": draw(st.sampled_from(["frequent", "remote", None])),
            "status": "analysis",
            "patient_name": draw(texts),
            "patient_mrn": draw(texts),
            "patient_dob": "1945-05-14",
        },
        "team": [{"name": draw(nonblank), "role": "facilitator"}],
        "timeline": [{"at": None, "happened": draw(nonblank), "should_have": draw(texts)}],
        "causes": causes,
        "links": [{"cause": ids[a], "effect": ids[b]} for a, b in sorted(links)],
        "actions": [
            {
                "addresses": [ids[-1]],
                "text": draw(nonblank),
                "strength": "stronger",
                "owner": draw(texts),
                "due": "2027-01-31",
                "measure": {"kind": "process", "what": draw(texts), "target": "95%"},
                "status": "open",
            }
        ],
    }


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(documents())
def test_round_trip_is_stable_and_exact(doc):
    with tempfile.TemporaryDirectory() as tmp:
        svc = open_service(Path(tmp) / "rca.db", user="t")
        try:
            first = svc.export_document(svc.import_document(doc).id)
            second = svc.export_document(svc.import_document(json.dumps(first)).id)
            assert strip_volatile(first) == strip_volatile(second)
            # Texts come back exactly as given (titles are trimmed of outer spaces).
            assert [c["text"] for c in first["causes"]] == [c["text"] for c in doc["causes"]]
            assert first["investigation"]["description"] == doc["investigation"]["description"]
            assert first["investigation"]["title"] == doc["investigation"]["title"].strip()
            assert len(first["links"]) == len(doc["links"])
        finally:
            svc.db.dispose()


def test_demo_round_trip_keeps_every_section(service, demo_id):
    first = service.export_document(demo_id)
    assert first["format"] == "rca-tui/2"
    for key in (
        "title",
        "description",
        "occurred_at",
        "unit",
        "event_type",
        "report_type",
        "harm",
        "severity_actual",
        "severity_potential",
        "probability",
        "sac_score",
        "status",
        "patient_name",
        "patient_mrn",
        "patient_dob",
    ):
        assert key in first["investigation"], key
    assert first["investigation"]["sac_score"] == 3
    assert {c["kind"] for c in first["causes"]} == {"event", "cause", "contributing", "root"}
    action = first["actions"][0]
    assert set(action) >= {"addresses", "text", "strength", "owner", "due", "measure", "status"}
    assert all(a.startswith("c") for a in action["addresses"])
    second = service.export_document(service.import_document(first).id)
    assert strip_volatile(first) == strip_volatile(second)


def base_doc() -> dict:
    return {
        "format": FORMAT,
        "investigation": {"title": "Fall"},
        "causes": [
            {"id": "e", "text": "Fell", "kind": "event"},
            {"id": "a", "text": "Alarm off"},
        ],
        "links": [{"cause": "a", "effect": "e"}],
        "actions": [{"addresses": ["a"], "text": "Auto re-arm"}],
    }


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda d: d.update(format="rca-tui/9"), "format: 'rca-tui/9' was written by a newer"),
        (lambda d: d.update(format="other"), "format: expected 'rca-tui/2'"),
        (lambda d: d["investigation"].pop("title"), "investigation.title: Field required"),
        (lambda d: d["investigation"].update(title="  "), "investigation.title: is required"),
        (lambda d: d["investigation"].update(harm="bad"), "investigation.harm: Input should be"),
        (
            lambda d: d["investigation"].update(occurred_at="03/11/2026"),
            "investigation.occurred_at",
        ),
        (lambda d: d["investigation"].update(colour="red"), "investigation.colour: Extra inputs"),
        (lambda d: d["causes"][1].update(kind="reason"), "causes[1].kind: Input should be"),
        (lambda d: d["causes"][1].update(id="e"), "causes[1].id: duplicate cause id 'e'"),
        (lambda d: d["links"].append({"cause": "a", "effect": "zz"}), "links[1].effect: no cause"),
        (
            lambda d: d["links"].append({"cause": "e", "effect": "a"}),
            "links: the links form a circle: e -> a -> e",
        ),
        (lambda d: d["links"].append({"cause": "a", "effect": "a"}), "links[1]: a cause cannot"),
        (lambda d: d["links"].append({"cause": "a", "effect": "e"}), "links[1]: duplicate link"),
        (lambda d: d["actions"][0].update(addresses=["q"]), "actions[0].addresses[0]: no cause"),
        (lambda d: d["actions"][0].update(strength="strong"), "actions[0].strength"),
        (lambda d: d["causes"][0].update(text="x" * 1_000_001), "causes[0].text: text too long"),
        (lambda d: d["causes"][1].update(text="   "), "causes[1].text: is required"),
        (lambda d: d["investigation"].update(unit="u" * 2001), "investigation.unit: too long"),
        (lambda d: d.update(timeline=[{"happened": " "}]), "timeline[0].happened: is required"),
        (lambda d: d.update(format="rca-tui/0"), "format: expected 'rca-tui/2'"),
    ],
)
def test_bad_documents_are_refused_with_the_path(service, mutate, message):
    doc = base_doc()
    mutate(doc)
    with pytest.raises(ImportFormatError) as info:
        service.import_document(doc)
    assert message in info.value.message
    assert "\n" not in info.value.message
    assert service.list_investigations() == []


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (b"\xff\xfe", "not UTF-8"),
        ("{", "not JSON"),
        ("[]", "expected a JSON object"),
    ],
)
def test_unreadable_files_are_refused(raw, message):
    with pytest.raises(ImportFormatError, match=message):
        parse_document(raw)


def test_nothing_is_half_imported(service, backend, monkeypatch):
    """A failure while writing rows rolls the whole import back, audit entries included (on a
    SQLite file the sqlite3 writer's, `models.sqlite_import`; on PostgreSQL the ORM's)."""
    import models.service.documents as svc_mod
    import models.sqlite_import as fast_mod

    calls = {"n": 0}
    if backend == "sqlite":
        owner, name = fast_mod._Writer, "insert"
        real = fast_mod._Writer.insert

        def failing(self, table, given):
            if table != "causal_link":  # the causes are written, then the links fail
                return real(self, table, given)
            calls["n"] += 1
            raise RuntimeError("disk pulled out")

    else:
        owner, name = svc_mod, "_insert_returning_ids"
        real = svc_mod._insert_returning_ids

        def failing(tx, table, rows):
            if table.name != "causal_link":  # the causes are written, then the links fail
                return real(tx, table, rows)
            calls["n"] += 1
            raise RuntimeError("disk pulled out")

    service.create_investigation("Existing")
    audit_before = len(service.audit_entries())
    monkeypatch.setattr(owner, name, failing)
    with pytest.raises(RuntimeError):
        service.import_document(base_doc())
    monkeypatch.setattr(owner, name, real)
    assert calls["n"] == 1
    assert [i.title for i in service.list_investigations()] == ["Existing"]
    assert len(service.audit_entries()) == audit_before
    assert service.verify_audit() is None
    # and the same document imports fine afterwards
    assert service.import_document(base_doc()).title == "Fall"


def test_sentinel_is_derived_when_absent(service):
    doc = base_doc()
    doc["investigation"].update(report_type="incident", harm="death")
    assert service.import_document(doc).sentinel is True
    doc["investigation"]["sentinel"] = False  # an explicit answer wins
    assert service.import_document(doc).sentinel is False


def test_every_ncc_merp_category_imports_and_round_trips(service):
    for category in "ABCDEFGHI":
        doc = base_doc()
        doc["investigation"].update(event_type="medication", ncc_merp=category)
        inv = service.import_document(doc)
        assert inv.ncc_merp == category
        assert service.export_document(inv.id)["investigation"]["ncc_merp"] == category


def test_import_scores_an_incident_on_the_higher_severity(service):
    doc = base_doc()
    doc["investigation"].update(
        report_type="incident",
        severity_actual="minor",
        severity_potential="catastrophic",
        probability="remote",
    )
    assert service.import_document(doc).sac_score == 3
    # A file from an older release scored the incident on its actual severity alone: the score
    # is computed again, not taken from the file.
    doc["investigation"]["sac_score"] = 1
    assert service.import_document(doc).sac_score == 3


def test_reading_a_document_needs_no_networkx():
    """A cold `rca import` checks the links with the standard library; networkx (about 80 ms
    to import) is loaded only to name a circle in the error."""
    import subprocess
    import sys

    code = (
        "import json, sys; from models.interchange import parse_document;"
        f"parse_document(json.loads({json.dumps(json.dumps(base_doc()))}));"
        "print('networkx' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "False"
