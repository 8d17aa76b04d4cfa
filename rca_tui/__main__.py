"""`python -m rca_tui` is the same as `rca`."""

from rca_tui.cli import main

if __name__ == "__main__":
    main()
