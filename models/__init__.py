"""The domain of rca-tui: tables, the one service, the cause graph and the rules.

Nothing in here imports Textual or any other wing of the app, so the same code serves the
terminal screens, the command line, the exports and the tests.
"""

#: The release; a test keeps it equal to pyproject.toml (reading package metadata at start-up
#: costs more than it is worth).
__version__ = "0.1.0"
