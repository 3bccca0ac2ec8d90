"""The question library: any question of the standard banks, added to any draft.

A bank question keeps its code, wording in both languages, options, dimension
and limits, so its answers count in the same indices as the bank's surveys.
Its display condition stays behind: it pointed at questions of the bank's own
survey, which the draft may not have.
"""

from __future__ import annotations

from dataclasses import dataclass

from survey.domain.banks import TEMPLATE_TITLES, TEMPLATES
from survey.domain.questions import QuestionSpec, question_fields
from survey.models import SurveyVersion, User
from survey.services.design.designer import QuestionDraft, add_question


@dataclass(frozen=True)
class LibraryItem:
    bank: str  # the first bank that has the question
    page_vi: str
    question: QuestionSpec


def library() -> list[LibraryItem]:
    """Every bank question once, in the banks' order."""
    items: dict[str, LibraryItem] = {}
    for bank, make in TEMPLATES.items():
        for page in make().pages:
            for question in page.questions:
                items.setdefault(
                    question.code, LibraryItem(bank, page.title_vi, question)
                )
    return list(items.values())


def bank_title(bank: str, lang: str) -> str:
    titles = TEMPLATE_TITLES.get(bank, {})
    return titles.get(lang, titles.get("vi", bank))


def add_from_library(
    user: User, version: SurveyVersion, codes: list[str], page_id: int
) -> tuple[list[str], list[str]]:
    """Add the chosen bank questions to a page: (added codes, codes already there)."""
    by_code = {item.question.code: item.question for item in library()}
    taken = {q.code for q in version.questions}
    added, skipped = [], []
    for code in codes:
        spec = by_code.get(code)
        if spec is None:
            continue
        if code in taken:
            skipped.append(code)
            continue
        add_question(
            user,
            version,
            QuestionDraft(
                **question_fields(spec), options=spec.options, page_id=page_id
            ),
        )
        taken.add(code)
        added.append(code)
    return added, skipped
