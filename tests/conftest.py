"""Shared fixtures: a fresh database file per test, and a service on it."""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile

import pytest

os.environ.setdefault("TEXTUAL_ANIMATIONS", "none")
# Tests never read the developer's own settings or database.
os.environ.pop("RCA_DB", None)
os.environ.pop("RCA_USER", None)
os.environ["RCA_CONFIG"] = os.devnull + ".absent.toml"
# Nor the terminal they happen to run in: colour and the terminal type change what Textual draws
# (NO_COLOR turns every snapshot monochrome; TERM and COLORTERM decide the colour system, and with
# it the theme the app picks), and SSH variables change the mouse default. The tests fix them; a
# test about NO_COLOR or a 16-colour terminal sets them itself (monkeypatch).
_TERMINAL = ("NO_COLOR", "FORCE_COLOR", "COLORTERM", "TEXTUAL_COLOR_SYSTEM", "SSH_CONNECTION",
             "SSH_CLIENT", "SSH_TTY", "TMUX", "STY")
for _name in _TERMINAL:
    os.environ.pop(_name, None)
os.environ["TERM"] = "xterm"
# Caches (holiday look-ups) go to a folder of the test run, not the developer's home; it is
# removed when the run ends.
_CACHE = tempfile.mkdtemp(prefix="rca-test-cache-")
os.environ["RCA_CACHE"] = _CACHE
atexit.register(shutil.rmtree, _CACHE, ignore_errors=True)


@pytest.fixture
def db_path(tmp_path):
    return tmp_path / "rca.db"


@pytest.fixture
def service(db_path):
    from models.service import open_service

    svc = open_service(db_path, user="alice")
    yield svc
    svc.db.dispose()


@pytest.fixture
def demo_id(service):
    from models.demo import add_demo

    return add_demo(service).id
