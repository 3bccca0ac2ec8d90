"""Loading surveys for citizens: the open version for a unit, or a clear refusal."""

from __future__ import annotations

import itertools
import time
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from flask import current_app, has_app_context
from sqlalchemy import and_, event, select
from sqlalchemy.orm import Session, joinedload, selectinload

from survey.domain.conditions import (
    Condition,
    ConditionError,
    Target,
    check_condition,
    from_data,
)
from survey.domain.questions import QuestionLoad, estimated_minutes, question_fields
from survey.extensions import db
from survey.models import Question, Survey, SurveyVersion, Unit
from survey.models.surveys import OPEN, _text, survey_units
from survey.services.answering.errors import (
    DamagedForm,
    ServicePointNotInSurvey,
    SurveyClosed,
    SurveyNotFound,
    SurveyNotOpen,
    UnknownServicePoint,
)
from survey.services.reporting.raw_export import AnswerFields

T = TypeVar("T")


def open_surveys() -> list[Survey]:
    surveys = db.session.scalars(
        select(Survey).where(Survey.status == OPEN).order_by(Survey.title_vi)
    )
    return [s for s in surveys if s.availability() == OPEN]


KEPT = "survey.kept"  # the app's extensions entry: (time, detached object) by key
KEPT_MODELS = (Survey, SurveyVersion, Unit)
KEPT_PAGES = "survey.pages"  # survey/public/page_cache.py's rendered pages


def _kept(key: tuple[object, ...], load: Callable[[Session], T | None]) -> T | None:
    """What ``load(session)`` finds, kept by this worker for SURVEY_CACHE_SECONDS.

    Every citizen's request reads its survey and its service point: keeping
    them spares two statements and the ORM's work, a fifth of a submission's
    CPU. The copy kept is loaded in a session of its own (so that nothing the
    request's session holds is touched) and merged into each request's
    session without SQL (lazy attributes still load). The worker forgets all
    it kept when it flushes a change to a survey, a version or a unit
    (``forget``); other workers' copies are at most that many seconds old.
    Nothing found is not kept.
    """
    seconds = current_app.config["SURVEY_CACHE_SECONDS"]
    if seconds <= 0:
        return load(db.session)
    kept: dict[tuple[object, ...], tuple[float, Any]]
    kept = current_app.extensions.setdefault(KEPT, {})
    now = time.monotonic()
    hit = kept.get(key)
    if hit is None or now - hit[0] >= seconds:
        with Session(db.engine, expire_on_commit=False) as own:
            found = load(own)
        if found is None:
            return None
        hit = kept[key] = (now, found)
    return db.session.merge(hit[1], load=False)


@event.listens_for(Session, "after_flush")
def forget(session: Session, _context: object) -> None:
    """A change to a survey, version or unit empties this worker's copies
    (and the form pages rendered from them: survey/public/page_cache.py)."""
    if has_app_context() and KEPT in current_app.extensions:
        changed = itertools.chain(session.new, session.dirty, session.deleted)
        if any(isinstance(item, KEPT_MODELS) for item in changed):
            current_app.extensions[KEPT].clear()
            current_app.extensions.pop(KEPT_PAGES, None)


def get_public_survey_or_404(slug: str) -> Survey:
    def load(session: Session) -> Survey | None:
        # Its versions in the same statement: every citizen request needs them.
        return (
            session.scalars(
                select(Survey)
                .where(Survey.slug == slug)
                .options(joinedload(Survey.versions))
            )
            .unique()  # one survey, however many version rows the join gave
            .one_or_none()
        )

    survey = _kept(("survey", slug), load)
    if survey is None or survey.published_version is None:
        raise SurveyNotFound()
    return survey


def ensure_answerable(survey: Survey) -> SurveyVersion:
    """The version citizens answer now; SurveyClosed or SurveyNotOpen if none."""
    state = survey.availability()
    if state == "closed":
        raise SurveyClosed()
    if state == "not_yet":
        raise SurveyNotOpen()
    return survey.published_version  # type: ignore[return-value]


def survey_unit_or_404(survey: Survey, unit_code: str) -> Unit:
    """The unit, if active and assigned to the survey (one statement)."""

    def load(session: Session) -> Unit | None:
        found = session.execute(
            select(Unit, survey_units.c.unit_id)
            .outerjoin(
                survey_units,
                and_(
                    survey_units.c.unit_id == Unit.id,
                    survey_units.c.survey_id == survey.id,
                ),
            )
            .where(Unit.code == unit_code)
        ).first()
        unit, assigned = found if found is not None else (None, None)
        if unit is None or not unit.active:
            raise UnknownServicePoint()
        if assigned is None:
            raise ServicePointNotInSurvey()
        return unit

    return _kept(("unit", survey.id, unit_code), load)  # type: ignore[return-value]


def version_of_ticket_or_400(survey: Survey, version_id: int) -> SurveyVersion:
    """The published version the form was issued for: answers stay with it."""
    version = db.session.get(SurveyVersion, version_id)
    if version is None or version.survey_id != survey.id or not version.is_published:
        raise DamagedForm()
    return version  # type: ignore[return-value]


def load_version_questions(version: SurveyVersion) -> list[Question]:
    """Every question of the version with its options and page, in three queries."""
    return list(
        db.session.scalars(
            select(Question)
            .where(Question.version_id == version.id)
            .options(selectinload(Question.options), selectinload(Question.page))
            .order_by(Question.position)
        )
    )


def _fold(value: str) -> str:
    """Lower case without diacritics, so "phuong ben thanh" finds "Phường Bến Thành"."""
    value = value.replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFD", value)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


def search_units(survey: Survey, query: str) -> list[Unit]:
    units = [u for u in survey.units if u.active]
    words = _fold(query).split()
    if not words:
        return units
    return [
        u
        for u in units
        if all(w in _fold(f"{u.name_vi} {u.name_en} {u.code}") for w in words)
    ]


# --- the citizen's form, read once per worker -------------------------------


@dataclass(frozen=True)
class PageData:
    id: int
    position: int
    title_vi: str
    title_en: str
    show_if: Condition | None = None

    def title(self, lang: str) -> str:
        return _text(self.title_vi, self.title_en, lang)


def stored_condition(data: object) -> Condition | None:
    """A condition column's value; one that no longer reads counts as none."""
    if data is None:
        return None
    try:
        return from_data(data)
    except ConditionError:
        return None


@dataclass(frozen=True)
class OptionData:
    id: int
    question_id: int
    code: str
    label_vi: str
    label_en: str
    is_other: bool

    def label(self, lang: str) -> str:
        return _text(self.label_vi, self.label_en, lang)


@dataclass(frozen=True)
class QuestionData:
    """A question as the form needs it: plain data, safe to share between requests."""

    id: int
    page_id: int
    page: PageData
    position: int
    code: str
    type: str
    text_vi: str
    text_en: str
    help_vi: str
    help_en: str
    required: bool
    dimension: str | None
    options: tuple[OptionData, ...]
    condition_question_id: int | None
    condition_option_codes: tuple[str, ...] | None
    min_value: int | None
    max_value: int | None
    max_choices: int | None
    max_length: int | None
    show_if: Condition | None = None
    end_if: Condition | None = None
    whole_number: bool = False

    def text(self, lang: str) -> str:
        return _text(self.text_vi, self.text_en, lang)

    def help(self, lang: str) -> str:
        return _text(self.help_vi, self.help_en, lang)


_FORMS: dict[tuple[str, int, datetime], tuple[QuestionData, ...]] = {}
_FIELDS: dict[tuple[str, int, datetime], AnswerFields] = {}


def form_questions(version: SurveyVersion) -> tuple[QuestionData, ...]:
    """The questions of ``version`` for the citizen's form.

    A published version never changes, so its questions are read from the
    database once per worker and kept; a draft (the designer's preview) is
    read every time. The key holds the database and the publication time, so
    a version id reused by another database is never confused with it.
    """
    key = (str(db.engine.url), version.id, version.published_at)
    if version.published_at is not None and key in _FORMS:
        return _FORMS[key]
    pages: dict[int, PageData] = {}
    built = []
    for q in load_version_questions(version):
        page = pages.setdefault(
            q.page_id,
            PageData(
                q.page.id,
                q.page.position,
                q.page.title_vi,
                q.page.title_en,
                stored_condition(q.page.show_if),
            ),
        )
        built.append(
            QuestionData(
                id=q.id,
                page_id=q.page_id,
                page=page,
                position=q.position,
                **question_fields(q),
                options=tuple(
                    OptionData(
                        o.id, o.question_id, o.code, o.label_vi, o.label_en, o.is_other
                    )
                    for o in q.options
                ),
                condition_question_id=q.condition_question_id,
                condition_option_codes=(
                    tuple(q.condition_option_codes)
                    if q.condition_option_codes is not None
                    else None
                ),
                show_if=stored_condition(q.show_if),
                end_if=stored_condition(q.end_if),
                whole_number=bool(q.whole_number),
            )
        )
    questions = tuple(built)
    if version.published_at is not None:
        _FORMS[key] = questions
    return questions


def answer_fields(version: SurveyVersion) -> AnswerFields:
    """How the raw export writes the answers to ``version``, kept like its
    questions (a published version's, once per worker)."""
    key = (str(db.engine.url), version.id, version.published_at)
    if version.published_at is not None and key in _FIELDS:
        return _FIELDS[key]
    fields = AnswerFields.of(form_questions(version))
    if version.published_at is not None:
        _FIELDS[key] = fields
    return fields


def version_minutes(version: SurveyVersion) -> int:
    """The one time estimate of a version (``questions.estimated_minutes``)."""
    questions = form_questions(version)
    loads = tuple(
        QuestionLoad.of(
            q,
            (o.label_vi for o in q.options),
            q.condition_question_id is not None
            or q.show_if is not None
            or q.page.show_if is not None,
        )
        for q in questions
    )
    return estimated_minutes(loads, len({q.page_id for q in questions}))


def survey_minutes(survey: Survey) -> int | None:
    """Minutes of the version citizens answer (else the draft), for the home
    page, the form's intro and the posters alike."""
    version = survey.published_version or survey.draft_version
    return version_minutes(version) if version is not None else None


def _rules_of(question: Question) -> list[Condition]:
    found = (stored_condition(question.show_if), stored_condition(question.end_if))
    return [c for c in found if c is not None]


def rule_problems(version: SurveyVersion) -> list[str]:
    """What is wrong with a version's show and end rules (by question code):
    each reads earlier questions only (an end rule its own too) and their
    options. The designer refuses a change that leaves any."""
    targets: dict[str, Target] = {}
    problems: list[str] = []
    pages_read: set[int] = set()
    for q in sorted(version.questions, key=lambda q: q.position):
        page_rule = stored_condition(q.page.show_if)
        if q.page_id not in pages_read and page_rule is not None:
            problems += check_condition(page_rule, targets)
        pages_read.add(q.page_id)
        itself = Target(q.type, frozenset(o.code for o in q.options))
        own = stored_condition(q.show_if)
        if own is not None:
            problems += check_condition(own, targets)
        end = stored_condition(q.end_if)
        if end is not None:
            problems += check_condition(end, {**targets, q.code: itself})
        targets[q.code] = itself
    return problems


def read_by_rules(version: SurveyVersion, besides: Question) -> frozenset[str]:
    """Codes that the show and end rules of the other questions and the pages read."""
    rules = [r for q in version.questions if q.id != besides.id for r in _rules_of(q)]
    rules += [c for p in version.pages if (c := stored_condition(p.show_if))]
    return frozenset(code for rule in rules for code in rule.questions())
