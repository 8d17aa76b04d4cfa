"""Identity with real Unix users: who did what is the login, whatever the name given.

The test (as root) creates a group and two users, runs `rca` and small programs as each of
them, on a shared SQLite file (`rca init --shared GROUP`) and on a throwaway PostgreSQL cluster
with peer authentication over its own Unix socket (started as the `postgres` user: `initdb`
refuses to run as root). Everything is removed afterwards, the cluster stopped in every case.

The users run the project's Python, which lives under /root on this machine: they get the one
capability to look through folders they may not read (CAP_DAC_READ_SEARCH, through setpriv), and
nothing else; writes still need their own permissions.
"""

from __future__ import annotations

import contextlib
import grp
import json
import os
import pwd
import shutil
import socket
import stat
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PG_BIN = next(iter(sorted(Path("/usr/lib/postgresql").glob("*/bin"))), None)

pytestmark = pytest.mark.skipif(
    os.geteuid() != 0 or not shutil.which("useradd") or not shutil.which("setpriv"),
    reason="needs root, useradd and setpriv to create and become real users",
)


def _run(*cmd: str, **kw) -> subprocess.CompletedProcess:
    return subprocess.run(cmd, check=True, capture_output=True, text=True, timeout=120, **kw)


@pytest.fixture(scope="module")
def people():
    """A group and two users of it (names unique to this run); removed afterwards."""
    tag = f"rt{os.getpid() % 100000}"
    group, nurse1, nurse2 = f"{tag}team", f"{tag}n1", f"{tag}n2"
    _run("groupadd", group)
    try:
        for name in (nurse1, nurse2):
            _run("useradd", "--no-create-home", "--gid", group, "--shell", "/bin/false", name)
        yield group, nurse1, nurse2
    finally:
        for name in (nurse1, nurse2):
            subprocess.run(["userdel", name], capture_output=True)
        subprocess.run(["groupdel", group], capture_output=True)


def as_user(user: str, state: Path, *args: str, env: dict | None = None, check: bool = True):
    """Run `python ARGS` as `user` (its own groups), with its own state and cache folders."""
    entry = pwd.getpwnam(user)
    home = state / user
    home.mkdir(exist_ok=True)
    os.chown(home, entry.pw_uid, entry.pw_gid)
    full_env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(home),
        "RCA_STATE": str(home / "state"),
        "RCA_CACHE": str(home / "cache"),
        "RCA_CONFIG": str(home / "absent.toml"),
        "RCA_SYSTEM_CONFIG": str(home / "absent-system.toml"),
        "PYTHONPATH": str(ROOT),
        **(env or {}),
    }
    cmd = [
        "setpriv",
        f"--reuid={entry.pw_uid}",
        f"--regid={entry.pw_gid}",
        "--init-groups",
        "--inh-caps=+dac_read_search",
        "--ambient-caps=+dac_read_search",
        sys.executable,
        *args,
    ]
    result = subprocess.run(cmd, capture_output=True, text=True, env=full_env, timeout=180)
    if check:
        assert result.returncode == 0, result.stderr
    return result


#: What an investigator's and a reviewer's programs do, with the login the OS gives them.
SCRIPT = textwrap.dedent(
    """
    import json, sys
    from rca_tui.cli import os_login
    from models.service import open_service
    db, step = sys.argv[1], sys.argv[2]
    s = open_service(db, user=sys.argv[3], login=os_login())
    inv = s.list_investigations()[-1]
    if step == "submit":
        s.submit_for_review(inv.id, None)
    elif step in ("approve", "concur"):
        try:
            for a in s.list_actions(inv.id):
                s.record_concurrence(a.id, a.version, "concur")
            s.approve(inv.id, None)
        except Exception as exc:  # the test reads the refusal
            print(json.dumps({"refused": type(exc).__name__, "why": str(exc)}))
            sys.exit(0)
    print(json.dumps({"login": s.login, "status": s.get_investigation(inv.id).status}))
    """
)


def _script(state: Path) -> Path:
    path = state / "step.py"
    path.write_text(SCRIPT)
    path.chmod(0o644)
    return path


@pytest.fixture
def state():
    folder = Path(tempfile.mkdtemp(prefix="rca-identity-"))
    folder.chmod(0o711)
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def test_a_shared_sqlite_file_records_each_login(people, state):
    group, nurse1, nurse2 = people
    db = state / "team" / "rca.db"
    rca = ["-m", "rca_tui", "--db", str(db)]
    admin_env = {**os.environ, "PYTHONPATH": str(ROOT)}
    # The administrator (root here) sets the folder up for the group and makes nurse2 reviewer.
    _run(sys.executable, *rca, "init", "--shared", group, env=admin_env)
    _run(sys.executable, *rca, "user", "add", nurse2, "--role", "reviewer", env=admin_env)
    folder = db.parent
    assert stat.S_IMODE(folder.stat().st_mode) == 0o2770
    assert grp.getgrgid(folder.stat().st_gid).gr_name == group
    # nurse1 claims to be nurse2; the trail says nurse1, with the claim beside it.
    as_user(nurse1, state, *rca, "demo", env={"RCA_USER": nurse2})
    step = str(_script(state))
    done = json.loads(as_user(nurse1, state, step, str(db), "submit", nurse2).stdout)
    assert done == {"login": nurse1, "status": "in_review"}
    # nurse1 is an investigator whatever name it gives: it cannot approve its own work.
    refused = json.loads(as_user(nurse1, state, step, str(db), "approve", nurse2).stdout)
    assert refused["refused"] == "RoleError" and nurse1 in refused["why"]
    approved = json.loads(as_user(nurse2, state, step, str(db), "approve", nurse2).stdout)
    assert approved == {"login": nurse2, "status": "approved"}
    # Every file of the database is the group's, read-write for it and nobody else.
    for path in folder.iterdir():
        if path.name.startswith("rca.db"):
            assert grp.getgrgid(path.stat().st_gid).gr_name == group, path
            assert stat.S_IMODE(path.stat().st_mode) & 0o007 == 0, path
    out = _run(sys.executable, "-c", textwrap.dedent(f"""
        import json
        from models.service import open_service
        s = open_service({str(db)!r}, user="root")
        print(json.dumps([[e.user, e.display_name, e.entity, e.field] for e in s.audit_entries()]))
        print(s.verify_audit())
    """), env={**os.environ, "PYTHONPATH": str(ROOT)}).stdout.splitlines()
    entries = json.loads(out[0])
    by_nurse1 = {(u, d) for u, d, *_ in entries if u == nurse1}
    assert by_nurse1 == {(nurse1, nurse2)}  # nurse1's login, the name nurse2 only beside it
    assert not [e for e in entries if e[0] == nurse2 and e[2] == "cause"]
    approvals = [e for e in entries if e[2] == "investigation" and e[3] == "status"]
    assert [e[0] for e in approvals][-2:] == [nurse1, nurse2]  # submitted, approved
    assert out[1] == "None"


def _free_port() -> int:
    with contextlib.closing(socket.socket()) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def cluster(state):
    """A PostgreSQL cluster of this test's own: peer authentication on a private socket."""
    if PG_BIN is None:
        pytest.skip("PostgreSQL server binaries are not installed")
    data, sock = state / "pgdata", state / "pgsock"
    for folder in (data, sock):
        folder.mkdir()
        shutil.chown(folder, "postgres", "postgres")
    sock.chmod(0o755)
    port = _free_port()
    pg = ["runuser", "-u", "postgres", "--"]
    _run(*pg, str(PG_BIN / "initdb"), "-D", str(data), "--auth-local=peer", "--auth-host=reject")
    _run(*pg, str(PG_BIN / "pg_ctl"), "-D", str(data), "-w", "-l", str(data / "log"),
         "-o", f"-p {port} -k {sock} -c listen_addresses=''", "start")
    try:
        yield sock, port
    finally:
        subprocess.run([*pg, str(PG_BIN / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"],
                       capture_output=True)


def test_on_postgresql_the_login_is_the_peer_authenticated_role(people, state, cluster):
    _group, nurse1, nurse2 = people
    sock, port = cluster
    url = f"postgresql:///rca?host={sock}&port={port}"
    psql = ["runuser", "-u", "postgres", "--", str(PG_BIN / "psql"), "-h", str(sock), "-p",
            str(port), "-v", "ON_ERROR_STOP=1", "-d", "postgres", "-c"]
    _run(*psql, "CREATE ROLE rca_users NOLOGIN")
    for name in (nurse1, nurse2):
        _run(*psql, f'CREATE ROLE "{name}" LOGIN IN ROLE rca_users')
    _run(*psql, "CREATE DATABASE rca")
    rca = ["-m", "rca_tui", "--db", url]
    # The database's owner (postgres) sets it up, grants the group role, names the reviewer.
    as_user("postgres", state, *rca, "init", "--grant", "rca_users")
    as_user("postgres", state, *rca, "user", "add", nurse2, "--role", "reviewer")
    as_user(nurse1, state, *rca, "demo", env={"RCA_USER": nurse2})
    step = str(_script(state))
    assert json.loads(as_user(nurse1, state, step, url, "submit", nurse2).stdout) == {
        "login": nurse1, "status": "in_review"
    }
    refused = json.loads(as_user(nurse1, state, step, url, "approve", nurse2).stdout)
    assert refused["refused"] == "RoleError"
    assert json.loads(as_user(nurse2, state, step, url, "approve", nurse1).stdout) == {
        "login": nurse2, "status": "approved"
    }
    # The people's role can add audit entries but never change or remove them, nor switch the
    # triggers off (they are not the tables' owner).
    probe = textwrap.dedent(f"""
        import psycopg, sys
        con = psycopg.connect("host={sock} port={port} dbname=rca", autocommit=True)
        for sql in ("UPDATE audit_entry SET new = 'x'", "DELETE FROM audit_entry",
                    "TRUNCATE audit_entry", "ALTER TABLE audit_entry DISABLE TRIGGER USER"):
            try:
                con.execute(sql)
                print("ALLOWED", sql)
            except psycopg.Error as exc:
                print("refused", type(exc).__name__)
        print(con.execute("SELECT session_user").fetchone()[0])
    """)
    lines = as_user(nurse1, state, "-c", probe).stdout.splitlines()
    assert not [line for line in lines if line.startswith("ALLOWED")], lines
    assert lines[-1] == nurse1
    listed = as_user(nurse1, state, "-c", textwrap.dedent(f"""
        import json
        from models.service import open_service
        s = open_service({url!r}, user="whoever")
        print(json.dumps(sorted({{(e.user, e.display_name) for e in s.audit_entries()
                                  if e.entity == "cause"}})))
        print(s.verify_audit())
    """)).stdout.splitlines()
    assert json.loads(listed[0]) == [[nurse1, nurse2]]
    assert listed[1] == "None"
