"""Surveys, their immutable published versions, pages, questions and options."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from survey.domain.errors import DomainError
from survey.extensions import Model, db
from survey.models._time import utcnow
from survey.models.units import Unit

DRAFT, OPEN, CLOSED = "draft", "open", "closed"


class SurveyError(DomainError):
    """A state change the survey's rules forbid."""

    codes = frozenset({"open_unpublished", "published_frozen", "no_questions"})


survey_units = Table(
    "survey_units",
    db.metadata,
    Column("survey_id", ForeignKey("surveys.id", ondelete="CASCADE"), primary_key=True),
    Column("unit_id", ForeignKey("units.id"), primary_key=True, index=True),
)


def _text(vi: str, en: str, lang: str) -> str:
    return en if lang == "en" and en else vi


class Survey(Model):
    __tablename__ = "surveys"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    title_vi: Mapped[str] = mapped_column(String(300))
    title_en: Mapped[str] = mapped_column(String(300), default="")
    status: Mapped[str] = mapped_column(String(10), default=DRAFT)
    opens_at: Mapped[datetime | None] = mapped_column(DateTime)
    closes_at: Mapped[datetime | None] = mapped_column(DateTime)
    # The unit whose designers own the survey: the scope for rights checks.
    owner_unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    anonymous: Mapped[bool] = mapped_column(Boolean, default=True)
    publish_results: Mapped[bool] = mapped_column(Boolean, default=False)
    min_n: Mapped[int] = mapped_column(Integer, default=10)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    owner_unit: Mapped[Unit] = relationship()
    units: Mapped[list[Unit]] = relationship(secondary=survey_units, order_by=Unit.code)
    versions: Mapped[list[SurveyVersion]] = relationship(
        back_populates="survey",
        order_by="SurveyVersion.number",
        cascade="all, delete-orphan",
    )

    def __repr__(self) -> str:
        return f"<Survey {self.slug} {self.status}>"

    def title(self, lang: str) -> str:
        return _text(self.title_vi, self.title_en, lang)

    @property
    def published_version(self) -> SurveyVersion | None:
        """The newest published version: the one citizens answer."""
        published = [v for v in self.versions if v.published_at is not None]
        return published[-1] if published else None

    @property
    def draft_version(self) -> SurveyVersion | None:
        drafts = [v for v in self.versions if v.published_at is None]
        return drafts[-1] if drafts else None

    @property
    def display_status(self) -> str:
        """The state a person understands: 'draft', 'published' (not open yet),
        'open' or 'closed'."""
        if self.status == DRAFT and self.published_version is not None:
            return "published"
        return self.status

    def availability(self, now: datetime | None = None) -> str:
        """'open', 'closed' or 'not_yet': whether citizens may answer now."""
        now = now or utcnow()
        if self.status == CLOSED or self.published_version is None:
            return CLOSED if self.status == CLOSED else "not_yet"
        if self.status != OPEN or (self.opens_at and now < self.opens_at):
            return "not_yet"
        if self.closes_at and now >= self.closes_at:
            return CLOSED
        return OPEN

    def open(self) -> None:
        if self.published_version is None:
            raise SurveyError(
                "open_unpublished", "publish a version before opening the survey"
            )
        self.status = OPEN

    def close(self) -> None:
        self.status = CLOSED


class SurveyVersion(Model):
    """What a citizen actually answered; frozen once published."""

    __tablename__ = "survey_versions"
    __table_args__ = (UniqueConstraint("survey_id", "number"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    published_at: Mapped[datetime | None] = mapped_column(DateTime)
    title_vi: Mapped[str] = mapped_column(String(300))
    title_en: Mapped[str] = mapped_column(String(300), default="")
    intro_vi: Mapped[str] = mapped_column(Text, default="")
    intro_en: Mapped[str] = mapped_column(Text, default="")
    thanks_vi: Mapped[str] = mapped_column(Text, default="")
    thanks_en: Mapped[str] = mapped_column(Text, default="")

    survey: Mapped[Survey] = relationship(back_populates="versions")
    pages: Mapped[list[Page]] = relationship(
        back_populates="version", order_by="Page.position", cascade="all, delete-orphan"
    )
    questions: Mapped[list[Question]] = relationship(
        back_populates="version",
        order_by="Question.position",
        cascade="all, delete-orphan",
        overlaps="questions",
    )

    def __repr__(self) -> str:
        return f"<SurveyVersion {self.survey_id} v{self.number}>"

    def title(self, lang: str) -> str:
        return _text(self.title_vi, self.title_en, lang)

    def intro(self, lang: str) -> str:
        return _text(self.intro_vi, self.intro_en, lang)

    def thanks(self, lang: str) -> str:
        return _text(self.thanks_vi, self.thanks_en, lang)

    @property
    def is_published(self) -> bool:
        return self.published_at is not None

    def ensure_editable(self) -> None:
        if self.is_published:
            raise SurveyError(
                "published_frozen",
                "a published version cannot change: make a new draft",
            )

    def publish(self, now: datetime | None = None) -> None:
        self.ensure_editable()
        if not self.questions:
            raise SurveyError(
                "no_questions", "a version without questions cannot be published"
            )
        self.published_at = now or utcnow()


class Page(Model):
    __tablename__ = "pages"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version_id: Mapped[int] = mapped_column(
        ForeignKey("survey_versions.id"), index=True
    )
    position: Mapped[int] = mapped_column(Integer)
    title_vi: Mapped[str] = mapped_column(String(300), default="")
    title_en: Mapped[str] = mapped_column(String(300), default="")
    # A display condition on the whole page (survey.domain.conditions.to_data).
    show_if: Mapped[dict[str, object] | None] = mapped_column(JSON)

    version: Mapped[SurveyVersion] = relationship(back_populates="pages")
    questions: Mapped[list[Question]] = relationship(
        back_populates="page", order_by="Question.position", overlaps="questions"
    )

    def __repr__(self) -> str:
        return f"<Page {self.version_id}#{self.position}>"

    def title(self, lang: str) -> str:
        return _text(self.title_vi, self.title_en, lang)


class Question(Model):
    __tablename__ = "questions"
    __table_args__ = (UniqueConstraint("version_id", "code"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version_id: Mapped[int] = mapped_column(
        ForeignKey("survey_versions.id"), index=True
    )
    page_id: Mapped[int] = mapped_column(ForeignKey("pages.id"), index=True)
    # Position within the whole version, so that "earlier" is one comparison.
    position: Mapped[int] = mapped_column(Integer)
    code: Mapped[str] = mapped_column(String(40))
    type: Mapped[str] = mapped_column(String(20))
    text_vi: Mapped[str] = mapped_column(Text)
    text_en: Mapped[str] = mapped_column(Text, default="")
    help_vi: Mapped[str] = mapped_column(Text, default="")
    help_en: Mapped[str] = mapped_column(Text, default="")
    required: Mapped[bool] = mapped_column(Boolean, default=True)
    dimension: Mapped[str | None] = mapped_column(String(30), index=True)
    condition_question_id: Mapped[int | None] = mapped_column(
        ForeignKey("questions.id")
    )
    condition_option_codes: Mapped[list[str] | None] = mapped_column(JSON)
    # Richer conditions by question code (survey.domain.conditions.to_data): the
    # display condition is and'ed with the one above; the end rule screens out.
    show_if: Mapped[dict[str, object] | None] = mapped_column(JSON)
    end_if: Mapped[dict[str, object] | None] = mapped_column(JSON)
    min_value: Mapped[int | None] = mapped_column(Integer)
    max_value: Mapped[int | None] = mapped_column(Integer)
    whole_number: Mapped[bool] = mapped_column(
        Boolean, default=False, server_default=false()
    )
    max_choices: Mapped[int | None] = mapped_column(Integer)
    max_length: Mapped[int | None] = mapped_column(Integer)

    version: Mapped[SurveyVersion] = relationship(back_populates="questions")
    page: Mapped[Page] = relationship(back_populates="questions")
    options: Mapped[list[Option]] = relationship(
        back_populates="question",
        order_by="Option.position",
        cascade="all, delete-orphan",
    )
    condition_question: Mapped[Question | None] = relationship(remote_side=[id])

    def __repr__(self) -> str:
        return f"<Question {self.code} {self.type}>"

    def text(self, lang: str) -> str:
        return _text(self.text_vi, self.text_en, lang)

    def help(self, lang: str) -> str:
        return _text(self.help_vi, self.help_en, lang)


class Option(Model):
    __tablename__ = "options"
    __table_args__ = (UniqueConstraint("question_id", "code"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("questions.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    code: Mapped[str] = mapped_column(String(40))
    label_vi: Mapped[str] = mapped_column(String(500))
    label_en: Mapped[str] = mapped_column(String(500), default="")
    is_other: Mapped[bool] = mapped_column(Boolean, default=False)

    question: Mapped[Question] = relationship(back_populates="options")

    def __repr__(self) -> str:
        return f"<Option {self.code}>"

    def label(self, lang: str) -> str:
        return _text(self.label_vi, self.label_en, lang)
