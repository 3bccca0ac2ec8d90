"""Real XLSForms written by others: every form pyxform accepts imports.

The fixtures (tests/fixtures/xlsforms, sources and licences in SOURCES.md) are
unmodified public forms. For each, pyxform's verdict is its full conversion to
an XForm; a form it accepts must import here and keep at least 95 % of its
answerable questions: those a person answers by typing or choosing (text,
numbers, dates and times, choices, ranges, acknowledgements), counted in
pyxform's own tree. Location, media and barcode captures, metadata,
calculations and notes are not answerable questions of a web survey; they
are in the import report instead.

``python -m tests.admin.test_xlsform_corpus`` prints the table of SOURCES.md.
"""

from __future__ import annotations

import logging
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from survey.services.design.exchange import ExchangeError
from survey.services.design.xlsform import import_xlsform, kind_of, read_xlsform

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "xlsforms"
FORMS = sorted(p for p in FIXTURES.iterdir() if kind_of(p.name))
ANSWERABLE = frozenset(
    {
        "text", "string", "integer", "int", "decimal", "range", "date",
        "datetime", "time", "select one", "select all that apply",
        "select one external", "rank", "acknowledge", "trigger",
    }
)  # fmt: skip


@dataclass(frozen=True)
class Verdict:
    source: str
    pyxform_ok: bool
    answerable: int
    imported: bool
    kept: int
    reason: str
    conditioned: int = 0  # answerable questions shown under a condition
    conditions_kept: int = 0

    @property
    def share(self) -> float:
        return self.kept / self.answerable if self.answerable else 1.0


def _readonly(element: dict[str, Any]) -> bool:
    bind = element.get("bind") or {}
    flag = str(bind.get("readonly", "")).lower() in ("true", "true()", "yes")
    return bool(bind.get("calculate")) and flag


def answerable(children: list[dict[str, Any]], shown_if: bool = False) -> list[bool]:
    """Questions a person answers, in pyxform's tree (loops written out): for
    each, whether it has a condition of its own or from a group."""
    found: list[bool] = []
    previous = ""
    for element in children:
        kind = str(element.get("type", "")).lower()
        name = str(element.get("name", ""))
        relevant = str((element.get("bind") or {}).get("relevant", "") or "")
        conditioned = shown_if or bool(relevant.strip())
        if kind in ("group", "repeat"):
            found += answerable(element.get("children") or [], conditioned)
        elif kind == "loop":
            per_column = answerable(element.get("children") or [], conditioned)
            found += per_column * len(element.get("columns") or [])
        elif kind in ANSWERABLE and not _readonly(element):
            if not (name == f"{previous}_other" and "../" in relevant):
                found.append(conditioned)  # (pyxform's "specify other" is the option's)
        previous = name
    return found


def pyxform_verdict(path: Path) -> tuple[bool, list[bool]]:
    from pyxform import create_survey_element_from_dict
    from pyxform.xls2json import parse_file_to_json

    logging.getLogger("pyxform").setLevel(logging.ERROR)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            tree = parse_file_to_json(str(path), warnings=[])
            found = answerable(tree.get("children") or [])
            create_survey_element_from_dict(tree).to_xml(validate=False, warnings=[])
        except Exception:  # pyxform refuses with many kinds of error
            return False, []
    return True, found


def verdict(path: Path) -> Verdict:
    ok, found = pyxform_verdict(path)
    count = len(found)
    try:
        reading = read_xlsform(path.read_bytes(), path.stem, kind_of(path.name) or "")
    except ExchangeError as error:
        return Verdict(path.name, ok, count, False, 0, error.reasons[0][:90])
    questions = reading.spec.questions()
    kept = sum(q.condition is not None for q in questions)
    return Verdict(path.name, ok, count, True, len(questions), "", sum(found), kept)


@pytest.mark.parametrize("path", FORMS, ids=[p.name for p in FORMS])
def test_every_form_pyxform_accepts_imports_and_keeps_its_questions(
    app, make_unit, path
):
    ok, found = pyxform_verdict(path)
    if not ok:
        return  # may be refused, or imported in part: nothing is promised
    with app.test_request_context("/?lang=en"):
        try:
            result = import_xlsform(None, "corpus", path.read_bytes(),
                                    make_unit("CORPUS"), path.stem,
                                    kind_of(path.name) or "")  # fmt: skip
        except ExchangeError as error:
            pytest.fail(f"refused: {error.reasons}")
    kept = len(result.survey.versions[0].questions)
    assert kept >= 0.95 * len(found), (kept, len(found))


def test_the_corpus_is_large_and_varied():
    origins = {p.name.split("__")[0] for p in FORMS}
    assert len(FORMS) >= 20 and len(origins) >= 5
    assert any(p.suffix == ".xls" for p in FORMS)
    listed = (FIXTURES / "SOURCES.md").read_text(encoding="utf-8")
    assert all(f"`{p.name}`" in listed for p in FORMS)


def table() -> str:
    from survey import create_app

    app = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://", "SECRET_KEY": "x"})
    lines = [
        "| file | pyxform | imported | answerable questions kept "
        "| questions under a condition: in pyxform's tree, with one here |",
        "|---|---|---|---|---|",
    ]
    with app.test_request_context("/?lang=en"):
        for path in FORMS:
            v = verdict(path)
            kept = (
                f"{v.kept} of {v.answerable} ({v.share:.0%})"
                if v.pyxform_ok
                else (f"{v.kept}" if v.imported else "–")
            )
            conditions = (
                f"{v.conditions_kept} of {v.conditioned}" if v.conditioned else "–"
            )
            lines.append(
                f"| `{v.source}` | {'accepts' if v.pyxform_ok else 'refuses'} | "
                f"{'yes' if v.imported else 'no: ' + v.reason} | {kept} | "
                f"{conditions} |"
            )
    return "\n".join(lines)


if __name__ == "__main__":
    logging.disable(logging.CRITICAL)
    print(table())
