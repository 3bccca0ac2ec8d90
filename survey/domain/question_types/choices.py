"""What the option-picking types (five-point scale, single and multiple
choice) share: the check of the picked codes and of an "other" text."""

from __future__ import annotations

from collections.abc import Sequence

from survey.domain.question_types.base import (
    INVALID_CHOICE,
    OTHER_MISSING,
    TOO_LONG,
    TOO_MANY,
    CleanAnswer,
    Outcome,
    QuestionType,
    Rule,
    clean_text,
)

OTHER_TEXT_LIMIT = 300


class ChoiceType(QuestionType):
    compared_as = "option"
    has_options = True

    def clean(self, rule: Rule, values: Sequence[str], other: str) -> Outcome:
        if any(v not in rule.option_codes for v in values):
            return INVALID_CHOICE
        unique = tuple(dict.fromkeys(values))
        most = rule.max_choices if "max_choices" in self.limits else None
        if most is not None and len(unique) > most:
            return TOO_MANY
        other_text = None
        if rule.other_codes & set(unique):
            other_text = clean_text(other)
            if not other_text:
                return OTHER_MISSING
            if len(other_text) > OTHER_TEXT_LIMIT:
                return TOO_LONG
        return CleanAnswer(
            rule.id,
            option_codes=unique,
            value_int=self.option_value(unique[0]),
            other_text=other_text,
        )

    def xlsform_type(self, whole_number: bool) -> tuple[str, str, str]:
        return ("select_multiple" if self.several else "select_one"), "", ""
