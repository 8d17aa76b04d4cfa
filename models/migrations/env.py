"""Alembic environment: runs on the connection handed over by `models.db`."""

from alembic import context

from models.tables import metadata

connection = context.config.attributes.get("connection")
if connection is None:  # pragma: no cover - only for `alembic revision --autogenerate` by hand
    from sqlalchemy import create_engine

    url = context.config.get_main_option("sqlalchemy.url")
    if url is None:
        raise SystemExit("alembic.ini gives no sqlalchemy.url")
    connection = create_engine(url).connect()

context.configure(
    connection=connection,
    target_metadata=metadata,
    render_as_batch=True,  # SQLite has no real ALTER TABLE
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
