"""Pages of a version, page-to-page moves and error sentences for the form."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from flask_babel import format_number
from flask_babel import gettext as _

from survey.domain import answers as checks
from survey.domain.answers import CleanAnswer, QuestionRule, check_answers
from survey.domain.question_types import question_type
from survey.models import Page, Question
from survey.services.answering.surveys import PageData, QuestionData

# A question as the form reads it: the citizen's form is built from plain data
# (survey.services.answering.surveys), the designer's preview from the rows.
FormQuestion = Question | QuestionData


@dataclass(frozen=True)
class FormPage:
    index: int
    page: Page | PageData
    questions: tuple[FormQuestion, ...]


def group_pages(questions: Sequence[FormQuestion]) -> list[FormPage]:
    """The version's pages that hold questions, in order, numbered from 0."""
    by_page: dict[int, list[FormQuestion]] = {}
    pages: dict[int, Page | PageData] = {}
    for question in questions:
        by_page.setdefault(question.page_id, []).append(question)
        pages[question.page_id] = question.page
    ordered = sorted(pages.values(), key=lambda p: p.position)
    return [FormPage(i, p, tuple(by_page[p.id])) for i, p in enumerate(ordered)]


def _shown(page: FormPage, visible: frozenset[int]) -> bool:
    return any(q.id in visible for q in page.questions)


def next_page(
    pages: Sequence[FormPage], current: int, visible: frozenset[int]
) -> int | None:
    """The next page with a visible question, or None: the current page is the last.

    Pages hidden by conditions (or past an end rule) are skipped.
    """
    for page in pages[current + 1 :]:
        if _shown(page, visible):
            return page.index
    return None


def previous_page(
    pages: Sequence[FormPage], current: int, visible: frozenset[int]
) -> int:
    for page in reversed(pages[:current]):
        if _shown(page, visible):
            return page.index
    return current


def is_last_page(
    pages: Sequence[FormPage],
    rules: Sequence[QuestionRule],
    current: int,
    visible: frozenset[int],
) -> bool:
    """Whether the current page's button sends: no later page can be shown.

    A later page counts as possible while it is visible now or a condition of
    its questions reads a question of this page or after (an answer not yet
    given here could still show it); the script refines the label as the
    citizen answers. The server decides on the post either way.
    """
    later_codes = {q.code for p in pages[current:] for q in p.questions}
    by_id = {rule.id: rule for rule in rules}
    for page in pages[current + 1 :]:
        if _shown(page, visible):
            return False
        for q in page.questions:
            rule = by_id.get(q.id)
            condition = rule.show_if if rule else None
            if condition is None or condition.questions() & later_codes:
                return False
    return True


@dataclass(frozen=True)
class Step:
    """Where a post of the form leads: a page to show, or done (store it)."""

    page: int
    errors: dict[int, str]
    visible: frozenset[int]
    answers: dict[int, CleanAnswer]
    done: bool
    screened_out: bool = False  # done by an end rule


def _page_number(value: str | None, pages: Sequence[FormPage]) -> int:
    text = (value or "").strip()
    number = int(text) if text.isascii() and text.isdigit() and len(text) < 4 else 0
    return min(number, len(pages) - 1)


def _first_error_page(pages: Sequence[FormPage], errors: dict[int, str]) -> int:
    return min(p.index for p in pages if any(q.id in errors for q in p.questions))


def navigate(
    pages: Sequence[FormPage],
    rules: Sequence[QuestionRule],
    raw: Mapping[int, Sequence[str]],
    others: Mapping[int, str],
    posted_page: str | None,
    action: str,
) -> Step:
    """Back keeps answers unchecked; next and send check this page and move on.

    "Next" and "send" do the same: check this page, then show the next visible
    page, or, when none is left (every later page hidden, or an end rule met),
    check everything shown and finish. So no page can lead back to itself.
    """
    page = _page_number(posted_page, pages)
    if action == "back":
        checked = check_answers(rules, raw, others, pages=frozenset())
        return Step(
            previous_page(pages, page, checked.visible), {}, checked.visible, {}, False
        )
    checked = check_answers(rules, raw, others, pages=frozenset({page}))
    if checked.errors:
        first = _first_error_page(pages, checked.errors)
        return Step(first, checked.errors, checked.visible, {}, False)
    ended = checked.end_page is not None and checked.end_page <= page
    following = None if ended else next_page(pages, page, checked.visible)
    if following is not None:
        return Step(following, {}, checked.visible, {}, False)
    final = check_answers(rules, raw, others)
    if final.errors:
        first = _first_error_page(pages, final.errors)
        return Step(first, final.errors, final.visible, {}, False)
    return Step(
        page, {}, final.visible, final.answers, True, final.ended_by is not None
    )


def range_text(low: int | None, high: int | None) -> str:
    """The allowed range of a number, in words: shown before and in an error."""
    text = ""  # flask_babel has no types: _() reads as Any
    if low is not None and high is not None:
        text = _(
            "From %(low)s to %(high)s.",
            low=format_number(low),
            high=format_number(high),
        )
    elif low is not None:
        text = _("At least %(low)s.", low=format_number(low))
    elif high is not None:
        text = _("At most %(high)s.", high=format_number(high))
    return text


def _has_bounds(kind: str) -> bool:
    """Whether the question's type takes the designer's smallest/largest value."""
    return "min_value" in question_type(kind).limits


def number_hint(low: int | None, high: int | None, whole: bool = False) -> str:
    """The help shown under a number question before any answer."""
    allowed = range_text(low, high)
    if whole:
        return f"{_('A whole number.')} {allowed}".strip()
    return allowed


def error_messages(
    errors: dict[int, str], rules: Sequence[QuestionRule] = ()
) -> dict[int, str]:
    """Error codes of the checker as sentences in the reader's language.

    The Vietnamese sentences address the citizen as the survey does (Ông/Bà).
    """
    by_id = {rule.id: rule for rule in rules}
    sentences = {
        checks.REQUIRED: _("Please answer this question."),
        checks.INVALID_CHOICE: _("Please choose one of the options shown."),
        checks.OUT_OF_RANGE: _("This value is outside the allowed range."),
        checks.NOT_A_NUMBER: _("Please enter a number."),
        checks.NOT_WHOLE: _("Please enter a whole number, without decimals."),
        checks.NOT_A_DATE: _("Please enter a date (day, month, year)."),
        checks.TOO_LONG: _("This answer is too long."),
        checks.OTHER_MISSING: _("Please say what you mean by “other”."),
        checks.SINGLE_VALUE: _("Please give only one answer."),
    }
    messages = {}
    for qid, code in errors.items():
        rule = by_id.get(qid)
        message = sentences.get(code, _("This answer is not valid."))
        if code == checks.TOO_MANY:
            message = (
                _("Please choose at most %(n)s options.", n=rule.max_choices)
                if rule and rule.max_choices
                else _("Please choose fewer options.")
            )
        elif code == checks.OUT_OF_RANGE and rule and _has_bounds(rule.type):
            allowed = range_text(rule.min_value, rule.max_value)
            message = f"{message} {allowed}".strip()
        messages[qid] = message
    return messages


def questions_to_show(
    pages: Sequence[FormPage],
    rules: Sequence[QuestionRule],
    current: int,
    visible: frozenset[int] | None,
) -> frozenset[int]:
    """Questions of the current page to render as controls.

    A question whose condition reads an answer on the same page is shown
    (without JavaScript the page cannot react); the server ignores it if the
    condition ends up false. ``visible`` is None before any answer is given.
    """
    on_page = {q.code for q in pages[current].questions}
    reads = {r.id: r.show_if.questions() for r in rules if r.show_if is not None}
    return frozenset(
        q.id
        for q in pages[current].questions
        if visible is None or q.id in visible or reads.get(q.id, set()) & on_page
    )
