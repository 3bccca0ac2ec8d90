"""XLSForm import: spreadsheets made here with openpyxl, checked by pyxform.

pyxform reading each good spreadsheet proves it is a real XLSForm as ODK and
KoboToolbox see it, so the import is tested on the format, not on our idea of it.
"""

from __future__ import annotations

import io
import warnings
import zipfile
from pathlib import Path

import openpyxl
import pytest
from pyxform.xls2json import parse_file_to_json
from sqlalchemy import func, select

from survey.extensions import db
from survey.models import AuditEvent, Question, Survey
from tests.conftest import csrf_token

HEAD_BILINGUAL = [
    "type",
    "name",
    "label::Vietnamese (vi)",
    "label::English (en)",
    "hint::Vietnamese (vi)",
    "hint::English (en)",
    "required",
    "relevant",
    "constraint",
]


def workbook(
    survey: list[list[object]],
    choices: list[list[object]] | None = None,
    settings: list[list[object]] | None = None,
) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "survey"
    for row in survey:
        sheet.append(row)
    for title, rows in (("choices", choices), ("settings", settings)):
        if rows is not None:
            extra = book.create_sheet(title)
            for row in rows:
                extra.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def assert_real_xlsform(content: bytes, tmp_path: Path) -> None:
    path = tmp_path / "form.xlsx"
    path.write_bytes(content)
    parsed = parse_file_to_json(str(path))
    assert parsed["children"], "pyxform read no question"


def upload(client, slug: str, content: bytes, filename: str = "form.xlsx"):
    return client.post(
        "/admin/surveys/import",
        data={
            "csrf_token": csrf_token(client, "/admin/surveys/import"),
            "slug": slug,
            "file": (io.BytesIO(content), filename),
        },
        content_type="multipart/form-data",
    )


def imported(slug: str) -> Survey:
    db.session.expire_all()
    survey = db.session.scalar(select(Survey).where(Survey.slug == slug))
    assert survey is not None
    return survey


def by_code(survey: Survey) -> dict[str, Question]:
    return {q.code: q for q in survey.versions[0].questions}


def counts() -> tuple[int, int, int]:
    return (
        db.session.scalar(select(func.count(Survey.id))),
        db.session.scalar(select(func.count(Question.id))),
        db.session.scalar(select(func.count(AuditEvent.id))),
    )


BILINGUAL_SURVEY = [
    HEAD_BILINGUAL,
    ["begin group", "visit", "Lần đến", "Your visit", "", "", "", "", ""],
    ["select_one yn", "late", "Trễ hẹn?", "Late?", "Chọn một", "Pick one", "yes",
     "", ""],
    ["text", "why", "Vì sao?", "Why?", "", "", "yes", "${late} = 'yes'", ""],
    ["integer", "visits", "Số lần?", "Visits?", "", "", "no", "", ". >= 1 and . <= 20"],
    ["note", "thanks_note", "Cảm ơn", "Thank you", "", "", "", "", ""],
    ["end group", "", "", "", "", "", "", "", ""],
    ["begin group", "opinion", "Ý kiến", "Opinion", "", "", "", "", ""],
    ["select_multiple good", "liked", "Điều tốt?", "What was good?", "", "", "true",
     "", ""],
    ["select_one yn", "again", "Quay lại?", "Again?", "", "", "yes",
     "selected(${liked}, 'fast') or selected(${liked}, 'kind')", ""],
    ["date", "day", "Ngày nào?", "Which day?", "", "", "", "", ""],
    ["end group", "", "", "", "", "", "", "", ""],
]  # fmt: skip
BILINGUAL_CHOICES = [
    ["list_name", "name", "label::Vietnamese (vi)", "label::English (en)"],
    ["yn", "yes", "Có", "Yes"],
    ["yn", "no", "Không", "No"],
    ["good", "fast", "Nhanh", "Fast"],
    ["good", "kind", "Thân thiện", "Kind"],
    ["good", "clear", "Rõ ràng", "Clear"],
]


def test_a_bilingual_form_becomes_pages_questions_and_conditions(
    client, as_admin, tmp_path
):
    content = workbook(BILINGUAL_SURVEY, BILINGUAL_CHOICES)
    assert_real_xlsform(content, tmp_path)
    response = upload(client, "visit", content)
    # Nothing left out (integers are whole-number questions here too): no report,
    # straight to the imported survey.
    assert response.status_code == 302, response.get_data(as_text=True)
    survey = imported("visit")
    assert survey.status == "draft" and survey.owner_unit.code == "CITY"
    version = survey.versions[0]
    assert [(p.title_vi, p.title_en) for p in version.pages] == [
        ("Lần đến", "Your visit"),
        ("Ý kiến", "Opinion"),
    ]
    questions = by_code(survey)
    assert {code: q.type for code, q in questions.items()} == {
        "late": "single",
        "why": "short_text",
        "visits": "number",
        "liked": "multiple",
        "again": "single",
        "day": "date",
    }
    late = questions["late"]
    assert (late.text_vi, late.text_en) == ("Trễ hẹn?", "Late?")
    assert (late.help_vi, late.help_en) == ("Chọn một", "Pick one")
    assert [(o.code, o.label_vi, o.label_en) for o in late.options] == [
        ("yes", "Có", "Yes"),
        ("no", "Không", "No"),
    ]
    assert late.required and not questions["visits"].required
    # The note at the end of the page is the help of its last question.
    assert (questions["visits"].help_vi, questions["visits"].help_en) == (
        "Cảm ơn",
        "Thank you",
    )
    assert not questions["day"].required  # XLSForm's default: optional
    assert (questions["visits"].min_value, questions["visits"].max_value) == (1, 20)
    assert questions["why"].condition_question_id == late.id
    assert questions["why"].condition_option_codes == ["yes"]
    assert questions["again"].condition_question_id == questions["liked"].id
    assert questions["again"].condition_option_codes == ["fast", "kind"]
    event = db.session.scalar(
        select(AuditEvent).where(AuditEvent.action == "import_survey")
    )
    assert event.object_id == "visit" and event.details["format"] == "xlsform"
    # The imported draft is a real survey: it previews and publishes.
    assert client.get("/admin/surveys/visit/preview").status_code == 200


PLAIN_SURVEY = [
    ["type", "name", "label", "hint", "required", "relevant", "appearance",
     "calculation", "choice_filter"],
    ["start", "start", "", "", "", "", "", "", ""],
    ["select one district or_other", "district", "Quận nào?", "", "yes", "", "", "",
     ""],
    ["decimal", "wait", "Chờ bao lâu (giờ)?", "Ví dụ 1,5", "yes", "", "", "", ""],
    ["text", "story", "Kể lại", "", "", "", "multiline", "", ""],
    ["calculate", "double", "", "", "", "", "", "${wait} * 2", ""],
    ["begin repeat", "kids", "Con", "", "", "", "", "", ""],
    ["text", "kid_name", "Tên", "", "", "", "", "", ""],
    ["end repeat", "", "", "", "", "", "", "", ""],
    ["text", "fast_why", "Vì sao nhanh?", "", "yes", "${wait} < 1", "", "", ""],
    ["select_one district", "other_district", "Quận khác?", "", "", "",
     "minimal", "", "${district} != 'd1'"],
    ["geopoint", "where", "Ở đâu?", "", "", "", "", "", ""],
]  # fmt: skip
PLAIN_CHOICES = [
    ["list_name", "name", "label"],
    ["district", "d1", "Quận 1"],
    ["district", "d3", "Quận 3"],
    ["district", 7, "Quận 7"],  # a number, as spreadsheets store it
]


def test_a_plain_label_form_reports_each_row_it_leaves_out(client, as_admin, tmp_path):
    content = workbook(PLAIN_SURVEY, PLAIN_CHOICES)
    assert_real_xlsform(content, tmp_path)
    response = upload(client, "plain", content, "khao-sat.xlsx")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "the column without language were imported as the Vietnamese" in page
    for row, words in [
        (2, "device metadata"),
        (6, "calculations are not imported"),
        (7, "The repeat kids is asked once"),
        (10, "was not imported: shown always, and optional"),
        (11, "choice_filter of other_district was not imported"),
        (12, "geopoint is not supported"),
    ]:
        assert f'<td class="num">{row}</td><td>' in page, row
        assert words in page, words
    questions = by_code(imported("plain"))
    assert set(questions) == {
        "district",
        "wait",
        "story",
        "kid_name",  # the repeat's first answer
        "fast_why",
        "other_district",
    }
    district = questions["district"]
    assert district.type == "single" and district.text_vi == "Quận nào?"
    assert district.text_en == ""  # no English column: left for a translator
    assert [o.code for o in district.options] == ["d1", "d3", "7", "other"]
    assert district.options[-1].is_other
    assert (
        questions["wait"].type == "number" and questions["wait"].help_vi == "Ví dụ 1,5"
    )
    assert questions["story"].type == "long_text"
    # A condition that could not be carried over must not force an answer.
    assert questions["fast_why"].condition_question_id is None
    assert not questions["fast_why"].required
    # Before the repeat, the repeat, after it: three pages.
    assert len(imported("plain").versions[0].pages) == 3


ENGLISH_SURVEY = [
    ["type", "name", "label::English (en)", "label::French (fr)", "required"],
    ["select_one sat", "overall", "How satisfied are you?", "Satisfait ?", "yes"],
    ["text", "comment", "Anything else?", "Autre chose ?", ""],
    ["integer", "age", "Your age", "Votre âge", "${overall} = 'yes'"],
]
ENGLISH_CHOICES = [
    ["list_name", "name", "label::English (en)", "label::French (fr)", "filter"],
    ["sat", "1", "Very dissatisfied", "Très insatisfait", ""],
    ["sat", "5", "Very satisfied", "Très satisfait", ""],
    ["sat", "bad name", "Broken", "Cassé", ""],
]
ENGLISH_SETTINGS = [
    ["form_title", "form_id", "default_language"],
    ["Counter feedback", "counter", "English (en)"],
]


def test_an_english_only_form_keeps_english_and_says_what_it_did(
    client, as_admin, tmp_path
):
    content = workbook(ENGLISH_SURVEY, ENGLISH_CHOICES[:3], ENGLISH_SETTINGS)
    assert_real_xlsform(content, tmp_path)
    content = workbook(ENGLISH_SURVEY, ENGLISH_CHOICES, ENGLISH_SETTINGS)
    response = upload(client, "counter", content)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "French (fr)" in page  # the language left out, once
    assert "texts in English (en) were imported as the Vietnamese" in page
    assert "bad name" in page and "bad_name" in page  # a name made a code
    assert "required only under a condition" in page
    survey = imported("counter")
    assert survey.versions[0].title_vi == "Counter feedback"
    overall = by_code(survey)["overall"]
    assert (overall.text_vi, overall.text_en) == (
        "How satisfied are you?",
        "How satisfied are you?",
    )
    assert [o.code for o in overall.options] == ["1", "5", "bad_name"]
    assert not by_code(survey)["age"].required


def test_a_group_condition_becomes_its_questions_condition(client, as_admin, tmp_path):
    content = workbook(
        [
            ["type", "name", "label", "required", "relevant"],
            ["select_one yn", "late", "Trễ hẹn?", "yes", ""],
            ["begin group", "late_page", "Vì trễ", "", "${late} = 'yes'"],
            ["text", "why", "Vì sao?", "yes", ""],
            ["begin group", "inner", "Chi tiết", "", "${late} = 'no'"],
            ["text", "how", "Thế nào?", "yes", ""],
            ["end group", "", "", "", ""],
            ["end group", "", "", "", ""],
        ],
        [["list_name", "name", "label"], ["yn", "yes", "Có"], ["yn", "no", "Không"]],
    )
    assert_real_xlsform(content, tmp_path)
    page = upload(client, "late", content).get_data(as_text=True)
    assert "inner is inside another group" in page
    assert "conditions contradict each other" in page  # late is yes and no
    questions = by_code(imported("late"))
    why, how = questions["why"], questions["how"]
    assert why.condition_question_id == questions["late"].id and why.required
    assert how.condition_question_id is None and not how.required


def test_a_form_with_nothing_left_out_goes_straight_to_the_draft(client, as_admin):
    content = workbook(
        [
            ["type", "name", "label::Tiếng Việt (vi)", "required"],
            ["text", "idea", "Ý kiến", "yes"],
        ]
    )
    response = upload(client, "idea", content)
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/admin/surveys/idea")


def _zip_without_workbook() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("hello.txt", "not a workbook")
    return out.getvalue()


def test_broken_forms_are_refused_and_leave_nothing(client, as_admin):
    before = counts()
    only_choices = openpyxl.Workbook()
    only_choices.active.title = "choices"
    missing_sheet = io.BytesIO()
    only_choices.save(missing_sheet)
    unknown_list = workbook(
        [["type", "name", "label"], ["text", "a", "A"], ["select_one nope", "b", "B"]],
        [["list_name", "name", "label"], ["yn", "yes", "Có"]],
    )
    twice = workbook(
        [["type", "name", "label"], ["text", "a", "A"], ["text", "a", "B"]]
    )
    open_group = workbook(
        [["type", "name", "label"], ["begin group", "g", "G"], ["text", "a", "A"]]
    )
    only_notes = workbook([["type", "name", "label"], ["note", "n", "Hello"]])
    no_columns = workbook([["kind", "label"], ["text", "A"]])
    cases = [
        (b"hello, I am not a spreadsheet", "not an Excel workbook"),
        (_zip_without_workbook(), "not an Excel workbook"),
        (missing_sheet.getvalue(), "You must have a sheet named &#39;survey&#39;"),
        (unknown_list, "[row : 3] List name not in choices sheet: nope"),
        (twice, "[row : 3] On the &#39;survey&#39; sheet, the &#39;name&#39; value"),
        (open_group, "Unmatched &#39;begin_group&#39;"),
        (only_notes, "holds no question a person answers"),
        (no_columns, "required column headers were not found: &#39;type&#39;"),
    ]
    for content, message in cases:
        response = upload(client, "broken", content)
        assert response.status_code == 422, message
        assert message in response.get_data(as_text=True), message
    assert counts() == before


@pytest.mark.parametrize("filename", ["form.csv", "form.xlsx.exe", "form", "form.ods"])
def test_files_that_are_neither_json_nor_xlsforms_are_refused(
    client, as_admin, filename
):
    before = counts()
    response = upload(client, "other", workbook([["type", "name", "label"]]), filename)
    assert response.status_code == 422
    assert "Choose a .json, an .xlsx or an .xls file" in response.get_data(as_text=True)
    assert counts() == before


def test_an_xlsx_named_xls_is_refused_with_a_reason(client, as_admin):
    response = upload(client, "other", workbook([["type", "name"]]), "form.xls")
    assert response.status_code == 422
    assert "not an Excel workbook" in response.get_data(as_text=True)


def test_oversized_and_bomb_like_workbooks_are_refused(app):
    from survey.services.design.exchange import ExchangeError
    from survey.services.design.xlsform import MAX_ROWS, read_xlsform

    rows = [["type", "name", "label"]] + [
        ["text", f"q{i}", "Q"] for i in range(MAX_ROWS + 5)
    ]
    with app.test_request_context("/?lang=en"):
        with pytest.raises(ExchangeError, match="too large"):
            read_xlsform(b"PK\x03\x04" + b" " * (600 * 1024), "big")
        with pytest.raises(ExchangeError, match="more than"):
            read_xlsform(workbook(rows), "long")
        bomb = io.BytesIO()  # 50 MB of one cell's text, a few hundred KB zipped
        with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("xl/sharedStrings.xml", "a" * (50 * 1024 * 1024))
        with pytest.raises(ExchangeError, match="too large once unpacked"):
            read_xlsform(bomb.getvalue(), "bomb")


def test_hostile_labels_lose_their_tags_and_are_shown_as_text(client, as_admin):
    content = workbook(
        [
            ["type", "name", "label::Tiếng Việt (vi)"],
            ["text", "x", "<script>alert(1)</script>"],
            ["text", "y", "1 < 2 <img src=x onerror=alert(1)"],
        ]
    )
    page = upload(client, "hostile", content).get_data(as_text=True)
    assert "formatting, which this platform shows as typed" in page
    questions = by_code(imported("hostile"))
    assert questions["x"].text_vi == "alert(1)"
    assert questions["y"].text_vi == "1 < 2 <img src=x onerror=alert(1)"
    page = client.get("/admin/surveys/hostile").get_data(as_text=True)
    assert "<img src=x" not in page and "&lt;img src=x" in page


# --- what real forms do (issue 20) --------------------------------------------

TRAPS_SURVEY = [
    ["type", "name", "label:English", "label:Vietnamese", "hint:English",
     "required", "bind:relevant", "bind:constraint", "appearance"],
    ["note", "welcome", "Welcome", "Chào bạn", "", "", "", "", ""],
    ["begin_group", "_visit", "Visit", "Lần đến", "", "", "", "", "field-list"],
    ["select one from yn", "_came", "Did you come?", "Bạn có đến?", "", "TRUE()",
     "", "", ""],
    ["select all that apply from why", "why", "Why?", "Vì sao?", "", "1", "", "",
     ""],
    ["integer", "visits", "Visits for ${_came}?", "Số lần đến ${_came}?", "", "yes",
     "${_came} = 'yes'", ". > 0 and . < 11", ""],
    ["text", "story", "x" * 2100, "Kể lại", "", "", "", "string-length(.) <= 80",
     ""],
    ["range", "stars", "Stars", "Sao", "", "", "", "", ""],
    ["range", "score", "Score", "Điểm", "", "", "", "", ""],
    ["range", "temp", "Temperature", "Nhiệt độ", "", "", "", "", ""],
    ["select_one_from_file towns.csv", "town", "Town", "Thị xã", "", "", "", "",
     ""],
    ["end_group", "_visit", "", "", "", "", "", "", ""],
    ["begin group", "more", "More", "Thêm", "", "", "${_came} != 'no'", "", ""],
    ["text", "better", "Better?", "Tốt hơn?", "", "yes", "${_came} = 'yes'", "",
     ""],
    ["text", "how", "How?", "Thế nào?", "", "yes", "selected(${why}, 'near')", "",
     ""],
    ["end group", "more", "", "", "", "", "", "", ""],
]  # fmt: skip
TRAPS_CHOICES = [
    ["list name", "name", "label:English", "label:Vietnamese"],
    ["yn", "yes", "Yes", "Có"],
    ["yn", "no", "No", "Không"],
    ["why", "near", "Near", "Gần"],
    ["why", "near", "Near again", "Gần nữa"],
    ["why", "cheap", "Cheap", "Rẻ"],
]
TRAPS_SETTINGS = [["form_title", "allow_choice_duplicates"], ["Traps", "yes"]]


def _traps(tmp_path: Path) -> bytes:
    book = openpyxl.load_workbook(
        io.BytesIO(workbook(TRAPS_SURVEY, TRAPS_CHOICES, TRAPS_SETTINGS))
    )
    survey = book["survey"]
    survey.cell(1, 10, "parameters")
    for row, value in ((8, "start=1 end=5"), (9, "start=0 end=10"),
                       (10, "start=-5 end=40 step=0.5")):  # fmt: skip
        survey.cell(row, 10, value)
    bold = openpyxl.styles.Font(bold=True)
    for row in range(20, 4021):  # empty rows a spreadsheet saved with a format
        survey.cell(row, 1).font = bold
    out = io.BytesIO()
    book.save(out)
    content = out.getvalue()
    assert_real_xlsform(content, tmp_path)
    return content


def test_the_traps_of_real_forms_import_and_are_reported(client, as_admin, tmp_path):
    response = upload(client, "traps", _traps(tmp_path))
    assert response.status_code == 200, response.get_data(as_text=True)
    page = response.get_data(as_text=True)
    survey = imported("traps")
    assert survey.versions[0].title_vi == "Traps"
    assert survey.versions[0].intro_vi == "Chào bạn"  # the first note
    q = by_code(survey)
    assert list(q) == ["came", "why", "visits", "story", "stars", "score", "temp",
                       "town", "better", "how"]  # fmt: skip
    # Old syntax, older language headers, names starting with _, required "1".
    assert (q["came"].type, q["came"].text_vi, q["came"].text_en) == (
        "single", "Bạn có đến?", "Did you come?")  # fmt: skip
    assert q["came"].required and q["why"].required and q["why"].type == "multiple"
    assert "The name _came is not usable" in page and "it became came" in page
    # Duplicates allowed by the settings: the first kept, the second reported.
    assert [o.label_vi for o in q["why"].options] == ["Gần", "Rẻ"]
    assert "The choice near is twice in the list why" in page
    # bind:relevant and bind:constraint; references out of citizens' sight.
    assert q["visits"].condition_question_id == q["came"].id
    assert (q["visits"].min_value, q["visits"].max_value) == (1, 10)
    assert q["visits"].text_vi == "Số lần đến …?" and "${" not in q["visits"].text_en
    assert "shows earlier answers (_came)" in page
    # An over-long label is cut and reported, the file is not refused.
    assert len(q["story"].text_en) == 2000 and q["story"].max_length == 80
    assert "longer than 2000 characters: it was cut" in page
    # Ranges: stars, recommend, or a number.
    assert [q[c].type for c in ("stars", "score", "temp")] == [
        "rating5", "nps", "number"]  # fmt: skip
    assert "temp is a range from -5 to 40 by 0.5" in page
    assert q["town"].type == "short_text"
    assert "town takes its choices from a file (towns.csv)" in page
    # Group conditions and the question's own, at once.
    assert q["better"].condition_option_codes == ["yes"] and q["better"].required
    assert q["how"].condition_question_id == q["why"].id and not q["how"].required
    assert "conditions on several questions" in page


def test_an_empty_choices_sheet_and_a_one_language_form(client, as_admin, tmp_path):
    content = workbook(
        [["type", "name", "label::Français (fr)"], ["text", "avis", "Votre avis"]],
        [["list_name", "name", "label"]],
    )
    assert_real_xlsform(content, tmp_path)
    page = upload(client, "avis", content).get_data(as_text=True)
    assert "texts in Français (fr) were imported as the Vietnamese" in page
    assert by_code(imported("avis"))["avis"].text_vi == "Votre avis"


def test_an_xls_file_imports_through_the_page(client, as_admin):
    fixture = Path(__file__).parent.parent / "fixtures" / "xlsforms"
    content = (fixture / "pyxform__tutorial.xls").read_bytes()
    response = upload(client, "tutorial", content, "tutorial.xls")
    assert response.status_code == 200
    assert len(by_code(imported("tutorial"))) == 10


# --- export ---------------------------------------------------------------------


def _pyxform_accepts(content: bytes, tmp_path: Path) -> dict:
    from pyxform import create_survey_element_from_dict

    path = tmp_path / "export.xlsx"
    path.write_bytes(content)
    tree = parse_file_to_json(str(path), warnings=[])
    xml = create_survey_element_from_dict(tree).to_xml(validate=False, warnings=[])
    assert "<h:html" in xml
    return tree


def _comparable(version) -> list[tuple]:
    from survey.services.design.exchange import version_spec

    spec = version_spec(version)
    return [
        (
            page.title_vi,
            page.title_en,
            q.code,
            q.type,
            q.text_vi,
            q.text_en,
            q.help_vi,
            q.help_en,
            q.required,
            q.dimension,
            q.condition,
            q.min_value,
            q.max_value,
            q.max_choices,
            q.max_length,
            # ODK names the "other" option itself: its code and role come back
            [
                (o.code, o.is_other) + (() if o.is_other else (o.label_vi, o.label_en))
                for o in q.options
            ],  # fmt: skip
        )
        for page in spec.pages
        for q in page.questions
    ] + [(spec.title_vi, spec.intro_vi, spec.intro_en, spec.thanks_vi, spec.thanks_en)]


def test_a_version_exports_as_an_xlsform_that_comes_back_the_same(
    client, as_admin, tmp_path
):
    source = as_admin.survey
    response = client.get(f"/admin/surveys/{source.slug}/export.xlsx?version=1")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].endswith('city-survey-v1.xlsx"')
    content = response.get_data()
    tree = _pyxform_accepts(content, tmp_path)
    assert tree["title"] == "Khảo sát thử" and tree["version"] == "1"
    page = upload(client, "round-trip", content, "city-survey-v1.xlsx")
    assert page.status_code == 302  # nothing to report: all came back
    back = imported("round-trip").versions[0]
    assert _comparable(back) == _comparable(source.versions[0])
    assert len(back.questions) == 9


def test_any_version_exports_and_an_unknown_one_is_a_404(client, as_admin):
    from survey.services.design.designer import new_draft_from

    survey = as_admin.survey
    draft = new_draft_from(survey.versions[0])
    draft.title_vi = "Phiên bản hai"
    db.session.commit()
    slug = survey.slug
    page = client.get(f"/admin/surveys/{slug}").get_data(as_text=True)
    for number in (1, 2):
        assert f"/admin/surveys/{slug}/export.xlsx?version={number}" in page

    def title(url: str) -> str:
        response = client.get(url)
        assert response.status_code == 200
        book = openpyxl.load_workbook(io.BytesIO(response.get_data()))
        return book["settings"]["A2"].value

    assert title(f"/admin/surveys/{slug}/export.xlsx?version=1") == "Khảo sát thử"
    assert title(f"/admin/surveys/{slug}/export.xlsx") == "Phiên bản hai"
    assert client.get(f"/admin/surveys/{slug}/export.xlsx?version=7").status_code == 404
    assert client.get("/admin/surveys/nope/export.xlsx").status_code == 404


def test_a_text_that_looks_like_a_formula_is_exported_as_text(app, make_survey):
    from survey.domain.questions import PageSpec, QuestionSpec, SurveySpec
    from survey.services.design.xlsform.export import export_xlsform

    formula = '=HYPERLINK("http://x")'
    question = QuestionSpec("Q", "short_text", formula, "")
    spec = SurveySpec("=1+1", "", "", "", pages=(PageSpec("", "", (question,)),))
    survey = make_survey("formula", spec=spec)
    book = openpyxl.load_workbook(io.BytesIO(export_xlsform(survey.versions[0], "f")))
    cell = book["survey"]["C3"]
    assert cell.value == formula and cell.data_type == "s"


# --- real forms with cells changed: a refusal or an import, never a crash ---------

FUZZ_WORDS = [
    "begin group", "end group", "begin repeat", "end repeat", "begin loop over yn",
    "select_one yn", "select one from nope", "select_multiple yn or_other", "range",
    "rank yn", "note", "calculate", "integer", "acknowledge", "time", "datetime",
    "yes", "TRUE()", "1", "${a} = 'x'", "selected(${b}, 'y')", "not(selected(.,'x'))",
    ". > 3 and . < 1", "string-length(.) < 0", "count-selected(.) <= 1",
    "start=5 end=1 step=0", "_x", "x" * 2100, "${", "<b>", "%(label)s", "",
]  # fmt: skip
FUZZ_FORMS = [
    "pyxform__widgets.xls",
    "onadata__childrens_survey.xlsx",
    "pyxform__loop.xlsx",
    "kobodocs__calculations_constraints_matrix.xlsx",
]


def _changed(name: str, changes: list[tuple[int, int, object]]) -> bytes:
    import xlrd

    path = Path(__file__).parent.parent / "fixtures" / "xlsforms" / name
    book = openpyxl.Workbook()
    book.remove(book.active)
    if name.endswith(".xls"):
        old = xlrd.open_workbook(file_contents=path.read_bytes())
        sheets = {
            s.name: [s.row_values(r) for r in range(s.nrows)] for s in old.sheets()
        }
    else:
        with warnings.catch_warnings():  # its authors' tools wrote odd properties
            warnings.simplefilter("ignore")
            old = openpyxl.load_workbook(path, read_only=True)
        sheets = {
            s.title: [list(r) for r in s.iter_rows(values_only=True)] for s in old
        }
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    survey = book["survey"]
    for row, column, value in changes:
        survey.cell(row, column, value)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_real_forms_with_cells_changed_never_crash_the_import(app):
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    from survey.services.design.exchange import ExchangeError
    from survey.services.design.xlsform import read_xlsform

    changes = st.lists(
        st.tuples(st.integers(1, 40), st.integers(1, 8), st.sampled_from(FUZZ_WORDS)),
        max_size=5,
    )

    @settings(max_examples=40, deadline=None,
              suppress_health_check=list(HealthCheck))  # fmt: skip
    @given(st.sampled_from(FUZZ_FORMS), changes)
    def run(name, changed):
        content = _changed(name, changed)
        with app.test_request_context("/?lang=en"):
            try:
                read_xlsform(content, "fuzz")
            except ExchangeError as error:
                assert "unexpected error" not in " ".join(error.reasons)

    run()


def test_the_report_is_in_vietnamese_on_a_vietnamese_page(client, as_admin, tmp_path):
    client.get("/admin/?lang=vi")
    response = upload(client, "traps-vi", _traps(tmp_path))
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Tên _came không dùng được làm mã ở đây" in page
    assert "đã đổi thành came" in page
    assert "is not usable" not in page
