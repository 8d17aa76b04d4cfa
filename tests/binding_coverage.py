"""Every binding of every screen, dialog and widget is pressed by some test.

The standard is easy to state and easy to let slip: a new binding lands with a test of the
feature but not of the key. This plugin makes it a check. While the tests run, every action that
Textual dispatches (`App.run_action`: a key, the command palette, a footer click) is recorded with
the class of the node that owns it. When the whole suite has run, each binding declared in our
own code (`BINDINGS` of a class in `rca_tui`, `screens`) must have been dispatched at least once,
on that class or a subclass; the run fails otherwise and names the missing ones.

It only judges a whole run (no file or node arguments, no -k, -m, --lf, nothing deselected):
a run of one file cannot say whether another file presses a key. RCA_BINDING_REPORT=1 judges a
partial run anyway, to list what it leaves unpressed.
"""

from __future__ import annotations

import importlib
import inspect
import os
import pkgutil
from dataclasses import dataclass

import pytest
from textual.app import App
from textual.binding import Binding
from textual.dom import DOMNode

PACKAGES = ("rca_tui", "screens")

# (class that owned the binding chain entry, action string) for every dispatched action.
DISPATCHED: set[tuple[type, str]] = set()

_original_run_action = App.run_action


async def _recording_run_action(self, action, default_namespace=None, *args, **kwargs):
    if isinstance(action, str):
        owner = type(default_namespace) if default_namespace is not None else type(self)
        DISPATCHED.add((owner, action))
    return await _original_run_action(self, action, default_namespace, *args, **kwargs)


App.run_action = _recording_run_action  # type: ignore[method-assign]


@dataclass(frozen=True)
class Declared:
    cls: type
    key: str
    action: str

    def __str__(self) -> str:
        return f"{self.cls.__module__}.{self.cls.__qualname__}: {self.key} -> {self.action}"


def _modules():
    for package in PACKAGES:
        root = importlib.import_module(package)
        yield root
        for info in pkgutil.walk_packages(root.__path__, prefix=f"{package}."):
            yield importlib.import_module(info.name)


def declared_bindings() -> list[Declared]:
    """Each binding that a class of our own declares in its own body (inherited ones count once,
    on the class that declares them)."""
    found: dict[tuple[type, str], Declared] = {}
    for module in _modules():
        for _name, cls in inspect.getmembers(module, inspect.isclass):
            if cls.__module__ != module.__name__ or not issubclass(cls, (DOMNode, App)):
                continue
            for item in cls.__dict__.get("BINDINGS", []):
                if isinstance(item, Binding):
                    key, action = item.key, item.action
                else:
                    key, action = item[0], item[1]
                found.setdefault((cls, action), Declared(cls, key, action))
    return sorted(found.values(), key=str)


def missing_bindings(dispatched: set[tuple[type, str]]) -> list[Declared]:
    return [
        declared
        for declared in declared_bindings()
        if not any(
            action == declared.action and issubclass(owner, declared.cls)
            for owner, action in dispatched
        )
    ]


def _whole_run(session: pytest.Session) -> bool:
    if os.environ.get("RCA_BINDING_REPORT"):  # judge a partial run anyway (to list the gaps)
        return True
    config = session.config
    option = config.option
    if config.args and [str(a).rstrip("/") for a in config.args] != ["tests"]:
        explicit = [str(a) for a in config.args]
        if explicit != [str(config.rootpath / "tests")]:
            return False
    if option.keyword or option.markexpr or getattr(option, "lf", False):
        return False
    if getattr(option, "maxfail", 0):
        return False
    return not getattr(session, "_rca_deselected", False)


def pytest_deselected(items):
    if items:
        pytest.rca_any_deselected = True  # type: ignore[attr-defined]


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if getattr(pytest, "rca_any_deselected", False):
        session._rca_deselected = True  # type: ignore[attr-defined]
    if not _whole_run(session) or exitstatus not in (0, pytest.ExitCode.TESTS_FAILED):
        return
    missing = missing_bindings(DISPATCHED)
    if missing:
        reporter = session.config.pluginmanager.get_plugin("terminalreporter")
        lines = "\n".join(f"  {m}" for m in missing)
        message = f"bindings that no test presses ({len(missing)}):\n{lines}"
        if reporter is not None:
            reporter.write_line(message, red=True)
        else:  # pragma: no cover - pytest always has a reporter in a terminal run
            print(message)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
