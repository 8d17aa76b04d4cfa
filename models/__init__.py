"""The domain of rca-tui: tables, the one service, the cause graph and the rules.

Nothing in here imports Textual or any other wing of the app, so the same code serves the
terminal screens, the command line, the exports and the tests.
"""

try:
    from importlib.metadata import PackageNotFoundError, version

    __version__ = version("rca-tui")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0.0.0+source"
