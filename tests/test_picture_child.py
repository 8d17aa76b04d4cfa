"""The pictures a cold `rca export` draws in a second process (`exports.picture_child`) are the
ones it would draw itself; a child that fails or is never given work costs nothing but the
drawing, and leaves no process behind."""

from __future__ import annotations

import os
import threading

import pytest

from exports import picture_child
from exports.formats import Job, _png_pictures, picture_worker
from tests.test_export_docx_pdf import dossier


@pytest.fixture
def single_thread(monkeypatch):
    """This test process counted as single-threaded: threads other tests leave behind (the
    database's checkpoint thread) sit idle, and the child takes none of their locks. The
    command line forks before it opens the database, with no other thread."""
    if not hasattr(os, "fork") or (os.cpu_count() or 1) < 2:
        pytest.skip("no fork, or a single core, here")
    monkeypatch.setattr(picture_child.threading, "active_count", lambda: 1)


needs_fork = pytest.mark.usefixtures("single_thread")


def _gone(pid: int) -> bool:
    try:
        os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        return True
    return False


@needs_fork
def test_the_child_draws_the_same_pictures_and_warning() -> None:
    d = dossier("転倒", n_causes=30)
    serial = _png_pictures(Job(d, findings=()).report)
    worker = picture_worker()
    assert worker is not None
    pid = worker.pid
    try:
        job = Job(d, findings=(), picture_worker=worker)
        job.start_pictures()
        pictures = job.png_mapping()
        assert dict(pictures) == serial[0]
        assert list(pictures) == list(serial[0])  # the parts in order
    finally:
        worker.close()
    assert _gone(pid)


@needs_fork
def test_a_child_that_fails_leaves_the_drawing_to_this_process() -> None:
    def fail(_payload: object) -> object:
        raise RuntimeError("boom")

    worker = picture_child.start(lambda: None, fail)
    assert worker is not None
    pid = worker.pid
    worker.submit({"anything": 1})
    assert worker.result() is None
    worker.close()
    assert _gone(pid)
    # and a job given such a worker still has its pictures, drawn here
    d = dossier()
    broken = picture_child.start(lambda: None, fail)
    try:
        job = Job(d, findings=(), picture_worker=broken)
        job.start_pictures()
        assert job.png_pictures == _png_pictures(Job(d, findings=()).report)[0]
    finally:
        if broken is not None:
            broken.close()


@needs_fork
def test_a_child_never_given_work_ends_when_closed() -> None:
    worker = picture_child.start(lambda: None, lambda payload: payload)
    assert worker is not None
    pid = worker.pid
    worker.close()
    assert _gone(pid)
    assert worker.result() is None


@needs_fork
def test_a_large_payload_does_not_hold_the_parent_up() -> None:
    worker = picture_child.start(lambda: None, lambda payload: len(payload))
    assert worker is not None
    try:
        worker.submit("x" * 2_000_000)  # larger than a pipe holds: written from a thread
        assert worker.result() == 2_000_000
    finally:
        worker.close()


def test_no_child_while_this_process_runs_threads() -> None:
    stop = threading.Event()
    t = threading.Thread(target=stop.wait)
    t.start()
    try:
        assert not picture_child.can_fork()
        assert picture_child.start(lambda: None, lambda p: p) is None
    finally:
        stop.set()
        t.join()


def test_without_a_worker_the_pictures_are_drawn_here() -> None:
    d = dossier()
    job = Job(d, findings=())
    job.start_pictures()  # nothing to start
    assert set(job.png_mapping()) == set(_png_pictures(job.report)[0])
