"""The migrations build the schema the models describe, on each database.

A model changed without a migration (an index made unique, a column added) passes every test
that builds tables from the migrations until production, where the column or the constraint
the code relies on is missing; this compares the two the way ``alembic check`` does.
"""

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlmodel import SQLModel

import models  # noqa: F401  (registers every table on SQLModel.metadata)
from models import get_engine


def test_the_migrations_make_the_tables_the_models_describe(db):
    engine = sa.create_engine(db)
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        differences = compare_metadata(context, SQLModel.metadata)
    engine.dispose()
    assert differences == []


def test_a_failing_statement_is_told_without_the_values_it_carried(session):
    """helper-135: a sign-in's write carries the password's hash; a database locked or gone
    mid-write logged the statement's error, and with it the hash."""
    hash_written = "$argon2id$v=19$m=65536,t=3,p=4$a-hash-that-must-not-be-logged"
    with get_engine().connect() as conn, pytest.raises(sa.exc.DBAPIError) as failed:
        conn.execute(sa.text("UPDATE no_such_table SET password_hash = :hash"), {"hash": hash_written})

    assert "no_such_table" in str(failed.value) and hash_written not in str(failed.value)
