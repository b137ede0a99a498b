"""Leads, conversations, answers and handoffs.

Revision ID: 0001
Revises:
Create Date: 2025-01-01
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Frozen copies of the model types: a migration must not change when the models do.
_ts = sa.DateTime(timezone=True)
_big_id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_open_handoff = sa.text("status IN ('requested', 'pending')")


def upgrade() -> None:
    op.create_table(
        "leads",
        sa.Column("id", sa.String(32), nullable=False),
        sa.Column("created_at", _ts, nullable=False),
        sa.Column("updated_at", _ts, nullable=False),
        sa.Column("email", sa.String(), nullable=True),
        sa.Column("name", sa.String(), nullable=True),
        sa.Column("company", sa.String(), nullable=True),
        sa.Column("job_title", sa.String(), nullable=True),
        sa.Column("phone", sa.String(), nullable=True),
        sa.Column("company_size", sa.Integer(), nullable=True),
        sa.Column("industry", sa.String(), nullable=True),
        sa.Column("country", sa.String(), nullable=True),
        sa.Column("need", sa.Text(), nullable=True),
        sa.Column("budget_amount", sa.Float(), nullable=True),
        sa.Column("budget_currency", sa.String(), nullable=True),
        sa.Column("budget_period", sa.String(), nullable=True),
        sa.Column("budget_status", sa.String(), server_default="unknown", nullable=False),
        sa.Column("authority", sa.String(), server_default="unknown", nullable=False),
        sa.Column("timeline_months", sa.Float(), nullable=True),
        sa.Column("status", sa.String(), server_default="in_progress", nullable=False),
        sa.Column("status_reasons", sa.JSON(), server_default=sa.text("'[]'"), nullable=False),
        sa.Column("redirect_reason", sa.String(), nullable=True),
        sa.Column("score", sa.JSON(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_leads"),
    )
    op.create_index("ix_leads_email", "leads", ["email"])
    op.create_index("ix_leads_status", "leads", ["status"])

    op.create_table(
        "conversations",
        sa.Column("sender_id", sa.String(), nullable=False),
        sa.Column("lead_id", sa.String(32), nullable=False),
        sa.Column("started_at", _ts, nullable=False),
        sa.Column("last_seen_at", _ts, nullable=False),
        sa.Column("page_context", sa.JSON(), nullable=True),
        sa.Column("ended_reason", sa.String(), nullable=True),
        sa.ForeignKeyConstraint(
            ["lead_id"], ["leads.id"], name="fk_conversations_lead_id_leads", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("sender_id", name="pk_conversations"),
    )
    op.create_index("ix_conversations_lead_id", "conversations", ["lead_id"])

    op.create_table(
        "answers",
        sa.Column("id", _big_id, autoincrement=True, nullable=False),
        sa.Column("lead_id", sa.String(32), nullable=False),
        sa.Column("conversation_id", sa.String(), nullable=False),
        sa.Column("field", sa.String(), nullable=False),
        sa.Column("raw_text", sa.Text(), nullable=False),
        sa.Column("value", sa.JSON(), nullable=True),
        sa.Column("source", sa.String(), server_default="answer", nullable=False),
        sa.Column("message_id", sa.String(), nullable=True),
        sa.Column("at", _ts, nullable=False),
        sa.ForeignKeyConstraint(
            ["lead_id"], ["leads.id"], name="fk_answers_lead_id_leads", ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["conversation_id"],
            ["conversations.sender_id"],
            name="fk_answers_conversation_id_conversations",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_answers"),
        sa.UniqueConstraint("conversation_id", "field", "message_id", name="uq_answers_message"),
    )
    op.create_index("ix_answers_lead_id", "answers", ["lead_id"])
    op.create_index("ix_answers_conversation_id", "answers", ["conversation_id"])

    op.create_table(
        "handoffs",
        sa.Column("id", _big_id, autoincrement=True, nullable=False),
        sa.Column("lead_id", sa.String(32), nullable=False),
        sa.Column("status", sa.String(), server_default="requested", nullable=False),
        sa.Column("reason", sa.String(), nullable=False),
        sa.Column("target", sa.String(), nullable=True),
        sa.Column("owner", sa.String(), nullable=True),
        sa.Column("created_at", _ts, nullable=False),
        sa.Column("delivered_at", _ts, nullable=True),
        sa.ForeignKeyConstraint(
            ["lead_id"], ["leads.id"], name="fk_handoffs_lead_id_leads", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_handoffs"),
    )
    op.create_index("ix_handoffs_lead_id", "handoffs", ["lead_id"])
    op.create_index(
        "uq_handoffs_open_reason",
        "handoffs",
        ["lead_id", "reason"],
        unique=True,
        sqlite_where=_open_handoff,
        postgresql_where=_open_handoff,
    )


def downgrade() -> None:
    op.drop_table("handoffs")
    op.drop_table("answers")
    op.drop_table("conversations")
    op.drop_table("leads")
