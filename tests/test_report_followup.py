"""The follow-up section in every report: each action's implementation, results against the
target and verdict, and when and how the reporter was told; scrubbed in a de-identified copy."""

from __future__ import annotations

import datetime as dt

import pytest

from exports.document import Heading, Table, outline
from exports.html import html_report
from exports.markdown import markdown_report
from exports.report import build_report
from models.demo import add_demo


@pytest.fixture
def followed_up(service, person):
    """The demo, approved; action 2 done with two results, a verdict; the reporter told."""
    service.add_user("rita", "reviewer")
    ivan, rita = person(service, "ivan"), person(service, "rita")
    inv = add_demo(ivan)
    inv = ivan.submit_for_review(inv.id, inv.version)
    for a in rita.list_actions(inv.id):
        rita.record_concurrence(a.id, a.version, "concur")
    rita.approve(inv.id, inv.version)
    name = rita.get_investigation(inv.id).patient_name
    a = rita.list_actions(inv.id)[1]
    on = a.measure.date
    rita.record_implementation(a.id, a.version, started_on=a.due, done_on=a.due, today=on)
    rita.add_measurement(a.id, taken_on=on, numerator=47, denominator=50, today=on)
    rita.add_measurement(a.id, taken_on=on, value=96, note=f"Audit incl. {name}", today=on)
    rita.record_effectiveness(a.id, None, "effective", f"Two audits over target, {name}'s ward")
    rita.add_feedback(inv.id, audience="reporter", given_on=on, given_by="Rita", method="in person")
    return rita, inv.id, a, name


def test_the_section_in_markdown_html_and_the_paginated_outline(followed_up):
    rita, inv_id, a, _ = followed_up
    report = build_report(rita.dossier(inv_id))
    row = report.followup.rows[1]
    on = a.measure.date.isoformat()
    assert (row.ref, row.done) == ("A2", a.due.isoformat())
    assert row.results == f"94% (47/50) on {on}; 96 on {on} (target 95%)"
    assert row.verdict.startswith("Effective (rita, ") and "Two audits over target" in row.verdict
    assert report.followup.rows[0].results == "none yet (target 100%)"
    told = f"The reporter was told: {on} in person by Rita."
    assert report.followup.reporter == told
    md = markdown_report(report)
    assert "Follow-up and effectiveness" in md and told in md and "94% (47/50)" in md
    html = html_report(report)
    assert '<section id="followup">' in html and "96 on" in html
    blocks = outline(report)
    heading = next(
        i for i, b in enumerate(blocks) if isinstance(b, Heading) and b.key == "followup"
    )
    table = next(b for b in blocks[heading:] if isinstance(b, Table))
    assert table.key == "followup" and table.rows[1][4] == row.results


def test_a_de_identified_copy_scrubs_the_follow_up(followed_up):
    rita, inv_id, _, name = followed_up
    assert name
    assert name in markdown_report(build_report(rita.dossier(inv_id)))
    text = markdown_report(build_report(rita.dossier(inv_id), deidentify=True))
    assert name not in text
    assert "Effective (" in text and "Two audits over target" in text


def test_before_approval_the_section_says_when_it_begins(service):
    inv = add_demo(service)
    report = build_report(service.dossier(inv.id), today=dt.date(2026, 11, 30))
    assert report.followup.open is False
    assert "Follow-up begins once the investigation is approved." in markdown_report(report)
