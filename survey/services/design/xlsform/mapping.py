"""pyxform's tree of a form as this platform's survey spec, row by row.

Top-level groups become pages (nested groups join their outer page, repeats
are asked once); notes become help texts (or the introduction and thanks);
each question keeps what the platform can express, and every row or column
it cannot is a line of the report.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from typing import Any

from flask_babel import gettext as _

from survey.domain.question_types import WITH_OPTIONS
from survey.domain.questions import (
    ConditionSpec,
    PageSpec,
    QuestionSpec,
    SurveySpec,
)
from survey.services.design.exchange import CODE_RE, MAX_PAGES, MAX_QUESTIONS
from survey.services.design.xlsform import questions as q
from survey.services.design.xlsform.logic import Condition, Target, condition, intersect
from survey.services.design.xlsform.report import Report
from survey.services.design.xlsform.texts import Languages, all_texts, clean, fit
from survey.services.design.xlsform.workbook import Workbook

LOST = "lost"  # a condition that could not be carried over


@dataclass
class _Page:
    title_vi: str
    title_en: str
    questions: list[QuestionSpec] = field(default_factory=list)


@dataclass(frozen=True)
class _Scope:
    conditions: tuple[Condition | str, ...] = ()
    depth: int = 0


class Builder:
    def __init__(self, book: Workbook, title: str, report: Report) -> None:
        self.book = book
        self.report = report
        self.title = title
        self.languages = Languages(
            all_texts(book.form), str(book.form.get("default_language", "")), report
        )
        self.pages: list[_Page] = []
        self.page: _Page | None = None
        self.codes: set[str] = set()
        self.targets: dict[str, Target] = {}  # XLSForm name -> choice question
        self.option_codes: dict[str, dict[str, str]] = {}
        self.code_of: dict[str, str] = {}
        self.notes: list[tuple[str, str]] = []
        self.intro: list[tuple[str, str]] = []
        self.previous_other = ""

    # --- texts and codes -----------------------------------------------------

    def text(
        self,
        value: Any,
        row: int,
        name: str,
        limit: int,
        what: str,
        sheet: str = "survey",
    ) -> tuple[str, str]:
        vi, en = self.languages.pick(value)
        (vi, refs_vi, marked_vi), (en, refs_en, marked_en) = clean(vi), clean(en)
        refs = sorted(set(refs_vi + refs_en))
        if marked_vi or marked_en:
            self.report.skip(
                sheet,
                row,
                _(
                    "The %(what)s of %(name)s had HTML or Markdown formatting, "
                    "which this platform shows as typed: it was removed.",
                    what=what,
                    name=name,
                ),
            )
        if refs:
            self.report.skip(
                sheet,
                row,
                _(
                    "The %(what)s of %(name)s shows earlier answers (%(refs)s): "
                    "this platform cannot, so they were replaced by “…”.",
                    what=what,
                    name=name,
                    refs=", ".join(refs)[:200],
                ),
            )
        (vi, cut_vi), (en, cut_en) = fit(vi, limit), fit(en, limit)
        if cut_vi or cut_en:
            self.report.skip(
                sheet,
                row,
                _(
                    "The %(what)s of %(name)s is longer than %(n)s characters: "
                    "it was cut.",
                    what=what,
                    name=name,
                    n=limit,
                ),
            )
        return vi, en

    def code(self, name: str, row: int, taken: set[str], sheet: str) -> str:
        """A usable, unused code for ``name``; a changed one is reported."""
        code = name
        if not CODE_RE.match(code):
            code = re.sub(r"[^A-Za-z0-9_.-]", "_", code).lstrip("_.-")[:40]
            if not code:
                code = f"q{row}" if sheet == "survey" else "c"
        base, n = code, 2
        while code in taken:
            suffix = f"_{n}"
            code, n = base[: 40 - len(suffix)] + suffix, n + 1
        if code != name:
            self.report.skip(
                sheet,
                row,
                _(
                    "The name %(name)s is not usable as a code here (letters, "
                    "digits, '.', '-', '_'; at most 40; not starting with _ and "
                    "used once): it became %(code)s.",
                    name=name[:60],
                    code=code,
                ),
            )
        taken.add(code)
        return code

    # --- the tree ------------------------------------------------------------

    def build(self) -> SurveySpec:
        self.walk(self.book.form.get("children") or [], _Scope())
        self.close_page()
        self.languages.finish(self.report)
        pages = [p for p in self.pages if p.questions]
        if len(pages) > MAX_PAGES:
            self.report.skip(
                "",
                0,
                _(
                    "The form has %(n)s pages; this platform allows %(max)s: the "
                    "last ones were joined into page %(max)s.",
                    n=len(pages),
                    max=MAX_PAGES,
                ),
            )
            last = pages[MAX_PAGES - 1]
            for extra in pages[MAX_PAGES:]:
                last.questions.extend(extra.questions)
            pages = pages[:MAX_PAGES]
        intro = self.join(self.intro)
        thanks = self.join(self.notes)
        title_vi, title_en = self.title_texts()
        return SurveySpec(
            title_vi=title_vi,
            title_en=title_en,
            intro_vi=intro[0],
            intro_en=intro[1],
            thanks_vi=thanks[0],
            thanks_en=thanks[1],
            pages=tuple(
                PageSpec(p.title_vi, p.title_en, tuple(p.questions)) for p in pages
            ),
        )

    def title_texts(self) -> tuple[str, str]:
        title = self.book.settings.get("form_title", "") or self.title
        return fit(" ".join(title.split()), 300)[0] or "XLSForm", ""

    @staticmethod
    def join(notes: list[tuple[str, str]]) -> tuple[str, str]:
        vi = "\n\n".join(v for v, _e in notes if v)
        en = "\n\n".join(e for _v, e in notes if e)
        return fit(vi, 5000)[0], fit(en, 5000)[0]

    def close_page(self) -> None:
        """Notes left at a page's end join its last question's help."""
        if self.page is not None and self.page.questions and self.notes:
            last = self.page.questions[-1]
            vi, en = self.join([(last.help_vi, last.help_en), *self.notes])
            self.page.questions[-1] = replace(
                last, help_vi=fit(vi, 2000)[0], help_en=fit(en, 2000)[0]
            )
            self.notes = []
        self.page = None

    def open_page(self, title: tuple[str, str]) -> None:
        self.close_page()
        self.page = _Page(*title)
        self.pages.append(self.page)

    def walk(self, children: list[dict[str, Any]], scope: _Scope) -> None:
        for element in children:
            kind = str(element.get("type", "")).lower()
            name = str(element.get("name", ""))
            if kind == "group" and (element.get("control") or {}).get("bodyless"):
                if name != "meta":
                    self.report.skip("survey", self.book.rows.find(name)[0], _(
                        "The group %(name)s is not shown in ODK: not imported.",
                        name=name))  # fmt: skip
                continue
            row, written = self.book.rows.find(name)
            if kind in ("group", "repeat"):
                self.section(element, kind, name, row, scope)
            elif kind == "loop":
                self.loop(element, name, row, scope)
            else:
                self.question(element, kind, name, row, written, scope)

    def section(
        self, element: dict[str, Any], kind: str, name: str, row: int, scope: _Scope
    ) -> None:
        if kind == "repeat":
            self.report.skip("survey", row, _(
                "The repeat %(name)s is asked once: its questions were imported "
                "as their first answer.", name=name))  # fmt: skip
        own = self.relevant(element, row, name, _("group"))
        inner = _Scope((*scope.conditions, *own), scope.depth + 1)
        if scope.depth == 0:
            title = self.text(element.get("label"), row, name, 300, _("title"))
            self.open_page(title)
        elif element.get("label"):
            self.report.skip("survey", row, _(
                "The group %(name)s is inside another group: its questions were "
                "added to the outer group's page.", name=name))  # fmt: skip
        self.walk(element.get("children") or [], inner)
        if scope.depth == 0:
            self.close_page()

    def loop(self, element: dict[str, Any], name: str, row: int, scope: _Scope) -> None:
        """A loop over a list: its questions once per choice, as pyxform does."""
        children = element.get("children") or []
        for column in element.get("columns") or []:
            label = column.get("label") or column.get("name", "")
            word = label if isinstance(label, str) else next(iter(label.values()), "")
            for child in children:
                copy = dict(child)
                copy["name"] = f"{column.get('name', '')}_{child.get('name', '')}"
                if child.get("bind"):  # "%(name)s" in a loop is the choice's name
                    copy["bind"] = {
                        k: str(v).replace("%(name)s", str(column.get("name", "")))
                        for k, v in child["bind"].items()
                    }
                text = child.get("label")
                if isinstance(text, dict):
                    copy["label"] = {
                        k: str(v).replace("%(label)s", str(word))
                        for k, v in text.items()
                    }
                elif text:
                    copy["label"] = str(text).replace("%(label)s", str(word))
                kind = str(copy.get("type", "")).lower()
                self.question(copy, kind, copy["name"], row, "", scope)
        self.report.skip("survey", row, _(
            "The loop %(name)s was written out: its questions once per choice.",
            name=name))  # fmt: skip

    def relevant(
        self, element: dict[str, Any], row: int, name: str, what: str
    ) -> tuple[Condition | str, ...]:
        expression = str((element.get("bind") or {}).get("relevant", "") or "")
        if not expression.strip():
            return ()
        found = condition(expression, self.targets)
        if found is None:
            self.report.skip("survey", row, _(
                "The condition %(expr)s of the %(what)s %(name)s was not imported: "
                "shown always, and optional.", expr=expression[:200], what=what,
                name=name))  # fmt: skip
            return (LOST,)
        return (found,)

    def question(
        self,
        element: dict[str, Any],
        kind: str,
        name: str,
        row: int,
        written: str,
        scope: _Scope,
    ) -> None:
        if kind == "note":
            note = self.text(element.get("label"), row, name, 2000, _("note"))
            if note[0] or note[1]:
                (self.notes if self.code_of else self.intro).append(note)
            return
        if row == 0 and name == f"{self.previous_other}_other":
            return  # pyxform's "specify other" text: the option asks for it
        spec = q.convert(self, element, kind, name, row)
        if spec is None:
            return
        if len(self.code_of) >= MAX_QUESTIONS:
            self.report.skip("survey", row, _(
                "More than %(n)s questions: %(name)s was not imported.",
                n=MAX_QUESTIONS, name=name))  # fmt: skip
            return
        if "or_other" in written or "or specify other" in written:
            spec = replace(spec, options=tuple(
                replace(o, is_other=True) if o.code == "other" else o
                for o in spec.options))  # fmt: skip
            self.previous_other = name
        own = self.relevant(element, row, name, _("question"))
        spec = self.with_conditions(spec, (*scope.conditions, *own), row)
        if self.notes:
            vi, en = self.join([*self.notes, (spec.help_vi, spec.help_en)])
            spec = replace(spec, help_vi=fit(vi, 2000)[0], help_en=fit(en, 2000)[0])
            self.notes = []
        if self.page is None:
            self.open_page(("", ""))
        assert self.page is not None
        self.page.questions.append(spec)
        self.code_of[name] = spec.code
        if spec.type in WITH_OPTIONS:
            codes = self.option_codes[name]
            self.targets[name] = Target(spec.type, tuple(codes))

    def with_conditions(
        self, spec: QuestionSpec, found: tuple[Condition | str, ...], row: int
    ) -> QuestionSpec:
        """The question under its own and its groups' conditions (all at once)."""
        if LOST in found:
            spec = replace(spec, required=False)
        kept = [c for c in found if isinstance(c, Condition)]
        if not kept:
            return spec
        both = intersect(kept)
        if both is None:
            self.report.skip("survey", row, _(
                "%(name)s and its groups have conditions on several questions: only "
                "the innermost is kept, and the question is optional.",
                name=spec.code))  # fmt: skip
            both, spec = kept[-1], replace(spec, required=False)
        target = self.targets[both.name]
        codes = self.option_codes[both.name]
        values = tuple(v for v in target.values if v in both.values)
        if not values:
            self.report.skip("survey", row, _(
                "%(name)s is shown only when its conditions contradict each other: "
                "imported without condition, and optional.",
                name=spec.code))  # fmt: skip
            return replace(spec, required=False)
        return replace(
            spec,
            condition=ConditionSpec(
                self.code_of[both.name], tuple(codes[v] for v in values)
            ),
        )
