"""Activities, visits (visitor id and visit number) and consent to follow-up.

Revision ID: 0002
Revises: 0001
Create Date: 2025-02-01
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Frozen copies of the model types: a migration must not change when the models do.
_ts = sa.DateTime(timezone=True)
_big_id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_MAX_VISITOR_ID = 2000

_conversations = sa.table(
    "conversations",
    sa.column("sender_id", sa.String()),
    sa.column("lead_id", sa.String()),
    sa.column("started_at", _ts),
    sa.column("page_context", sa.JSON()),
    sa.column("visitor_id", sa.String()),
    sa.column("visit_number", sa.Integer()),
)


def upgrade() -> None:
    op.add_column("leads", sa.Column("consent_follow_up", sa.Boolean(), nullable=True))
    op.add_column("leads", sa.Column("consent_at", _ts, nullable=True))
    op.add_column("leads", sa.Column("consent_wording", sa.Text(), nullable=True))

    op.add_column("conversations", sa.Column("visitor_id", sa.String(), nullable=True))
    op.add_column(
        "conversations",
        sa.Column("visit_number", sa.Integer(), server_default="1", nullable=False),
    )
    op.create_index("ix_conversations_visitor_id", "conversations", ["visitor_id"])
    _backfill_visits()

    op.create_table(
        "activities",
        sa.Column("id", _big_id, autoincrement=True, nullable=False),
        sa.Column("lead_id", sa.String(32), nullable=False),
        sa.Column("conversation_id", sa.String(), nullable=True),
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("detail", sa.JSON(), server_default=sa.text("'{}'"), nullable=False),
        sa.Column("at", _ts, nullable=False),
        sa.Column("source", sa.String(), server_default="chat", nullable=False),
        sa.Column("key", sa.String(), nullable=True),
        sa.ForeignKeyConstraint(
            ["lead_id"], ["leads.id"], name="fk_activities_lead_id_leads", ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["conversation_id"],
            ["conversations.sender_id"],
            name="fk_activities_conversation_id_conversations",
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_activities"),
        sa.UniqueConstraint("lead_id", "key", name="uq_activities_key"),
    )
    op.create_index("ix_activities_lead_id", "activities", ["lead_id"])
    op.create_index("ix_activities_conversation_id", "activities", ["conversation_id"])


def _backfill_visits() -> None:
    """Number each lead's existing conversations 1, 2, … and copy their visitor ids."""
    connection = op.get_bind()
    rows = connection.execute(
        sa.select(
            _conversations.c.sender_id,
            _conversations.c.lead_id,
            _conversations.c.page_context,
        ).order_by(
            _conversations.c.lead_id, _conversations.c.started_at, _conversations.c.sender_id
        )
    ).all()
    numbers: dict[str, int] = {}
    for sender_id, lead_id, page_context in rows:
        numbers[lead_id] = numbers.get(lead_id, 0) + 1
        connection.execute(
            _conversations.update()
            .where(_conversations.c.sender_id == sender_id)
            .values(visit_number=numbers[lead_id], visitor_id=_visitor_id(page_context))
        )


def _visitor_id(page_context: Any) -> str | None:
    if isinstance(page_context, str):  # defensive: a JSON string stored as text
        try:
            page_context = json.loads(page_context)
        except ValueError:
            return None
    if not isinstance(page_context, dict):
        return None
    value = page_context.get("visitor_id")
    if not isinstance(value, str):
        return None
    value = value.strip()
    return value if value and len(value) <= _MAX_VISITOR_ID else None


def downgrade() -> None:
    op.drop_table("activities")
    with op.batch_alter_table("conversations") as batch:
        batch.drop_index("ix_conversations_visitor_id")
        batch.drop_column("visit_number")
        batch.drop_column("visitor_id")
    with op.batch_alter_table("leads") as batch:
        batch.drop_column("consent_wording")
        batch.drop_column("consent_at")
        batch.drop_column("consent_follow_up")
