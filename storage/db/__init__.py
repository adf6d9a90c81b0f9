"""The shared database: SQLAlchemy models, Alembic migrations, the ``Database`` handle."""

from storage.db.database import Database

__all__ = ["Database"]
