"""The `rca` command line: each subcommand, and one-line errors with a non-zero exit."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from click.testing import CliRunner

from rca_tui.cli import cli

#: The tests that take `rca` run on a SQLite file and on a PostgreSQL server.
BOTH_BACKENDS = True


@pytest.fixture
def rca(url_for):
    """`rca ARGS` as alice, on a SQLite file and (the tests that take it) a PostgreSQL server."""
    runner = CliRunner()
    db = url_for("alice")

    def run(*args, input=None):
        return runner.invoke(cli, ["--db", db, "--user", "alice", *args], input=input)

    return run


def one_line_error(result) -> str:
    assert result.exit_code != 0
    lines = [ln for ln in result.output.splitlines() if ln.strip()]
    assert len(lines) == 1, result.output
    return lines[0]


def test_version_and_help():
    runner = CliRunner()
    assert runner.invoke(cli, ["--version"]).output.startswith("rca, version ")
    result = runner.invoke(cli, ["--help"])
    for command in ("init", "list", "import", "export", "check", "backup", "demo"):
        assert command in result.output
    for command in ("list", "import", "export", "check", "backup", "demo", "init"):
        assert runner.invoke(cli, [command, "--help"]).exit_code == 0


@pytest.mark.sqlite_only
def test_init_creates_the_database(rca, db_path):
    result = rca("init")
    assert result.exit_code == 0
    assert str(db_path) in result.output
    assert db_path.is_file()


def test_demo_list_check_export_import(rca, tmp_path):
    demo = rca("demo")
    assert demo.exit_code == 0
    demo_id = int(demo.stdout.strip().splitlines()[-1])

    listed = json.loads(rca("list", "--json").stdout)
    assert listed[0]["id"] == demo_id
    assert {"id", "title", "status", "sac_score"} <= set(listed[0])
    assert listed[0]["sac_score"] == 3

    check = rca("check", str(demo_id), "--json")
    assert check.exit_code == 0
    assert json.loads(check.stdout) == []

    out = tmp_path / "fall.json"
    assert rca("export", str(demo_id), "--format", "json", "-o", str(out)).exit_code == 0
    assert oct(out.stat().st_mode & 0o777) == "0o600"
    again = rca("export", str(demo_id), "-o", str(out))
    assert "already exists" in one_line_error(again)

    imported = rca("import", str(out))
    assert imported.exit_code == 0
    new_id = int(imported.stdout.strip().splitlines()[-1])
    assert new_id != demo_id
    exported = json.loads(rca("export", str(new_id)).stdout)
    original = json.loads(out.read_text())
    for doc in (exported, original):
        doc.pop("exported_at")
    assert exported == original


def test_check_lists_findings(rca):
    doc = {
        "format": "rca-tui/1",
        "investigation": {"title": "x"},
        "causes": [{"id": 1, "text": "orphan [bold]cause[/]"}],
    }
    new_id = rca("import", "-", input=json.dumps(doc)).stdout.strip().splitlines()[-1]
    findings = json.loads(rca("check", new_id, "--json").stdout)
    assert [
        (f["code"], f["severity"], f["subject"]) for f in findings if f["severity"] == "error"
    ] == [("G-NO-EVENT", "error", None)]
    assert findings[0]["code"] == "G-NO-EVENT"  # errors come first
    assert "T-SIZE" in {f["code"] for f in findings}  # no team yet
    assert rca("check", new_id, "--fail-on", "error").exit_code == 1
    text = rca("check", new_id)
    assert "G-NO-EVENT" in text.stdout


def test_check_says_each_code_once(rca):
    doc = {
        "format": "rca-tui/1",
        "investigation": {"title": "Missed dose"},
        "causes": [
            {"id": 1, "text": "Missed dose", "kind": "event"},
            {"id": 2, "text": "Inadequate staffing at night", "kind": "root"},
        ],
        "links": [{"cause": 2, "effect": 1}],
    }
    new_id = rca("import", "-", input=json.dumps(doc)).stdout.strip().splitlines()[-1]
    lines = rca("check", new_id).stdout.splitlines()
    r2 = next(line for line in lines if " R2 " in line)
    assert r2.startswith("WARNING R2 [cause ")
    assert "]: 'Inadequate staffing at night' uses a negative descriptor" in r2  # not "R2: R2:"


def test_empty_list_says_what_to_do(rca):
    assert "rca demo" in rca("list").stdout
    assert json.loads(rca("list", "--json").stdout) == []


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (("check", "99"), "no investigation with id 99"),
        (("export", "99"), "no investigation with id 99"),
        (("export", "1", "--format", "pptx"), "'pptx' is not a format"),
        (("import", "/nonexistent/file.json"), "no such file"),
    ],
)
def test_errors_are_one_line(rca, args, fragment):
    rca("init")
    assert fragment in one_line_error(rca(*args))


def test_bad_import_is_one_line_and_writes_nothing(rca):
    bad = '{"format": "rca-tui/1", "investigation": {"title": "x", "harm": "awful"}}'
    assert "investigation.harm" in one_line_error(rca("import", "-", input=bad))
    assert json.loads(rca("list", "--json").stdout) == []


def test_foreign_file_is_refused(tmp_path):
    foreign = tmp_path / "notes.db"
    foreign.write_bytes(b"just some notes\n" * 10)
    result = CliRunner().invoke(cli, ["--db", str(foreign), "list"])
    line = one_line_error(result)
    assert str(foreign) in line and "not an RCA database" in line
    assert foreign.read_bytes() == b"just some notes\n" * 10


@pytest.mark.sqlite_only  # backups are of SQLite files; a server has its own tools
def test_backup_and_audit_verify(rca, tmp_path):
    rca("demo")
    dest = tmp_path / "copy.db"
    assert rca("backup", str(dest)).exit_code == 0
    copy = CliRunner().invoke(cli, ["--db", str(dest), "list", "--json"])
    assert json.loads(copy.stdout)[0]["sac_score"] == 3
    assert "already exists" in one_line_error(rca("backup", str(dest)))
    assert "intact" in rca("audit", "verify").stdout


def test_installed_entry_point_runs(db_path):
    """The real `rca` program, as a user would call it, exits non-zero on a bad database."""
    env = {**os.environ, "RCA_DB": str(db_path)}
    ok = subprocess.run(
        [sys.executable, "-m", "rca_tui", "list", "--json"], capture_output=True, text=True, env=env
    )
    assert ok.returncode == 0 and json.loads(ok.stdout) == []
    db_path.unlink()
    db_path.write_text("garbage")
    bad = subprocess.run(
        [sys.executable, "-m", "rca_tui", "list"], capture_output=True, text=True, env=env
    )
    assert bad.returncode == 1
    assert bad.stderr.strip().count("\n") == 0 and "not an RCA database" in bad.stderr


def test_settings_file_is_checked(tmp_path, monkeypatch, db_path):
    """A typo or a bad value in the settings file is one line naming the file and key."""
    config = tmp_path / "config.toml"
    monkeypatch.setenv("RCA_CONFIG", str(config))
    runner = CliRunner()
    config.write_text(
        'rca_target_days = 30\nextra_holidays = [2026-12-24]\nholiday_country = "GB"\n'
    )
    assert runner.invoke(cli, ["--db", str(db_path), "list"]).exit_code == 0
    for text, fragment in (
        ("rca_target_day = 30\n", "'rca_target_day': not a setting"),
        ("rca_target_days = 0\n", "'rca_target_days': expected a whole number"),
        ('extra_holidays = ["soon"]\n', "'soon' is not a date"),
        ("mouse = 3\n", "'mouse': expected true or false"),
        (
            'holiday_country = "ZZ"\n',
            "setting 'holiday_country': 'ZZ' is not a country code the holiday calendar knows "
            "(use a 2-letter ISO code such as US, GB or DE",
        ),
        (
            'holiday_subdivision = "Mars"\n',
            "setting 'holiday_subdivision': 'Mars' is not a subdivision of US (known: AK,",
        ),
        ("db = [\n", "cannot read the settings"),
    ):
        config.write_text(text)
        line = one_line_error(runner.invoke(cli, ["--db", str(db_path), "list"]))
        assert str(config) in line and fragment in line, line


def test_bad_settings_stop_the_app_before_it_opens(tmp_path, monkeypatch, db_path):
    """`rca` alone with a country the holiday calendar does not know: one line, exit 1, and
    the app is never started (it used to open with every deadline gone)."""
    import rca_tui.cli

    config = tmp_path / "config.toml"
    config.write_text('holiday_country = "ZZ"\n')
    monkeypatch.setenv("RCA_CONFIG", str(config))
    opened = []
    monkeypatch.setattr(rca_tui.cli, "run_app", lambda obj, **options: opened.append(obj))
    result = CliRunner().invoke(cli, ["--db", str(db_path)])
    line = one_line_error(result)
    assert result.exit_code == 1 and opened == []
    assert "'holiday_country': 'ZZ' is not a country code" in line


def test_settings_hold_one_checked_deadline_policy():
    """The deadline settings become one policy when they are read, checked there, used by
    the screens, `rca export` and the reports."""
    import datetime as dt

    from rca_tui.config import Settings, SettingsError

    settings = Settings.from_mapping(
        {"rca_target_days": 30, "holiday_country": "gb", "extra_holidays": ["2026-12-24"]}
    )
    policy = settings.deadline_policy()
    assert policy.target_days == 30 and policy.calendar.country == "GB"
    assert policy.calendar.extra_holidays == {dt.date(2026, 12, 24)}
    assert settings.deadline_policy() is policy  # built once
    with pytest.raises(SettingsError, match="setting 'holiday_country': 'ZZ' is not a country"):
        Settings(holiday_country="ZZ")
    with pytest.raises(SettingsError) as err:
        Settings.from_mapping({"_deadline_policy": None})
    assert "not a setting (known: confidentiality_notice, db, extra_holidays," in err.value.message
    assert "known: " in err.value.message and "_deadline" not in err.value.message.split("(")[1]


def test_the_server_wide_settings_come_first_and_keep_their_policy(tmp_path, monkeypatch, db_path):
    system, mine = tmp_path / "system.toml", tmp_path / "mine.toml"
    monkeypatch.setenv("RCA_SYSTEM_CONFIG", str(system))
    monkeypatch.setenv("RCA_CONFIG", str(mine))
    from rca_tui.config import load_settings

    system.write_text(f'db = "{db_path}"\nholiday_country = "GB"\nseparation_of_duties = true\n')
    mine.write_text('holiday_subdivision = "SCT"\ntheme = "rca-16"\n')
    settings = load_settings()
    assert (settings.db, settings.holiday_country, settings.holiday_subdivision) == (
        str(db_path), "GB", "SCT"
    )
    assert settings.separation_of_duties is True and settings.theme == "rca-16"
    # A user cannot switch the policy off for themselves.
    mine.write_text("separation_of_duties = false\n")
    line = one_line_error(CliRunner().invoke(cli, ["list"]))
    assert f"{mine}: setting 'separation_of_duties': only the administrator sets it" in line
    assert str(system) in line
    system.write_text("separation_of_duties = false\n")
    mine.write_text("")
    assert load_settings().separation_of_duties is False
