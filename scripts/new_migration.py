"""Autogenerate an Alembic migration from the models: ``python scripts/new_migration.py "message"``."""

import pathlib
import sys
import tempfile

from alembic import command
from alembic.config import Config

root = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(root))

from models.db import migrate  # noqa: E402

with tempfile.TemporaryDirectory() as tmp:
    url = f"sqlite:///{tmp}/schema.db"
    migrate(url)
    config = Config()
    config.set_main_option("script_location", str(root / "migrations"))
    config.set_main_option("sqlalchemy.url", url)
    command.revision(config, message=sys.argv[1], autogenerate=True)
