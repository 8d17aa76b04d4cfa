"""The SSH tier: `rca` end to end over a real OpenSSH server on 127.0.0.1.

Each test starts its own sshd (Debian's `openssh-server`; `.ci/run` installs it when missing)
with its own host key, configuration and authorized key on a free port, connects with
`ssh -tt` inside a pseudo-terminal (pexpect), and stops the server by its pid whatever
happens. Over SSH the app turns animations, blinking and the mouse off (SSH_CONNECTION).

1. Open the app on a demo database, add a cause on the fishbone, quit with ctrl+q: the cause is
   stored, the terminal is given back as it was, and no `rca` is left running on the server.
2. Drop the link in the middle of an edit: the app is gone within 5 seconds and the database
   is intact.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pexpect
import pytest

from models.demo import demo_document

SSHD = shutil.which("sshd") or "/usr/sbin/sshd"
TODAY = dt.date(2026, 11, 30)

pytestmark = pytest.mark.skipif(
    not (os.path.exists(SSHD) and shutil.which("ssh") and shutil.which("ssh-keygen")),
    reason="SSH tier: needs OpenSSH (apt-get install openssh-server openssh-client)",
)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _keygen(path: Path) -> None:
    subprocess.run(
        ["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(path)],
        check=True,
        capture_output=True,
    )


@pytest.fixture
def sshd(tmp_path):
    """A private sshd on 127.0.0.1; yields (port, client key, folder). Stopped by its pid."""
    folder = tmp_path / "ssh"
    folder.mkdir(mode=0o700)
    _keygen(folder / "host_key")
    _keygen(folder / "client_key")
    (folder / "authorized_keys").write_text((folder / "client_key.pub").read_text())
    port = _free_port()
    config = folder / "sshd_config"
    config.write_text(
        f"Port {port}\nListenAddress 127.0.0.1\nHostKey {folder / 'host_key'}\n"
        f"PidFile {folder / 'sshd.pid'}\nAuthorizedKeysFile {folder / 'authorized_keys'}\n"
        "PasswordAuthentication no\nKbdInteractiveAuthentication no\nPubkeyAuthentication yes\n"
        "PermitRootLogin prohibit-password\nUsePAM no\nStrictModes no\nPrintMotd no\n"
        "PrintLastLog no\nClientAliveInterval 1\nClientAliveCountMax 2\n"
    )
    Path("/run/sshd").mkdir(mode=0o755, exist_ok=True)  # sshd's privilege-separation folder
    log = (folder / "sshd.log").open("w")
    server = subprocess.Popen(
        [SSHD, "-D", "-e", "-f", str(config)], stdout=log, stderr=subprocess.STDOUT
    )
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"sshd did not start: {(folder / 'sshd.log').read_text()}")
                time.sleep(0.05)
        yield port, folder / "client_key", folder
    finally:
        os.kill(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=5)
        except subprocess.TimeoutExpired:
            os.kill(server.pid, signal.SIGKILL)
            server.wait()
        log.close()


def connect(sshd, db_path, tmp_path) -> pexpect.spawn:
    """`ssh -tt` to the server, running rca on `db_path`, in an 80x24 pseudo-terminal."""
    port, key, folder = sshd
    remote = " ".join(
        [
            "env",
            "TERM=xterm-256color",
            "LANG=C.UTF-8",
            f"RCA_DB={db_path}",
            "RCA_USER=alice",
            f"RCA_CONFIG={tmp_path / 'none.toml'}",
            f"RCA_CACHE={os.environ['RCA_CACHE']}",
            f"XDG_STATE_HOME={tmp_path / 'state'}",
            sys.executable,
            "-m",
            "rca_tui",
        ]
    )
    args = [
        "-tt", "-p", str(port), "-i", str(key), "-o", "IdentitiesOnly=yes",
        "-o", "StrictHostKeyChecking=no", "-o", f"UserKnownHostsFile={folder / 'known_hosts'}",
        "-o", "LogLevel=ERROR", "-o", "BatchMode=yes", "root@127.0.0.1", remote,
    ]  # fmt: skip
    env = {k: v for k, v in os.environ.items() if not k.startswith("SSH_")}
    env["TERM"] = "xterm-256color"
    child = pexpect.spawn("ssh", args, dimensions=(24, 80), timeout=30, env=env)
    child.logfile_read = io.BytesIO()  # everything the terminal received
    return child


def rca_processes(db_path) -> list[int]:
    """Processes on this machine (the server) running the app on `db_path`."""
    wanted = f"RCA_DB={db_path}".encode()
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            argv = (entry / "cmdline").read_bytes().split(b"\0")
            environ = (entry / "environ").read_bytes().split(b"\0")
        except OSError:
            continue
        if argv[1:3] == [b"-m", b"rca_tui"] and wanted in environ:
            found.append(int(entry.name))
    return found


def gone_within(db_path, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while rca_processes(db_path) and time.monotonic() < deadline:
        time.sleep(0.1)
    return not rca_processes(db_path)


def intact(db_path) -> None:
    with sqlite3.connect(db_path) as db:
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)


@pytest.fixture
def demo(service):
    return service.import_document(demo_document(TODAY)).id


def test_add_a_cause_over_ssh_and_quit(sshd, db_path, tmp_path, service, demo):
    assert not rca_processes(db_path)
    child = connect(sshd, db_path, tmp_path)
    child.expect("Type to filter")
    child.send("\r")  # the overview
    child.expect("Findings")
    child.send("f")  # the fishbone
    # "Fishbone" is on the overview too (its step and its footer): wait for a key only the
    # fishbone offers, or "a" reaches the overview (its audit trail) on a slow first start.
    child.expect("Add cause")
    time.sleep(0.5)
    child.send("a")  # a cause on the bone under the cursor
    child.expect("What happened or what led to it")
    time.sleep(0.3)
    child.send("Pump library not updated over SSH")
    child.sendcontrol("s")
    child.expect("Pump library")
    time.sleep(0.5)
    child.sendcontrol("q")
    child.expect(pexpect.EOF, timeout=20)
    child.close()
    assert child.exitstatus == 0
    texts = [c.text for c in service.list_causes(demo)]
    assert "Pump library not updated over SSH" in texts
    # the terminal is given back: main screen, cursor shown, line wrap on, no paste reporting
    # or kitty keyboard protocol
    received = child.logfile_read.getvalue()
    tail = received[received.rfind(b"\x1b[?1049h") :]
    for sequence in (b"\x1b[?1049l", b"\x1b[?25h", b"\x1b[?7h", b"\x1b[?2004l", b"\x1b[<u"):
        assert sequence in tail, sequence
    assert tail.rfind(b"\x1b[?1049l") > tail.rfind(b"\x1b[?1049h")
    assert b"\x1b[?1000h" not in received  # the mouse stayed off over SSH
    assert gone_within(db_path, 5)
    intact(db_path)


def test_a_dropped_link_ends_the_app_and_keeps_the_database(
    sshd, db_path, tmp_path, service, demo
):
    before = [c.text for c in service.list_causes(demo)]
    child = connect(sshd, db_path, tmp_path)
    child.expect("Type to filter")
    child.send("\r")
    child.expect("Findings")
    child.send("f")
    # "Fishbone" is on the overview too (its step and its footer): wait for a key only the
    # fishbone offers, or "a" reaches the overview (its audit trail) on a slow first start.
    child.expect("Add cause")
    time.sleep(0.5)
    child.send("a")
    child.expect("What happened or what led to it")
    child.send("Typed, never saved")  # mid-edit
    time.sleep(0.5)
    assert rca_processes(db_path)
    child.kill(signal.SIGKILL)  # the client vanishes: the link drops without a goodbye
    child.close(force=True)
    assert gone_within(db_path, 5), "rca kept running on the server after the link dropped"
    intact(db_path)
    assert [c.text for c in service.list_causes(demo)] == before
    assert service.verify_audit() is None
