"""INSERT … ON CONFLICT DO NOTHING for the dialects we support."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, cast

from sqlalchemy import ColumnElement, Table, TextClause
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from bot.store.models import Base


def insert_ignoring_conflict(
    session: Session,
    model: type[Base],
    values: Mapping[str, Any],
    *,
    conflict_columns: Sequence[str],
    conflict_where: ColumnElement[bool] | TextClause | None = None,
) -> bool:
    """Insert one row unless it would violate the unique index on `conflict_columns`.

    Returns whether a row was inserted (see `insert_returning_key` for the details).
    """
    key = insert_returning_key(
        session, model, values, conflict_columns=conflict_columns, conflict_where=conflict_where
    )
    return key is not None


def insert_returning_key(
    session: Session,
    model: type[Base],
    values: Mapping[str, Any],
    *,
    conflict_columns: Sequence[str],
    conflict_where: ColumnElement[bool] | TextClause | None = None,
) -> Any | None:
    """Insert one row unless it conflicts; its primary key value, or None if it conflicted.

    Only for single-column primary keys. Unlike catching IntegrityError, this leaves the
    transaction usable, and on PostgreSQL it waits for a concurrent insert of the same
    key instead of failing.
    """
    # Core on the table, not the ORM bulk-insert path: one plain statement per row.
    table = cast(Table, model.__table__)
    dialect = session.get_bind().dialect.name
    index_elements = list(conflict_columns)
    statement: postgresql.Insert | sqlite.Insert
    if dialect == "postgresql":
        statement = postgresql.insert(table).values(**values)
        statement = statement.on_conflict_do_nothing(
            index_elements=index_elements, index_where=conflict_where
        )
    elif dialect == "sqlite":
        statement = sqlite.insert(table).values(**values)
        statement = statement.on_conflict_do_nothing(
            index_elements=index_elements, index_where=conflict_where
        )
    else:  # pragma: no cover - only SQLite and PostgreSQL are supported
        raise NotImplementedError(f"unsupported database dialect {dialect!r}")
    # rowcount is unreliable here (psycopg reports -1 with the implicit RETURNING of the
    # primary key); a returned row is an unambiguous "inserted".
    returning = statement.returning(*table.primary_key.columns)
    row = session.execute(returning).first()
    return None if row is None else row[0]
