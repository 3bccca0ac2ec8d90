"""Labels and hints of an XLSForm: languages, references, markup, length.

pyxform gives a text either as a plain string (a column without language) or
as a dict by language name ("English (en)", "Vietnamese", "default"). This
platform keeps Vietnamese (the default) and English; a form in one language
only is imported as its Vietnamese text, and the report says so.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from flask_babel import gettext as _

from survey.services.design.xlsform.report import Report

REFERENCE_RE = re.compile(r"\$\{\s*([^}\s]*)\s*\}")
BREAK_RE = re.compile(r"<br\s*/?>", re.IGNORECASE)
TAG_RE = re.compile(r"</?[A-Za-z][^<>]{0,500}>")
MARKDOWN_RE = re.compile(r"(\*\*|__|^#{1,6}\s+)", re.MULTILINE)
DEFAULT = "default"  # pyxform's key for a column without language


def language_code(name: str) -> str | None:
    """'vi' or 'en' for a column's language ("Vietnamese (vi)", "en"), else None."""
    lowered = name.strip().lower()
    match = re.search(r"\(([a-z]{2,3})(?:[-_][a-z]+)?\)\s*$", lowered)
    code = match.group(1) if match else lowered
    if code in ("vi", "vie") or lowered.startswith(("vietnam", "tiếng việt")):
        return "vi"
    if code in ("en", "eng") or lowered.startswith("english"):
        return "en"
    return None


def _keys(value: Any) -> set[str]:
    if isinstance(value, dict):
        return {str(k) for k, v in value.items() if v}
    return {DEFAULT} if value else set()


class Languages:
    """Which of the form's languages feed the Vietnamese and English fields."""

    def __init__(self, texts: Iterable[Any], form_default: str, report: Report):
        found: set[str] = set()
        for value in texts:
            found |= _keys(value)
        self.vi = next((k for k in sorted(found) if language_code(k) == "vi"), None)
        self.en = next((k for k in sorted(found) if language_code(k) == "en"), None)
        self.copied = 0
        self.vi_source = self.vi
        if self.vi is None and found:
            if len(found) == 1:
                self.vi_source = next(iter(found))
            elif form_default in found:
                self.vi_source = form_default
            elif self.en is not None:
                self.vi_source = self.en
            elif DEFAULT in found:
                self.vi_source = DEFAULT
            else:
                self.vi_source = sorted(found)[0]
            shown = (
                _("the column without language")
                if (self.vi_source == DEFAULT)
                else self.vi_source
            )
            report.skip(
                "",
                0,
                _(
                    "The form has no Vietnamese texts: the texts in %(lang)s were "
                    "imported as the Vietnamese (default) texts; check them.",
                    lang=shown,
                ),
            )
        for lang in sorted(found - {self.vi, self.en, self.vi_source}):
            report.skip(
                "",
                0,
                _(
                    "Texts in %(lang)s were not imported: only Vietnamese and "
                    "English are kept.",
                    lang=lang,
                ),
            )

    def pick(self, value: Any) -> tuple[str, str]:
        """(Vietnamese, English) of a pyxform text."""
        if not value:
            return "", ""
        by_lang = value if isinstance(value, dict) else {DEFAULT: value}
        vi = str(by_lang.get(self.vi_source or "", "") or "")
        en = str(by_lang.get(self.en or "", "") or "") if self.en else ""
        if not vi:
            if self.vi:  # a row left without its Vietnamese text
                vi = en or next((str(v) for v in by_lang.values() if v), "")
                if vi:
                    self.copied += 1
            else:
                vi = en
        return vi, en

    def finish(self, report: Report) -> None:
        if self.copied:
            report.skip(
                "",
                0,
                _(
                    "%(n)s texts had no Vietnamese version: another language's "
                    "text was copied into the Vietnamese field.",
                    n=self.copied,
                ),
            )


def clean(text: str) -> tuple[str, list[str], bool]:
    """``text`` as citizens may see it, its ``${name}`` references, and whether
    formatting was removed.

    The platform shows no earlier answer inside a text, so a reference becomes
    "…"; HTML tags and Markdown emphasis, which it would show raw, are dropped.
    """
    names = [m.group(1) for m in REFERENCE_RE.finditer(text)]
    text = REFERENCE_RE.sub("…", text)
    plain = TAG_RE.sub("", BREAK_RE.sub("\n", text))
    plain = MARKDOWN_RE.sub("", plain)
    return plain.strip(), names, plain != text


def fit(text: str, limit: int) -> tuple[str, bool]:
    """``text`` cut to ``limit`` characters (ending with "…"), and whether it was."""
    if len(text) <= limit:
        return text, False
    return text[: limit - 1].rstrip() + "…", True


def all_texts(form: dict[str, Any]) -> list[Any]:
    """Every label and hint of the form, for its languages."""
    found: list[Any] = []

    def walk(children: list[dict[str, Any]]) -> None:
        for element in children:
            relevant = str((element.get("bind") or {}).get("relevant", ""))
            if relevant.startswith("selected(../"):
                continue  # pyxform's own "Specify other." text, in no language
            found.extend([element.get("label"), element.get("hint")])
            for choice in element.get("choices") or []:
                found.append(choice.get("label"))
            walk(element.get("children") or [])

    walk(form.get("children") or [])
    return found
