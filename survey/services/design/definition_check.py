"""Checking a survey definition document: its limits, its codes, and every
problem found at once (ExchangeError), before a row is written."""

from __future__ import annotations

import re
from typing import Any

from flask_babel import gettext as _

from survey.domain import conditions as cond
from survey.domain.question_types import is_known, question_type
from survey.domain.questions import (
    SHORT_TEXT,
    ConditionSpec,
    OptionSpec,
    PageSpec,
    QuestionSpec,
    SurveySpec,
)

FORMAT = "citizen-survey-definition"
FORMAT_VERSION = 1
MAX_BYTES = 512 * 1024
MAX_PAGES = 50
MAX_QUESTIONS = 300
MAX_OPTIONS = 100
CODE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,39}$")
INT_FIELDS = ("min_value", "max_value", "max_choices", "max_length")


class ExchangeError(ValueError):
    """A definition file that cannot be imported, with every reason found."""

    def __init__(self, reasons: list[str]) -> None:
        super().__init__("; ".join(reasons))
        self.reasons = reasons


class _Checker:
    """Reads a decoded document into a spec, collecting every problem."""

    def __init__(self) -> None:
        self.reasons: list[str] = []

    def fail(self, where: str, message: str) -> None:
        if len(self.reasons) < 50:
            self.reasons.append(f"{where}: {message}" if where else message)

    def text(
        self, data: dict[str, Any], key: str, where: str, limit: int, needed: bool
    ) -> str:
        value = data.get(key, "")
        if value is None:
            value = ""
        if not isinstance(value, str):
            self.fail(where, _("%(key)s must be text", key=key))
            return ""
        if needed and not value.strip():
            self.fail(where, _("%(key)s is missing", key=key))
        if len(value) > limit:
            self.fail(where, _("%(key)s is too long", key=key))
        return value

    def integer(self, data: dict[str, Any], key: str, where: str) -> int | None:
        value = data.get(key)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            self.fail(where, _("%(key)s must be a whole number", key=key))
            return None
        if abs(value) > 1_000_000_000:
            self.fail(where, _("%(key)s is out of range", key=key))
        return value

    def survey(self, data: Any) -> SurveySpec:
        if not isinstance(data, dict):
            self.fail("", _("the definition must be an object"))
            return SurveySpec("", "", "", "")
        pages_data = data.get("pages")
        if not isinstance(pages_data, list) or not pages_data:
            self.fail("", _("the definition needs a list of pages"))
            pages_data = []
        if len(pages_data) > MAX_PAGES:
            self.fail("", _("more than %(n)s pages", n=MAX_PAGES))
            pages_data = []
        seen: dict[str, QuestionSpec] = {}
        pages = tuple(
            self.page(p, f"page {i}", seen) for i, p in enumerate(pages_data, 1)
        )
        if len(seen) > MAX_QUESTIONS:
            self.fail("", _("more than %(n)s questions", n=MAX_QUESTIONS))
        return SurveySpec(
            title_vi=self.text(data, "title_vi", "", 300, True),
            title_en=self.text(data, "title_en", "", 300, False),
            intro_vi=self.text(data, "intro_vi", "", 5000, False),
            intro_en=self.text(data, "intro_en", "", 5000, False),
            thanks_vi=self.text(data, "thanks_vi", "", 5000, False),
            thanks_en=self.text(data, "thanks_en", "", 5000, False),
            pages=pages,
        )

    def page(self, data: Any, where: str, seen: dict[str, QuestionSpec]) -> PageSpec:
        if not isinstance(data, dict):
            self.fail(where, _("a page must be an object"))
            return PageSpec("", "")
        questions_data = data.get("questions", [])
        if not isinstance(questions_data, list) or len(questions_data) > MAX_QUESTIONS:
            self.fail(where, _("questions must be a list"))
            questions_data = []
        show_if = self.rule(data.get("show_if"), where, seen)
        questions = []
        for number, item in enumerate(questions_data, 1):
            q = self.question(item, f"{where}, question {number}", seen)
            if q is not None:
                seen[q.code] = q
                questions.append(q)
        return PageSpec(
            self.text(data, "title_vi", where, 300, False),
            self.text(data, "title_en", where, 300, False),
            tuple(questions),
            show_if,
        )

    def question(
        self, data: Any, where: str, seen: dict[str, QuestionSpec]
    ) -> QuestionSpec | None:
        if not isinstance(data, dict):
            self.fail(where, _("a question must be an object"))
            return None
        code = data.get("code")
        if not isinstance(code, str) or not CODE_RE.match(code):
            self.fail(where, _("the code is missing or not valid"))
            return None
        where = f"{where} ({code})"
        if code in seen:
            self.fail(where, _("the code is used twice"))
        kind = data.get("type")
        if not isinstance(kind, str) or not is_known(kind):
            self.fail(where, _("unknown type %(type)s", type=str(kind)[:30]))
            kind = SHORT_TEXT
        required = data.get("required", True)
        if not isinstance(required, bool):
            self.fail(where, _("required must be true or false"))
            required = True
        dimension = data.get("dimension")
        if dimension is not None and (
            not isinstance(dimension, str) or len(dimension) > 30
        ):
            self.fail(where, _("dimension must be a short text"))
            dimension = None
        options = self.options(data.get("options", []), where)
        allowed = question_type(kind).allowed_codes
        if question_type(kind).has_options and not options:
            self.fail(where, _("a choice question needs options"))
        if allowed is not None and not {o.code for o in options} <= allowed:
            self.fail(where, _("a five-point question's codes are 1 to 5, and 9"))
        whole = data.get("whole_number", False)
        if not isinstance(whole, bool):
            self.fail(where, _("whole_number must be true or false"))
        itself = QuestionSpec(code, str(kind), "", "", options=options)
        return QuestionSpec(
            code=code,
            type=kind,
            text_vi=self.text(data, "text_vi", where, 2000, True),
            text_en=self.text(data, "text_en", where, 2000, False),
            help_vi=self.text(data, "help_vi", where, 2000, False),
            help_en=self.text(data, "help_en", where, 2000, False),
            required=required,
            dimension=dimension,
            options=options,
            condition=self.condition(data.get("condition"), where, seen),
            show_if=self.rule(data.get("show_if"), where, seen),
            end_if=self.rule(data.get("end_if"), where, {**seen, code: itself}),
            whole_number=whole is True,
            **{name: self.integer(data, name, where) for name in INT_FIELDS},
        )

    def rule(
        self, data: Any, where: str, seen: dict[str, QuestionSpec]
    ) -> cond.Condition | None:
        """A display or end condition on the questions ``seen`` so far."""
        if data is None:
            return None
        targets = {
            q.code: cond.Target(q.type, frozenset(o.code for o in q.options))
            for q in seen.values()
        }
        try:
            return cond.read_checked(data, targets)
        except cond.ConditionError as error:
            self.fail(where, _("the condition is not valid: %(why)s", why=str(error)))
            return None

    def options(self, data: Any, where: str) -> tuple[OptionSpec, ...]:
        if not isinstance(data, list) or len(data) > MAX_OPTIONS:
            self.fail(
                where, _("options must be a list of at most %(n)s", n=MAX_OPTIONS)
            )
            return ()
        options: list[OptionSpec] = []
        for item in data:
            if not isinstance(item, dict):
                self.fail(where, _("an option must be an object"))
                continue
            code = item.get("code")
            if not isinstance(code, str) or not CODE_RE.match(code):
                self.fail(where, _("an option code is missing or not valid"))
                continue
            if any(o.code == code for o in options):
                self.fail(where, _("the option code %(code)s is used twice", code=code))
            is_other = item.get("is_other", False)
            options.append(
                OptionSpec(
                    code,
                    self.text(item, "label_vi", where, 500, True),
                    self.text(item, "label_en", where, 500, False),
                    is_other if isinstance(is_other, bool) else False,
                )
            )
        return tuple(options)

    def condition(
        self, data: Any, where: str, seen: dict[str, QuestionSpec]
    ) -> ConditionSpec | None:
        if data is None:
            return None
        if not isinstance(data, dict):
            self.fail(where, _("the condition must be an object"))
            return None
        source = seen.get(str(data.get("question")))
        codes = data.get("option_codes")
        if source is None:
            self.fail(where, _("the condition names no earlier question"))
            return None
        if (
            not isinstance(codes, list)
            or not codes
            or not all(isinstance(c, str) for c in codes)
            or not set(codes) <= {o.code for o in source.options}
        ):
            self.fail(
                where,
                _(
                    "the condition's option codes are not options of %(code)s",
                    code=source.code,
                ),
            )
            return None
        return ConditionSpec(source.code, tuple(codes))
