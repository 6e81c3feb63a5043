"""Print the URL of an empty PostgreSQL database beside the one given, made anew.

``scripts/test.sh`` runs two pytest processes at once; each empties its database's
``public`` schema before every test, so the second needs a database of its own.

Usage: ``python scripts/fresh_database.py <postgresql url> <name>``
"""

import sys

import sqlalchemy as sa


def main(url: str, name: str) -> None:
    if not name.isidentifier():
        sys.exit(f"not a plain database name: {name!r}")
    engine = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(sa.text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        conn.execute(sa.text(f"CREATE DATABASE {name}"))
    engine.dispose()
    print(sa.make_url(url).set(database=name).render_as_string(hide_password=False))


if __name__ == "__main__":
    main(*sys.argv[1:3])
