"""ORM models of the lead store. Tables are created only by the Alembic migrations."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from bot.clock import utcnow
from bot.store.column_types import UTCDateTime

# Stable constraint names keep later (batch) migrations on SQLite predictable.
NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# BIGINT is not an alias of ROWID on SQLite, so it would not autoincrement there.
BigId = BigInteger().with_variant(Integer, "sqlite")

OPEN_HANDOFF_SQL = "status IN ('requested', 'pending')"


def new_lead_id() -> str:
    """A fresh lead id: 32 lower-case hex digits."""
    return uuid.uuid4().hex


class Base(DeclarativeBase):
    """Declarative base of the lead store."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map: ClassVar[dict[Any, Any]] = {datetime: UTCDateTime()}


class Lead(Base):
    """One prospect; its profile/BANT columns are folded from its answers."""

    __tablename__ = "leads"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_lead_id)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Indexed but not unique: two conversations may race to the same e-mail; merging
    # resolves that instead of failing a visitor's turn.
    email: Mapped[str | None] = mapped_column(String, index=True)
    name: Mapped[str | None] = mapped_column(String)
    company: Mapped[str | None] = mapped_column(String)
    job_title: Mapped[str | None] = mapped_column(String)
    phone: Mapped[str | None] = mapped_column(String)
    company_size: Mapped[int | None] = mapped_column(Integer)
    industry: Mapped[str | None] = mapped_column(String)
    country: Mapped[str | None] = mapped_column(String)
    need: Mapped[str | None] = mapped_column(Text)
    budget_amount: Mapped[float | None]
    budget_currency: Mapped[str | None] = mapped_column(String)
    budget_period: Mapped[str | None] = mapped_column(String)
    budget_status: Mapped[str] = mapped_column(String, default="unknown", server_default="unknown")
    authority: Mapped[str] = mapped_column(String, default="unknown", server_default="unknown")
    timeline_months: Mapped[float | None]
    status: Mapped[str] = mapped_column(
        String, default="in_progress", server_default="in_progress", index=True
    )
    status_reasons: Mapped[list[str]] = mapped_column(
        JSON, default=list, server_default=text("'[]'")
    )
    redirect_reason: Mapped[str | None] = mapped_column(String)
    # ISO 639-1 code of the language the visitor writes in (lingua, per message).
    language: Mapped[str | None] = mapped_column(String(8))
    score: Mapped[dict[str, Any] | None] = mapped_column(JSON(none_as_null=True))
    # Consent to follow-up (nurture): None = never asked; the wording is what was shown.
    consent_follow_up: Mapped[bool | None] = mapped_column(Boolean)
    consent_at: Mapped[datetime | None]
    consent_wording: Mapped[str | None] = mapped_column(Text)
    # Set when the retention policy cleared the lead's personal data (bot.store.privacy).
    anonymised_at: Mapped[datetime | None]

    conversations: Mapped[list[Conversation]] = relationship(
        back_populates="lead",
        order_by=lambda: (Conversation.started_at, Conversation.sender_id),
        cascade="all, delete-orphan",
        passive_deletes=True,
    )
    # The lead's facts: every answer except claims, which only a rep reads (`claims`).
    # Filtering here keeps claims out of folding, scoring, summaries and exports alike.
    answers: Mapped[list[Answer]] = relationship(
        back_populates="lead",
        primaryjoin=lambda: (Lead.id == Answer.lead_id) & (Answer.source != "claim"),
        order_by=lambda: (Answer.at, Answer.id),
        cascade="all, delete-orphan",
        passive_deletes=True,
    )
    # What conversations that never proved to be this person said (see vocabulary.CLAIM);
    # deleted with the lead by the foreign key's ON DELETE CASCADE.
    claims: Mapped[list[Answer]] = relationship(
        primaryjoin=lambda: (Lead.id == Answer.lead_id) & (Answer.source == "claim"),
        order_by=lambda: (Answer.at, Answer.id),
        viewonly=True,
    )
    handoffs: Mapped[list[Handoff]] = relationship(
        back_populates="lead",
        order_by=lambda: (Handoff.created_at, Handoff.id),
        cascade="all, delete-orphan",
        passive_deletes=True,
    )
    activities: Mapped[list[Activity]] = relationship(
        back_populates="lead",
        order_by=lambda: (Activity.at, Activity.id),
        cascade="all, delete-orphan",
        passive_deletes=True,
    )


class Conversation(Base):
    """One Rasa conversation (sender id) and the page it started on."""

    __tablename__ = "conversations"

    sender_id: Mapped[str] = mapped_column(String, primary_key=True)
    lead_id: Mapped[str] = mapped_column(ForeignKey("leads.id", ondelete="CASCADE"), index=True)
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    page_context: Mapped[dict[str, Any] | None] = mapped_column(JSON(none_as_null=True))
    ended_reason: Mapped[str | None] = mapped_column(String)
    # The website's visitor cookie: a new conversation with a known one joins that lead.
    visitor_id: Mapped[str | None] = mapped_column(String, index=True)
    # 1 for the lead's first visit; the page context's own count when it gives one.
    visit_number: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    # How this conversation joined an existing lead: "verified_browser" (a signed visitor
    # token) or "unverified_email" (a typed e-mail; nothing stored is shown or changed).
    identity: Mapped[str | None] = mapped_column(String)

    lead: Mapped[Lead] = relationship(back_populates="conversations")


class Answer(Base):
    """One fact the visitor gave (or we derived), kept forever, corrections included."""

    __tablename__ = "answers"
    # Rasa may validate the same user message twice: this is the idempotency key.
    # NULL message ids are distinct in both SQLite and PostgreSQL, so they never collide.
    __table_args__ = (
        UniqueConstraint("conversation_id", "field", "message_id", name="uq_answers_message"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    lead_id: Mapped[str] = mapped_column(ForeignKey("leads.id", ondelete="CASCADE"), index=True)
    conversation_id: Mapped[str] = mapped_column(
        ForeignKey("conversations.sender_id", ondelete="CASCADE"), index=True
    )
    field: Mapped[str] = mapped_column(String)
    raw_text: Mapped[str] = mapped_column(Text)
    value: Mapped[Any] = mapped_column(JSON, nullable=True)
    source: Mapped[str] = mapped_column(String, default="answer", server_default="answer")
    message_id: Mapped[str | None] = mapped_column(String)
    at: Mapped[datetime]

    lead: Mapped[Lead] = relationship(back_populates="answers")


class Handoff(Base):
    """A request to pass the lead to a person (delivery comes later, via an outbox)."""

    __tablename__ = "handoffs"
    __table_args__ = (
        # At most one open handoff per lead and reason, even under concurrent turns.
        Index(
            "uq_handoffs_open_reason",
            "lead_id",
            "reason",
            unique=True,
            sqlite_where=text(OPEN_HANDOFF_SQL),
            postgresql_where=text(OPEN_HANDOFF_SQL),
        ),
        # The receiver deduplicates on it: the same on every retry of this handoff.
        Index("uq_handoffs_idempotency_key", "idempotency_key", unique=True),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    lead_id: Mapped[str] = mapped_column(ForeignKey("leads.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String, default="requested", server_default="requested")
    reason: Mapped[str] = mapped_column(String)
    target: Mapped[str | None] = mapped_column(String)
    owner: Mapped[str | None] = mapped_column(String)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    delivered_at: Mapped[datetime | None]
    idempotency_key: Mapped[str] = mapped_column(String(32), default=new_lead_id)

    lead: Mapped[Lead] = relationship(back_populates="handoffs")
    deliveries: Mapped[list[HandoffDelivery]] = relationship(
        back_populates="handoff",
        order_by=lambda: HandoffDelivery.id,
        cascade="all, delete-orphan",
        passive_deletes=True,
    )


class HandoffDelivery(Base):
    """One handoff sent to one target (webhook, file): its attempts, back-off and outcome."""

    __tablename__ = "handoff_deliveries"
    __table_args__ = (
        UniqueConstraint("handoff_id", "target", name="uq_handoff_deliveries_target"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    handoff_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("handoffs.id", ondelete="CASCADE"), index=True
    )
    target: Mapped[str] = mapped_column(String)
    # pending -> delivered, or dead once older than the maximum age.
    status: Mapped[str] = mapped_column(String, default="pending", server_default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    next_attempt_at: Mapped[datetime]
    last_error: Mapped[str | None] = mapped_column(Text)
    delivered_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # A manual retry starts a fresh maximum-age window from here.
    retried_at: Mapped[datetime | None]
    # Set while a worker sends (outside any transaction): no other worker takes the
    # delivery until `leased_until`. A token still set after that means the attempt was
    # interrupted (worker killed) and its outcome is unknown.
    lease_token: Mapped[str | None] = mapped_column(String(32))
    leased_until: Mapped[datetime | None]

    handoff: Mapped[Handoff] = relationship(back_populates="deliveries")


class Activity(Base):
    """Something the lead did: a page seen in the chat, an e-mail opened, a webinar attended."""

    __tablename__ = "activities"
    # The idempotency key: chat activities derive it from the conversation, imports from
    # the external id. NULL keys are distinct, so keyless activities never collide.
    __table_args__ = (UniqueConstraint("lead_id", "key", name="uq_activities_key"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    lead_id: Mapped[str] = mapped_column(ForeignKey("leads.id", ondelete="CASCADE"), index=True)
    conversation_id: Mapped[str | None] = mapped_column(
        ForeignKey("conversations.sender_id", ondelete="SET NULL"), index=True
    )
    kind: Mapped[str] = mapped_column(String)
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict, server_default=text("'{}'"))
    at: Mapped[datetime]
    source: Mapped[str] = mapped_column(String, default="chat", server_default="chat")
    key: Mapped[str | None] = mapped_column(String)

    lead: Mapped[Lead] = relationship(back_populates="activities")


class RepSession(Base):
    """A rep's signed-in browser: revoked on logout, refused after `expires_at`.

    `id` is the SHA-256 of the random session id the cookie carries, never the id itself.
    """

    __tablename__ = "rep_sessions"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(index=True)
    revoked_at: Mapped[datetime | None]
