"""Users and roles: the creator is admin, only admins manage users, unknown names are
investigators, `rca user ...` on the command line, and migration 0002 -> 0003 keeping data."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import create_engine

from models.db import open_database
from models.errors import NotFoundError, ValidationError
from models.migrations import HEAD
from models.review import RoleError
from models.service import Service, open_service
from rca_tui.cli import cli

#: The tests that take `service` run on a SQLite file and on a PostgreSQL server.
BOTH_BACKENDS = True


def test_whoever_creates_the_database_is_its_admin(service, person):
    (user,) = service.list_users()
    assert (user.name, user.role, user.created_by) == ("alice", "admin", "alice")
    assert service.role_of("alice") == "admin"
    assert service.current_role() == "admin"
    entry = service.audit_entries()[0]
    assert (entry.entity, entry.action, entry.new, entry.investigation_id) == (
        "app_user",
        "create",
        "alice: admin",
        None,
    )
    # Later users of the same database are not made admins.
    bob = person(service, "bob")
    assert [u.name for u in bob.list_users()] == ["alice"]
    assert bob.role_of("bob") is None
    assert bob.current_role() == "investigator"


def test_a_read_only_opening_records_no_admin(db_path):
    open_database(db_path).dispose()  # a new database at HEAD, nobody has used it yet
    ro = Service(open_database(db_path, readonly=True), "carol")
    assert ro.list_users() == []
    ro.db.dispose()
    first = open_service(db_path, user="dave")
    assert [(u.name, u.role) for u in first.list_users()] == [("dave", "admin")]
    first.db.dispose()


def test_admin_adds_users_and_changes_roles(service):
    rita = service.add_user("rita", "reviewer")
    assert (rita.name, rita.role, rita.created_by) == ("rita", "reviewer", "alice")
    service.add_user("  ivan ", "Investigator")  # names trimmed, roles by key or label
    assert service.role_of("ivan") == "investigator"
    assert [u.name for u in service.list_users()] == ["alice", "ivan", "rita"]
    assert service.set_role("rita", "admin").role == "admin"
    service.remove_user("ivan")
    assert service.role_of("ivan") is None
    audit = [
        (e.action, e.field, e.old, e.new) for e in service.audit_entries() if e.entity == "app_user"
    ]
    assert audit[2:] == [  # after alice's own (she is the first admin)
        ("create", None, None, "rita: reviewer"),
        ("update", "role", None, "reviewer"),
        ("create", None, None, "ivan: investigator"),
        ("update", "role", None, "investigator"),
        ("update", "role", "reviewer", "admin"),
        ("delete", None, "ivan: investigator", None),
    ]
    assert service.verify_audit() is None


@pytest.mark.parametrize(
    ("name", "role", "error", "message"),
    [
        (
            "rita",
            "boss",
            ValidationError,
            "role: 'boss' is not one of investigator, reviewer, admin",
        ),
        ("", "reviewer", ValidationError, "name: is required"),
        ("alice", "reviewer", ValidationError, "alice: is already listed as admin"),
    ],
)
def test_bad_users_are_refused(service, name, role, error, message):
    with pytest.raises(error, match=message):
        service.add_user(name, role)


def test_only_admins_manage_users(service, person):
    service.add_user("rita", "reviewer")
    for who in ("rita", "uma"):
        other = person(service, who)
        with pytest.raises(RoleError, match="Only an admin can add users"):
            other.add_user("mallory", "admin")
        with pytest.raises(RoleError, match="Only an admin can change roles"):
            other.set_role("rita", "admin")
        with pytest.raises(RoleError, match="Only an admin can remove users"):
            other.remove_user("alice")
    assert service.role_of("mallory") is None


def test_the_last_admin_stays(service):
    with pytest.raises(ValidationError, match="only admin"):
        service.set_role("alice", "reviewer")
    with pytest.raises(ValidationError, match="only admin"):
        service.remove_user("alice")
    with pytest.raises(NotFoundError, match="no user zed"):
        service.set_role("zed", "reviewer")
    service.add_user("bea", "admin")
    service.set_role("alice", "reviewer")
    assert service.current_role() == "reviewer"


# --- command line ------------------------------------------------------------------------------


@pytest.fixture
def rca(db_path, monkeypatch):
    """`rca` as run by the operating-system account `user` (roles follow the login)."""
    import rca_tui.cli

    runner = CliRunner()

    def run(*args, user="alice"):
        monkeypatch.setattr(rca_tui.cli, "os_login", lambda: user)
        return runner.invoke(cli, ["--db", str(db_path), "--user", user, *args])

    return run


def test_roles_follow_the_login_not_the_user_setting(db_path, monkeypatch):
    """`--user` (or RCA_USER, or the settings file) cannot borrow a reviewer's role."""
    import rca_tui.cli

    runner = CliRunner()
    monkeypatch.setattr(rca_tui.cli, "os_login", lambda: "alice")
    runner.invoke(cli, ["--db", str(db_path), "user", "add", "rita", "--role", "reviewer"])
    monkeypatch.setattr(rca_tui.cli, "os_login", lambda: "mallory")
    monkeypatch.setenv("RCA_USER", "rita")
    listed = runner.invoke(cli, ["--db", str(db_path), "user", "list"])
    assert listed.output.splitlines()[-1].endswith("You are mallory (investigator).")
    refused = runner.invoke(cli, ["--db", str(db_path), "user", "add", "eve", "--role", "admin"])
    assert refused.exit_code == 1 and "Only an admin" in refused.output


def one_line_error(result) -> str:
    assert result.exit_code == 1
    lines = [ln for ln in result.output.splitlines() if ln.strip()]
    assert len(lines) == 1, result.output
    return lines[0]


def test_user_add_and_list(rca):
    assert rca("user", "add", "rita", "--role", "reviewer").output == "Added rita as reviewer.\n"
    listed = rca("user", "list")
    assert listed.exit_code == 0
    lines = listed.output.splitlines()
    assert lines[0].split() == ["NAME", "ROLE", "ADDED"]
    assert lines[1].split()[:2] == ["alice", "admin"]
    assert lines[2].split()[:2] == ["rita", "reviewer"]
    assert lines[-1] == "Anyone else is an investigator. You are alice (admin)."
    data = json.loads(rca("user", "list", "--json").output)
    assert [(u["name"], u["role"], u["created_by"]) for u in data] == [
        ("alice", "admin", "alice"),
        ("rita", "reviewer", "alice"),
    ]
    assert rca("user", "set-role", "rita", "--role", "admin").output == "rita is now admin.\n"
    assert "they are an investigator now" in rca("user", "remove", "rita").output
    for cmd in ("add", "list", "set-role", "remove"):
        assert rca("user", cmd, "--help").exit_code == 0


@pytest.mark.parametrize(
    ("args", "user", "fragment"),
    [
        (("user", "add", "rita", "--role", "boss"), "alice", "'boss' is not one of"),
        (("user", "add", "rita", "--role", "reviewer"), "bob", "Only an admin can add users"),
        (("user", "add", "alice", "--role", "reviewer"), "alice", "already listed as admin"),
        (("user", "set-role", "alice", "--role", "reviewer"), "alice", "only admin"),
        (("user", "remove", "nobody"), "alice", "no user nobody"),
        (("reopen", "1", "--reason", "x"), "alice", "Cannot reopen"),
    ],
)
def test_user_errors_are_one_line(rca, args, user, fragment):
    rca("demo")
    assert fragment in one_line_error(rca(*args, user=user))


def test_reopen_from_the_command_line(rca, db_path):
    rca("demo")
    # Set-up: one person takes every step (separation of duties has its own tests).
    svc = open_service(db_path, user="alice", separation_of_duties=False)
    inv = svc.submit_for_review(1, None)
    for a in svc.list_actions(1):
        svc.record_concurrence(a.id, a.version, "concur")
    svc.approve(inv.id, None)
    svc.db.dispose()
    result = rca("reopen", "1", "--reason", "Wrong unit in the report")
    assert result.exit_code == 0, result.output
    assert "status action_plan" in result.output
    assert json.loads(rca("list", "--json").output)[0]["status"] == "action_plan"


# --- migration 0002 -> 0003 --------------------------------------------------------------------


def test_database_at_0002_is_upgraded_keeping_its_data(db_path):
    from alembic import command
    from alembic.config import Config

    import models.migrations

    engine = create_engine(f"sqlite:///{db_path}")
    with engine.begin() as conn:
        cfg = Config()
        cfg.set_main_option("script_location", str(Path(models.migrations.__file__).parent))
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0002")
    engine.dispose()
    con = sqlite3.connect(db_path)
    con.execute(
        "INSERT INTO investigation (title, description, unit, reported_by, sentinel, blameworthy,"
        " blameworthy_note, status, patient_name, patient_mrn, created_by, created_at,"
        " updated_by, updated_at, version, graph_rev) VALUES ('Old fall', '', '4W', '', 0, 0,"
        " '', 'action_plan', '', '', 'a', '2026-01-01', 'a', '2026-01-01', 1, 0)"
    )
    con.execute(
        "INSERT INTO cause (investigation_id, text, category, kind, evidence, statement,"
        " created_by, created_at, version) VALUES (1, 'No fall-risk field at handover', NULL,"
        " 'root', '', '', 'a', '2026-01-01', 1)"
    )
    con.execute(
        "INSERT INTO fishbone_category (investigation_id, name, position) VALUES (1, 'X', 0)"
    )
    con.commit()
    con.close()

    svc = Service(open_database(db_path), "erin")
    (inv,) = svc.list_investigations()
    assert (inv.title, inv.status) == ("Old fall", "action_plan")
    (cause,) = svc.list_causes(inv.id)
    assert (cause.text, cause.no_action_reason, cause.weak_only_reason) == (
        "No fall-risk field at handover",
        "",
        "",
    )
    assert svc.categories(inv.id) == ["X"]
    # The first person to open the upgraded file becomes its admin.
    assert [(u.name, u.role) for u in svc.list_users()] == [("erin", "admin")]
    assert "P-NO-ACTION" in {f.code for f in svc.check(inv.id)}
    cause = svc.update_cause(cause.id, cause.version, no_action_reason="Template replaced in May")
    assert "P-NO-ACTION" not in {f.code for f in svc.check(inv.id)}
    svc.db.dispose()

    con = sqlite3.connect(db_path)
    assert con.execute("SELECT version_num FROM alembic_version").fetchone() == (HEAD,)
    assert con.execute("PRAGMA foreign_key_check").fetchall() == []
    con.close()
    backup = db_path.with_name(f"{db_path.name}.before-{HEAD}.bak")
    old = sqlite3.connect(backup)
    assert old.execute("SELECT version_num FROM alembic_version").fetchone() == ("0002",)
    assert old.execute("SELECT text FROM cause").fetchone() == ("No fall-risk field at handover",)
    old.close()
