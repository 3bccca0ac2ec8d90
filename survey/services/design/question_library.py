"""The question library: any question of the standard banks, added to any draft.

A bank question keeps its code, wording in both languages, options, dimension
and limits, so its answers count in the same indices as the bank's surveys.
Its display condition stays behind: it pointed at questions of the bank's own
survey, which the draft may not have.
"""

from __future__ import annotations

from dataclasses import dataclass

from survey.domain.banks import TEMPLATE_TITLES, TEMPLATES
from survey.domain.questions import QuestionSpec
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
                code=spec.code,
                type=spec.type,
                text_vi=spec.text_vi,
                text_en=spec.text_en,
                help_vi=spec.help_vi,
                help_en=spec.help_en,
                required=spec.required,
                dimension=spec.dimension,
                options=spec.options,
                page_id=page_id,
                min_value=spec.min_value,
                max_value=spec.max_value,
                max_choices=spec.max_choices,
                max_length=spec.max_length,
            ),
        )
        taken.add(code)
        added.append(code)
    return added, skipped
