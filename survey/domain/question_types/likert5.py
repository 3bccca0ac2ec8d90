"""Five-point satisfaction or agreement: options 1-5 and 9 ("don't know")."""

from __future__ import annotations

from survey.domain.question_types.base import (
    DemoAnswer,
    Draw,
    OptionSpec,
    XlsformShape,
    likert_level,
    scale_code,
)
from survey.domain.question_types.choices import ChoiceType

NOT_APPLICABLE_CODE = "9"  # "don't know / not applicable": out of every denominator
LIKERT_OPTION_CODES = frozenset({"1", "2", "3", "4", "5", NOT_APPLICABLE_CODE})

# The satisfaction scale a new five-point question gets when no options are given.
DEFAULT_LIKERT_OPTIONS: tuple[OptionSpec, ...] = (
    OptionSpec("1", "Rất không hài lòng", "Very dissatisfied"),
    OptionSpec("2", "Không hài lòng", "Dissatisfied"),
    OptionSpec("3", "Bình thường", "Neither satisfied nor dissatisfied"),
    OptionSpec("4", "Hài lòng", "Satisfied"),
    OptionSpec("5", "Rất hài lòng", "Very satisfied"),
    OptionSpec("9", "Không biết/Không áp dụng", "Don't know/N/A"),
)


class Likert5(ChoiceType):
    code = "likert5"
    position = 10
    label = "Five-point scale"
    default_options = DEFAULT_LIKERT_OPTIONS
    allowed_codes = LIKERT_OPTION_CODES
    counted_as = "mean"
    shown_as = "five_point"
    ordered = True
    cell = "choice"
    xlsform_priority = 10  # before the plain single choice

    def option_value(self, code: str) -> int | None:
        return scale_code(code)

    def xlsform_type(self, whole_number: bool) -> tuple[str, str, str]:
        return "select_one", "likert", ""

    def reads_xlsform(self, shape: XlsformShape) -> bool:
        return (
            shape.kind == "select one"
            and "likert" in shape.appearance.lower()
            and bool(shape.option_codes)
            and shape.option_codes <= LIKERT_OPTION_CODES
        )

    def demo_answer(self, draw: Draw) -> DemoAnswer:
        return ("5" if draw.stuffed else str(likert_level(draw.rng, draw.level)),)
