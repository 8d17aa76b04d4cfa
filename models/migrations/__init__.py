"""Alembic migrations, shipped inside the package so they install with it.

`REVISIONS` lists every schema revision this release knows, oldest first; `HEAD` is the newest.
Opening a database compares its revision with these without importing Alembic (start-up stays
fast); a test keeps the list equal to the scripts in `versions/`.
"""

REVISIONS: tuple[str, ...] = (
    "0001", "0002", "0003", "0004", "0005", "0006", "0007", "0008", "0009", "0010", "0011",
)
HEAD = REVISIONS[-1]
