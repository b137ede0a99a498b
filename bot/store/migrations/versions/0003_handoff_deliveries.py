"""Handoff delivery: an idempotency key per handoff and one delivery row per target.

Revision ID: 0003
Revises: 0002
Create Date: 2025-03-01
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Frozen copies of the model types: a migration must not change when the models do.
_ts = sa.DateTime(timezone=True)
_big_id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")

_handoffs = sa.table(
    "handoffs",
    sa.column("id", _big_id),
    sa.column("idempotency_key", sa.String(32)),
)


def upgrade() -> None:
    op.add_column("handoffs", sa.Column("idempotency_key", sa.String(32), nullable=True))
    connection = op.get_bind()
    ids = connection.execute(sa.select(_handoffs.c.id)).scalars().all()
    for handoff_id in ids:
        connection.execute(
            _handoffs.update()
            .where(_handoffs.c.id == handoff_id)
            .values(idempotency_key=uuid.uuid4().hex)
        )
    with op.batch_alter_table("handoffs") as batch:
        batch.alter_column("idempotency_key", existing_type=sa.String(32), nullable=False)
    op.create_index(
        "uq_handoffs_idempotency_key", "handoffs", ["idempotency_key"], unique=True
    )

    op.create_table(
        "handoff_deliveries",
        sa.Column("id", _big_id, autoincrement=True, nullable=False),
        sa.Column("handoff_id", _big_id, nullable=False),
        sa.Column("target", sa.String(), nullable=False),
        sa.Column("status", sa.String(), server_default="pending", nullable=False),
        sa.Column("attempts", sa.Integer(), server_default="0", nullable=False),
        sa.Column("next_attempt_at", _ts, nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("delivered_at", _ts, nullable=True),
        sa.Column("created_at", _ts, nullable=False),
        sa.Column("retried_at", _ts, nullable=True),
        sa.ForeignKeyConstraint(
            ["handoff_id"],
            ["handoffs.id"],
            name="fk_handoff_deliveries_handoff_id_handoffs",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_handoff_deliveries"),
        sa.UniqueConstraint("handoff_id", "target", name="uq_handoff_deliveries_target"),
    )
    op.create_index("ix_handoff_deliveries_handoff_id", "handoff_deliveries", ["handoff_id"])


def downgrade() -> None:
    op.drop_table("handoff_deliveries")
    op.drop_index("uq_handoffs_idempotency_key", table_name="handoffs")
    with op.batch_alter_table("handoffs") as batch:
        batch.drop_column("idempotency_key")
