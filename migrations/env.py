"""Alembic environment: the schema is SQLModel's metadata from ``models``."""

from alembic import context
from sqlalchemy import create_engine
from sqlmodel import SQLModel

import models  # noqa: F401  (registers the tables)

config = context.config
url = config.get_main_option("sqlalchemy.url")


def run() -> None:
    """Run migrations online; batch mode lets SQLite alter tables."""
    engine = create_engine(url, hide_parameters=True)  # a data migration's values (emails, names) unlogged
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=SQLModel.metadata,
            render_as_batch=connection.dialect.name == "sqlite",
        )
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


run()
