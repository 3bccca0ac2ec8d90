"""Pages of a version, page-to-page moves and error sentences for the form."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from flask_babel import gettext as _

from survey.domain import answers as checks
from survey.domain.answers import CleanAnswer, QuestionRule, check_answers
from survey.models import Page, Question


@dataclass(frozen=True)
class FormPage:
    index: int
    page: Page
    questions: tuple[Question, ...]


def group_pages(questions: Sequence[Question]) -> list[FormPage]:
    """The version's pages that hold questions, in order, numbered from 0."""
    by_page: dict[int, list[Question]] = {}
    pages: dict[int, Page] = {}
    for question in questions:
        by_page.setdefault(question.page_id, []).append(question)
        pages[question.page_id] = question.page
    ordered = sorted(pages.values(), key=lambda p: p.position)
    return [FormPage(i, p, tuple(by_page[p.id])) for i, p in enumerate(ordered)]


def _shown(page: FormPage, visible: frozenset[int]) -> bool:
    return any(q.id in visible for q in page.questions)


def next_page(pages: Sequence[FormPage], current: int, visible: frozenset[int]) -> int:
    """The next page with a visible question; pages hidden by conditions are skipped."""
    for page in pages[current + 1 :]:
        if _shown(page, visible):
            return page.index
    return current


def previous_page(
    pages: Sequence[FormPage], current: int, visible: frozenset[int]
) -> int:
    for page in reversed(pages[:current]):
        if _shown(page, visible):
            return page.index
    return current


@dataclass(frozen=True)
class Step:
    """Where a post of the form leads: a page to show, or done (store it)."""

    page: int
    errors: dict[int, str]
    visible: frozenset[int]
    answers: dict[int, CleanAnswer]
    done: bool


def _page_number(value: str | None, pages: Sequence[FormPage]) -> int:
    text = (value or "").strip()
    number = int(text) if text.isascii() and text.isdigit() and len(text) < 4 else 0
    return min(number, len(pages) - 1)


def navigate(
    pages: Sequence[FormPage],
    rules: Sequence[QuestionRule],
    raw: Mapping[int, Sequence[str]],
    others: Mapping[int, str],
    posted_page: str | None,
    action: str,
) -> Step:
    """Back keeps answers unchecked; next checks this page; submit checks all."""
    page = _page_number(posted_page, pages)
    if action == "back":
        checked = check_answers(rules, raw, others, pages=frozenset())
        return Step(
            previous_page(pages, page, checked.visible), {}, checked.visible, {}, False
        )
    current = frozenset({page}) if action == "next" else None
    checked = check_answers(rules, raw, others, pages=current)
    if checked.errors:
        first = min(
            p.index for p in pages if any(q.id in checked.errors for q in p.questions)
        )
        return Step(first, checked.errors, checked.visible, {}, False)
    if action == "next":
        return Step(
            next_page(pages, page, checked.visible), {}, checked.visible, {}, False
        )
    return Step(page, {}, checked.visible, checked.answers, True)


def error_messages(errors: dict[int, str]) -> dict[int, str]:
    """Error codes of the checker as sentences in the reader's language."""
    sentences = {
        checks.REQUIRED: _("Please answer this question."),
        checks.INVALID_CHOICE: _("Please choose one of the options shown."),
        checks.TOO_MANY: _("You chose more options than allowed."),
        checks.OUT_OF_RANGE: _("This value is outside the allowed range."),
        checks.NOT_A_NUMBER: _("Please enter a number."),
        checks.NOT_A_DATE: _("Please enter a date (day, month, year)."),
        checks.TOO_LONG: _("This answer is too long."),
        checks.OTHER_MISSING: _("Please say what you mean by “other”."),
        checks.SINGLE_VALUE: _("Please give only one answer."),
    }
    return {
        qid: sentences.get(code, _("This answer is not valid."))
        for qid, code in errors.items()
    }


def questions_to_show(
    pages: Sequence[FormPage], current: int, visible: frozenset[int] | None
) -> frozenset[int]:
    """Questions of the current page to render as controls.

    A question whose condition depends on an answer on the same page is shown
    (without JavaScript the page cannot react); the server ignores it if the
    condition ends up false. ``visible`` is None before any answer is given.
    """
    on_page = {q.id for q in pages[current].questions}
    return frozenset(
        q.id
        for q in pages[current].questions
        if visible is None or q.id in visible or q.condition_question_id in on_page
    )
