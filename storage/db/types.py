"""Column types that behave the same on SQLite and PostgreSQL.

- ``UTCDateTime``: timezone-aware datetimes in, timezone-aware UTC datetimes out (SQLite keeps no offset).
- ``NFCString`` / ``NFCText``: text is normalised to Unicode NFC on the way in, whoever writes it.
- ``JSONType``: JSON everywhere, JSONB on PostgreSQL.
"""

from __future__ import annotations

import unicodedata
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.engine import Dialect

JSONType = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def nfc(text: str | None) -> str | None:
    return None if text is None else unicodedata.normalize("NFC", text)


class UTCDateTime(sa.TypeDecorator[datetime]):
    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(
                f"naive datetime {value.isoformat()} given: sohoa stores timezone-aware times only"
            )
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class NFCString(sa.TypeDecorator[str]):
    impl = sa.String
    cache_ok = True

    def process_bind_param(self, value: str | None, dialect: Dialect) -> str | None:
        return nfc(value)


class NFCText(sa.TypeDecorator[str]):
    impl = sa.Text
    cache_ok = True

    def process_bind_param(self, value: str | None, dialect: Dialect) -> str | None:
        return nfc(value)
