"""The survey designer: drafts, pages, questions, options, versions, states.

Every function changes rows of a *draft* version (``ensure_editable`` guards
it), writes one audit event and flushes; the view commits.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from survey.domain.banks import TEMPLATES
from survey.domain.question_types import REGISTRY, QuestionType
from survey.domain.questions import OptionSpec, PageSpec, SurveySpec
from survey.extensions import db
from survey.models import Page, Question, Survey, SurveyVersion, Unit, User
from survey.services.answering.surveys import read_by_rules, rule_problems
from survey.services.audit import record_event
from survey.services.design.definitions import (
    add_version_from_spec,
    create_survey,
    option_rows,
)
from survey.services.design.errors import DesignerError
from survey.services.design.exchange import version_spec


@dataclass(frozen=True)
class QuestionDraft:
    """What the question form gives, already checked field by field (not the
    public form's ``answering.surveys.QuestionData``)."""

    code: str
    type: str
    text_vi: str
    text_en: str = ""
    help_vi: str = ""
    help_en: str = ""
    required: bool = True
    dimension: str | None = None
    options: tuple[OptionSpec, ...] = ()
    page_id: int | None = None
    condition_question_id: int | None = None
    condition_option_codes: tuple[str, ...] = ()
    min_value: int | None = None
    max_value: int | None = None
    max_choices: int | None = None
    max_length: int | None = None


# --- surveys ----------------------------------------------------------------


def blank_spec(title_vi: str, title_en: str) -> SurveySpec:
    return SurveySpec(
        title_vi=title_vi,
        title_en=title_en,
        intro_vi="",
        intro_en="",
        pages=(PageSpec("", ""),),
    )


def slug_taken(slug: str) -> bool:
    return db.session.scalar(select(Survey.id).where(Survey.slug == slug)) is not None


def create_designed_survey(
    user: User, slug: str, template: str, title_vi: str, title_en: str, owner: Unit
) -> Survey:
    """A new draft survey, blank or from a question bank, owned by ``owner``."""
    if slug_taken(slug):
        raise DesignerError("slug_taken")
    if template:
        spec = TEMPLATES[template]().retitled(title_vi, title_en)
    else:
        spec = blank_spec(title_vi, title_en)
    survey = create_survey(slug, spec, owner, [])
    db.session.flush()
    record_event(
        user, "create_survey", "survey", survey.slug, template=template or "blank"
    )
    return survey


def new_draft_from(version: SurveyVersion) -> SurveyVersion:
    """A new draft version of the same survey, an exact copy of ``version``."""
    survey = version.survey
    if survey.draft_version is not None:
        raise DesignerError("draft_exists")
    return add_version_from_spec(survey, version_spec(version))


def start_new_draft(user: User, survey: Survey) -> SurveyVersion:
    published = survey.published_version
    if published is None:
        raise DesignerError("nothing_published")
    draft = new_draft_from(published)
    record_event(
        user,
        "new_draft",
        "survey",
        survey.slug,
        version=draft.number,
        source=published.number,
    )
    return draft


def update_texts(user: User, version: SurveyVersion, texts: dict[str, str]) -> None:
    version.ensure_editable()
    for name in ("title_vi", "title_en", "intro_vi", "intro_en"):
        setattr(version, name, texts[name])
    version.thanks_vi, version.thanks_en = texts["thanks_vi"], texts["thanks_en"]
    # The survey's list title follows its newest texts.
    version.survey.title_vi, version.survey.title_en = (
        version.title_vi,
        version.title_en,
    )
    db.session.flush()
    record_event(
        user, "edit_texts", "survey", version.survey.slug, version=version.number
    )


def publish_draft(user: User, survey: Survey) -> SurveyVersion:
    draft = survey.draft_version
    if draft is None:
        raise DesignerError("no_draft")
    _check_conditions(draft)
    draft.publish()
    db.session.flush()
    record_event(user, "publish", "survey", survey.slug, version=draft.number)
    return draft


def set_state(
    user: User,
    survey: Survey,
    action: str,
    opens_at: datetime | None = None,
    closes_at: datetime | None = None,
) -> None:
    """``open``, ``close`` or ``window`` (the dates citizens may answer between)."""
    if action == "open":
        survey.open()
    elif action == "close":
        survey.close()
    elif action == "window":
        if opens_at and closes_at and closes_at <= opens_at:
            raise DesignerError("window_order")
        survey.opens_at, survey.closes_at = opens_at, closes_at
    else:
        raise DesignerError("unknown_action")
    db.session.flush()
    record_event(
        user,
        f"{action}_survey",
        "survey",
        survey.slug,
        opens_at=opens_at.isoformat() if opens_at else None,
        closes_at=closes_at.isoformat() if closes_at else None,
    )


def set_settings(user: User, survey: Survey, publish_results: bool, min_n: int) -> None:
    """Open-data publication and the suppression threshold of the survey."""
    survey.publish_results, survey.min_n = publish_results, max(10, min_n)
    db.session.flush()
    record_event(
        user,
        "survey_settings",
        "survey",
        survey.slug,
        publish_results=publish_results,
        min_n=survey.min_n,
    )


# --- pages ------------------------------------------------------------------


def add_page(user: User, version: SurveyVersion, title_vi: str, title_en: str) -> Page:
    version.ensure_editable()
    position = max((p.position for p in version.pages), default=-1) + 1
    page = Page(
        version=version, position=position, title_vi=title_vi, title_en=title_en
    )
    db.session.add(page)
    db.session.flush()
    record_event(user, "add_page", "survey", version.survey.slug, page=page.id)
    return page


def rename_page(user: User, page: Page, title_vi: str, title_en: str) -> None:
    page.version.ensure_editable()
    page.title_vi, page.title_en = title_vi, title_en
    db.session.flush()
    record_event(user, "rename_page", "survey", page.version.survey.slug, page=page.id)


def delete_page(user: User, page: Page) -> None:
    version = page.version
    version.ensure_editable()
    if page.questions:
        raise DesignerError("page_not_empty")
    if len(version.pages) == 1:
        raise DesignerError("last_page")
    slug = version.survey.slug
    version.pages.remove(page)
    db.session.delete(page)
    for position, remaining in enumerate(version.pages):
        remaining.position = position
    db.session.flush()
    record_event(user, "delete_page", "survey", slug, page=page.id)


# --- questions --------------------------------------------------------------


def _options_for(kind: QuestionType, data: QuestionDraft) -> tuple[OptionSpec, ...]:
    """The options the question keeps: none unless its type takes options."""
    if not kind.has_options:
        return ()
    options = data.options or kind.default_options
    if not options:
        raise DesignerError("options_needed")
    return options


def _set_question_fields(
    question: Question, version: SurveyVersion, data: QuestionDraft
) -> None:
    kind = REGISTRY.get(data.type)
    if kind is None:
        raise DesignerError("unknown_type")
    taken = {q.code for q in version.questions if q is not question}
    if data.code in taken:
        raise DesignerError("code_taken")
    options = _options_for(kind, data)
    for name in ("code", "type", "text_vi", "text_en", "help_vi", "help_en"):
        setattr(question, name, getattr(data, name))
    question.required = data.required
    question.dimension = data.dimension or None
    for limit in ("min_value", "max_value", "max_choices", "max_length"):
        setattr(question, limit, getattr(data, limit) if limit in kind.limits else None)
    if data.page_id is not None:
        page = next((p for p in version.pages if p.id == data.page_id), None)
        if page is None:
            raise DesignerError("unknown_page")
        question.page = page
    _set_options(question, options)
    _set_condition(question, version, data)


def _set_options(question: Question, options: tuple[OptionSpec, ...]) -> None:
    current = [(o.code, o.label_vi, o.label_en, o.is_other) for o in question.options]
    wanted = [(o.code, o.label_vi, o.label_en, o.is_other) for o in options]
    if current == wanted:
        return
    if question.options:
        question.options.clear()
        db.session.flush()  # the old codes leave before the new ones arrive
    question.options.extend(option_rows(options))


def _set_condition(
    question: Question, version: SurveyVersion, data: QuestionDraft
) -> None:
    if data.condition_question_id:
        source = next(
            (q for q in version.questions if q.id == data.condition_question_id), None
        )
        if source is None or source is question:
            raise DesignerError("condition_unknown")
        question.condition_question = source
        question.condition_option_codes = list(data.condition_option_codes)
    else:
        question.condition_question = None
        question.condition_option_codes = None


def add_question(user: User, version: SurveyVersion, data: QuestionDraft) -> Question:
    version.ensure_editable()
    question = Question(version=version, position=len(version.questions))
    if data.page_id is None:
        question.page = version.pages[-1]
    _set_question_fields(question, version, data)
    db.session.add(question)
    _renumber(version)
    _check_conditions(version)
    record_event(
        user, "add_question", "survey", version.survey.slug, question=question.code
    )
    return question


def update_question(user: User, question: Question, data: QuestionDraft) -> None:
    version = question.version
    version.ensure_editable()
    _set_question_fields(question, version, data)
    _renumber(version)
    _check_conditions(version)
    record_event(
        user, "edit_question", "survey", version.survey.slug, question=question.code
    )


def move_question(user: User, question: Question, direction: str) -> None:
    """One step up or down; across a page boundary it changes page."""
    version = question.version
    version.ensure_editable()
    pages = sorted(version.pages, key=lambda p: p.position)
    on_page = sorted(question.page.questions, key=lambda q: q.position)
    index = on_page.index(question)
    page_index = pages.index(question.page)
    step = -1 if direction == "up" else 1
    if 0 <= index + step < len(on_page):
        other = on_page[index + step]
        question.position, other.position = other.position, question.position
    elif 0 <= page_index + step < len(pages):
        question.page = pages[page_index + step]
        # First of the next page, or last of the previous one.
        question.position = -1 if step > 0 else 1_000_000
    else:
        raise DesignerError("cannot_move")
    db.session.flush()
    _renumber(version)
    _check_conditions(version)
    record_event(
        user,
        "move_question",
        "survey",
        version.survey.slug,
        question=question.code,
        direction=direction,
    )


def delete_question(user: User, question: Question) -> None:
    version = question.version
    version.ensure_editable()
    depends = any(q.condition_question_id == question.id for q in version.questions)
    if depends or question.code in read_by_rules(version, besides=question):
        raise DesignerError("condition_source")
    code = question.code
    db.session.delete(question)
    db.session.flush()
    db.session.expire(version, ["questions"])
    _renumber(version)
    record_event(user, "delete_question", "survey", version.survey.slug, question=code)


def _renumber(version: SurveyVersion) -> None:
    """Positions follow page order, then the order within each page."""
    db.session.flush()
    page_order = {p.id: p.position for p in version.pages}
    ordered = sorted(
        version.questions, key=lambda q: (page_order.get(q.page_id, 0), q.position)
    )
    for position, question in enumerate(ordered):
        question.position = position
    version.questions.sort(key=lambda q: q.position)
    db.session.flush()
    for page in version.pages:
        db.session.expire(page, ["questions"])


def _check_conditions(version: SurveyVersion) -> None:
    """Each condition points at an earlier question and at codes it offers."""
    by_id = {q.id: q for q in version.questions}
    for q in version.questions:
        if q.condition_question_id is None:
            continue
        source = by_id.get(q.condition_question_id)
        if source is None or source.position >= q.position:
            raise DesignerError("condition_order")
        codes = {o.code for o in source.options}
        if not q.condition_option_codes or not set(q.condition_option_codes) <= codes:
            raise DesignerError("condition_codes")
    if rule_problems(version):  # the show and end rules (conditions.py)
        raise DesignerError("condition_order")
