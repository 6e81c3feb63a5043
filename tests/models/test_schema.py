"""The migrations build the schema the models describe, on each database.

A model changed without a migration (an index made unique, a column added) passes every test
that builds tables from the migrations until production, where the column or the constraint
the code relies on is missing; this compares the two the way ``alembic check`` does.
"""

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlmodel import SQLModel

import models  # noqa: F401  (registers every table on SQLModel.metadata)


def test_the_migrations_make_the_tables_the_models_describe(db):
    engine = sa.create_engine(db)
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        differences = compare_metadata(context, SQLModel.metadata)
    engine.dispose()
    assert differences == []
