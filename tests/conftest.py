"""Shared fixtures: a fresh database file per test, and a service on it."""

from __future__ import annotations

import os
import tempfile

import pytest

os.environ.setdefault("TEXTUAL_ANIMATIONS", "none")
# Tests never read the developer's own settings or database.
os.environ.pop("RCA_DB", None)
os.environ.pop("RCA_USER", None)
os.environ["RCA_CONFIG"] = os.devnull + ".absent.toml"
# Caches (holiday look-ups) go to a folder of the test run, not the developer's home.
os.environ["RCA_CACHE"] = tempfile.mkdtemp(prefix="rca-test-cache-")


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
