"""Rep sessions that end (revocable, with an expiry) and a mark on anonymised leads.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-30
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Frozen copy of the model type: a migration must not change when the models do.
_ts = sa.DateTime(timezone=True)


def upgrade() -> None:
    # The id is the SHA-256 of the cookie's random session id: a copy of this table does
    # not hold any cookie that would let someone in.
    op.create_table(
        "rep_sessions",
        sa.Column("id", sa.String(64), nullable=False),
        sa.Column("created_at", _ts, nullable=False),
        sa.Column("expires_at", _ts, nullable=False),
        sa.Column("revoked_at", _ts, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_rep_sessions"),
    )
    op.create_index("ix_rep_sessions_expires_at", "rep_sessions", ["expires_at"])
    # Set by the retention policy: the lead's personal data was cleared at this time.
    with op.batch_alter_table("leads") as batch:
        batch.add_column(sa.Column("anonymised_at", _ts, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("leads") as batch:
        batch.drop_column("anonymised_at")
    op.drop_index("ix_rep_sessions_expires_at", table_name="rep_sessions")
    op.drop_table("rep_sessions")
