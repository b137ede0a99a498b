"""Delivery leases: a worker claims a delivery for a while and sends outside any transaction.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ts = sa.DateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("handoff_deliveries") as batch:
        batch.add_column(sa.Column("lease_token", sa.String(32), nullable=True))
        batch.add_column(sa.Column("leased_until", _ts, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("handoff_deliveries") as batch:
        batch.drop_column("leased_until")
        batch.drop_column("lease_token")
