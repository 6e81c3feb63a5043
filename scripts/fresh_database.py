"""Print the URL of an empty PostgreSQL database beside the one given, made anew.

``scripts/test.sh`` runs four pytest processes at once; each copies a migrated template named
after its database for every test (``tests/conftest.py``, ``MigratedDatabases``), so each
needs a database of its own. The production-mode browser test makes its own database with it too.

Usage: ``python scripts/fresh_database.py <postgresql url> <name>``
"""

import sys

import sqlalchemy as sa


def fresh_database(url: str, name: str) -> str:
    """Drop and create the database ``name`` on the server of ``url``; its URL, password included."""
    if not name.isidentifier():
        raise ValueError(f"not a plain database name: {name!r}")
    engine = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(sa.text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        conn.execute(sa.text(f"CREATE DATABASE {name}"))
    engine.dispose()
    return sa.make_url(url).set(database=name).render_as_string(hide_password=False)


if __name__ == "__main__":
    print(fresh_database(*sys.argv[1:3]))
