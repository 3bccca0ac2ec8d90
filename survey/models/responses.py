"""Responses and their answers, stored for counting in SQL.

One ``answers`` row per answered question, or per ticked option of a multiple
choice. A scale answer keeps its code in ``value_int`` (1-5, 9 for N/A, 0-10),
so every distribution is one ``GROUP BY question_id, value_int`` or
``GROUP BY option_id`` over indexed columns.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    false,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from survey.domain import disclosure, masking
from survey.extensions import Model
from survey.models._time import utcnow

CHANNELS = ("qr", "link", "kiosk", "invited", "phone", "import")
INVITED_CHANNELS = frozenset({"invited", "phone"})
RESPONDENT_GROUPS = ("citizen", "business")


class Response(Model):
    __tablename__ = "responses"
    __table_args__ = (
        Index("ix_responses_survey_unit_time", "survey_id", "unit_id", "submitted_at"),
        Index("ix_responses_device_time", "device_hash", "submitted_at"),
        # One response per invitation; a unique index (not a constraint) so that
        # SQLite can add it without copying the table.
        Index("uq_responses_invitation_id", "invitation_id", unique=True),
        # The responses not yet in the tallies: few, read by every results page.
        Index(
            "ix_responses_untallied",
            "survey_id",
            "unit_id",
            sqlite_where=text("tally_batch IS NULL"),
            postgresql_where=text("tally_batch IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id"))
    version_id: Mapped[int] = mapped_column(
        ForeignKey("survey_versions.id"), index=True
    )
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    channel: Mapped[str] = mapped_column(String(10), default="qr")
    language: Mapped[str] = mapped_column(String(5), default="vi")
    respondent_group: Mapped[str | None] = mapped_column(String(10))
    started_at: Mapped[datetime | None] = mapped_column(DateTime)
    submitted_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    duration_seconds: Mapped[int | None] = mapped_column(Integer)
    # Issued with the form: a double tap or a retry finds the row it already made.
    token: Mapped[str] = mapped_column(String(64), unique=True)
    # Keyed, daily-rotated hash of the client; never the raw IP or user agent.
    device_hash: Mapped[str | None] = mapped_column(String(64))
    hard_flagged: Mapped[bool] = mapped_column(Boolean, default=False)
    # Ended by an end rule (e.g. "did not use the service"): in the response
    # count, in no satisfaction figure (its index answers are not stored).
    screened_out: Mapped[bool] = mapped_column(
        Boolean, default=False, server_default=false()
    )
    soft_flag_count: Mapped[int] = mapped_column(Integer, default=0)
    # The invited channel: the invitation answered (one response per invitation)
    # and, for a phone interview, the interviewer who entered it.
    invitation_id: Mapped[int | None] = mapped_column(ForeignKey("invitations.id"))
    interviewer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # The fold that counted this response into the tallies; None: not yet.
    tally_batch: Mapped[int | None] = mapped_column(Integer)
    # A random key drawn when stored: the cell-key method's noise of a
    # published count depends on the sum of its records' keys (disclosure).
    record_key: Mapped[int] = mapped_column(
        Integer, default=lambda: disclosure.new_record_key(), server_default="0"
    )

    answers: Mapped[list[Answer]] = relationship(
        back_populates="response", cascade="all, delete-orphan"
    )
    flags: Mapped[list[ResponseFlag]] = relationship(
        back_populates="response", cascade="all, delete-orphan"
    )

    def __repr__(self) -> str:
        return f"<Response {self.id} unit={self.unit_id}>"


def masked_text(text: str | None) -> str | None:
    """The display copy of an answer's text (None stays None)."""
    return None if text is None else masking.mask_personal_data(text)


def _masked_copy(context: Any) -> str | None:
    """Default of ``Answer.text_masked``: the row's own text, masked."""
    return masked_text(context.get_current_parameters().get("value_text"))


class Answer(Model):
    __tablename__ = "answers"
    __table_args__ = (
        Index("ix_answers_question_value", "question_id", "value_int"),
        Index("ix_answers_question_option", "question_id", "option_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    response_id: Mapped[int] = mapped_column(
        ForeignKey("responses.id", ondelete="CASCADE"), index=True
    )
    question_id: Mapped[int] = mapped_column(ForeignKey("questions.id"))
    option_id: Mapped[int | None] = mapped_column(ForeignKey("options.id"))
    value_int: Mapped[int | None] = mapped_column(Integer)
    value_number: Mapped[float | None] = mapped_column(Float)
    value_text: Mapped[str | None] = mapped_column(Text)
    value_date: Mapped[date | None] = mapped_column(Date)
    # The text as readers see it, masked when stored (survey/domain/masking):
    # comment pages show it and their search runs over it; the raw text is
    # for administrators (raw export, audited).
    text_masked: Mapped[str | None] = mapped_column(Text, default=_masked_copy)

    response: Mapped[Response] = relationship(back_populates="answers")

    def __repr__(self) -> str:
        return f"<Answer q={self.question_id} {self.value_int or self.option_id}>"


class ResponseCells(Model):
    """A response's answers as the raw CSV export writes them, made when stored.

    The fields of its version's answer columns, each after a comma, formula
    starts neutralised (``raw_export.AnswerFields``). Answers never change
    once stored, so neither do these; the export of a million responses then
    reads one text per response instead of folding tens of millions of
    answer rows. Responses stored before this table have none: the export
    works theirs out from the answers.
    """

    __tablename__ = "response_cells"

    response_id: Mapped[int] = mapped_column(
        ForeignKey("responses.id", ondelete="CASCADE"), primary_key=True
    )
    cells: Mapped[str] = mapped_column(Text)


class ResponseFlag(Model):
    """A quality flag of METHODOLOGY.md section 8, with its reason."""

    __tablename__ = "response_flags"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    response_id: Mapped[int] = mapped_column(
        ForeignKey("responses.id", ondelete="CASCADE"), index=True
    )
    code: Mapped[str] = mapped_column(String(30), index=True)
    kind: Mapped[str] = mapped_column(String(4))  # "hard" or "soft"
    reason: Mapped[str] = mapped_column(String(300), default="")

    response: Mapped[Response] = relationship(back_populates="flags")

    def __repr__(self) -> str:
        return f"<ResponseFlag {self.code} {self.kind}>"
