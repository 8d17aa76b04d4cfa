"""rca-tui: root cause analysis of adverse events, in the terminal.

The front door: the Textual `App` (`rca_tui.app`), the `rca` command line (`rca_tui.cli`) and
the settings (`rca_tui.config`). The domain lives in `models`, screens in `screens`, report
writers in `exports`.
"""

from models import __version__

__all__ = ["__version__"]
