"""Raw responses: administrators only, scoped, audited, safe in a spreadsheet."""

from __future__ import annotations

import csv
import io
import secrets
from datetime import date, datetime, timedelta

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from survey.extensions import db
from survey.models import (
    Answer,
    AuditEvent,
    Option,
    Question,
    Response,
    ResponseCells,
    ResponseFlag,
    Unit,
)
from survey.models.surveys import SurveyVersion
from survey.services.reporting import raw_export

HOSTILE = (
    '=HYPERLINK("http://evil.example","click")',
    "+1 to the counter",
    "-5 minutes late",
    "@SUM(A1)",
    "\tindented",
    'Quá chậm, "ba lần", dòng\nmới; <script>alert(1)</script>',
)


@pytest.fixture
def small(make_survey, make_unit):
    """A city with two wards, the small survey, and a helper to answer it."""
    city = make_unit("CITY", kind="city")
    w1, w2 = make_unit("W1", city), make_unit("W2", city)
    survey = make_survey(units=[w1, w2], owner=city)
    version = survey.published_version
    questions = {
        q.code: q
        for q in db.session.scalars(
            select(Question).where(Question.version_id == version.id)
        )
    }

    def option(code: str, option_code: str) -> int:
        return {o.code: o.id for o in questions[code].options}[option_code]

    def answer(unit, flags=(), **values) -> Response:
        rows = []
        for code, value in values.items():
            q = questions[code]
            if q.type == "likert5":
                rows.append(
                    Answer(
                        question_id=q.id,
                        option_id=option(code, str(value)),
                        value_int=value,
                    )
                )
            elif q.type in ("single", "multiple"):
                for item in value if isinstance(value, list) else [value]:
                    picked, _, other = item.partition(":")
                    rows.append(
                        Answer(
                            question_id=q.id,
                            option_id=option(code, picked),
                            value_text=other or None,
                        )
                    )
            elif q.type in ("nps", "rating5"):
                rows.append(Answer(question_id=q.id, value_int=value))
            elif q.type == "number":
                rows.append(Answer(question_id=q.id, value_number=value))
            elif q.type == "date":
                rows.append(Answer(question_id=q.id, value_date=value))
            else:
                rows.append(Answer(question_id=q.id, value_text=value))
        response = Response(
            survey_id=survey.id,
            version_id=version.id,
            unit_id=unit.id,
            channel="qr",
            language="vi",
            submitted_at=datetime(2026, 3, 1, 20, 30, 5),
            token=secrets.token_hex(16),
            hard_flagged=any(kind == "hard" for _, kind in flags),
            answers=rows,
            flags=[ResponseFlag(code=c, kind=k, reason="") for c, k in flags],
        )
        db.session.add(response)
        db.session.commit()
        return response

    return survey, city, w1, w2, answer


def _csv_rows(body: bytes) -> list[list[str]]:
    text = body.decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


def test_csv_has_one_row_per_response_with_every_answer(
    client, small, make_user, login
):
    survey, city, w1, w2, answer = small
    first = answer(
        w1,
        SAT=4,
        LATE="yes",
        WHY="Chờ lâu",
        IMPROVE=["fast", "other:Bãi xe"],
        NPS=9,
        STARS=5,
        VISITS=2.0,
        WHEN=date(2026, 2, 28),
        NOTE="Tốt",
    )
    second = answer(w2, SAT=9, LATE="no", flags=[("repeated_device", "soft")])
    make_user("admin@city.vn", "admin", city)
    login("admin@city.vn")
    response = client.get("/results/test/raw.csv")
    assert response.status_code == 200
    assert response.is_streamed
    assert response.mimetype == "text/csv"
    rows = _csv_rows(response.get_data())
    header = rows[0]
    assert header[:7] == [
        "id",
        "submitted_at",
        "unit",
        "channel",
        "language",
        "version",
        "flags",
    ]
    assert header[7:] == [
        "SAT",
        "LATE",
        "WHY",
        "IMPROVE",
        "IMPROVE_other",
        "NPS",
        "STARS",
        "VISITS",
        "WHEN",
        "NOTE",
    ]
    assert len(rows) == 3
    one = dict(zip(header, rows[1], strict=True))
    assert one["id"] == str(first.id)
    assert one["submitted_at"] == "2026-03-02T03:30:05+07:00"  # UTC+7
    assert (one["unit"], one["channel"], one["language"]) == ("W1", "qr", "vi")
    assert (one["version"], one["flags"]) == ("1", "")
    assert (one["SAT"], one["LATE"], one["WHY"]) == ("4", "yes", "Chờ lâu")
    assert (one["IMPROVE"], one["IMPROVE_other"]) == ("fast;other", "Bãi xe")
    assert (one["NPS"], one["STARS"], one["VISITS"]) == ("9", "5", "2")
    assert (one["WHEN"], one["NOTE"]) == ("2026-02-28", "Tốt")
    two = dict(zip(header, rows[2], strict=True))
    assert two["id"] == str(second.id)
    assert (two["unit"], two["SAT"], two["LATE"], two["WHY"]) == ("W2", "9", "no", "")
    assert two["flags"] == "repeated_device"


def test_xlsx_holds_the_same_rows(client, small, make_user, login):
    survey, city, w1, w2, answer = small
    answer(w1, SAT=5, LATE="no", IMPROVE=["kind", "cheap"], NOTE=HOSTILE[0])
    make_user("admin@city.vn", "admin", city)
    login("admin@city.vn")
    response = client.get("/results/test/raw.xlsx")
    assert response.status_code == 200
    assert response.mimetype.endswith("spreadsheetml.sheet")
    sheet = load_workbook(io.BytesIO(response.get_data())).active
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    header = rows[0]
    values = dict(zip(header, rows[1], strict=True))
    assert values["unit"] == "W1"
    assert values["SAT"] == "5"
    assert values["IMPROVE"] == "kind;cheap"
    assert values["NOTE"] == HOSTILE[0]


def test_spss_file_holds_the_same_rows_with_labels(
    client, small, make_user, login, tmp_path
):
    import pyreadstat

    survey, city, w1, w2, answer = small
    answer(w1, SAT=5, LATE="no", IMPROVE=["kind", "cheap"], NOTE=HOSTILE[0])
    answer(w2, SAT=2, LATE="yes", WHY="Thiếu giấy tờ")
    make_user("admin@city.vn", "admin", city)
    login("admin@city.vn")
    response = client.get("/results/test/raw.sav")
    assert response.status_code == 200
    path = tmp_path / "responses.sav"
    path.write_bytes(response.get_data())
    frame, meta = pyreadstat.read_sav(str(path))
    assert len(frame) == 2
    labels = dict(zip(meta.column_names, meta.column_labels, strict=True))
    assert "SAT" in labels.values() and "NOTE" in labels.values()
    sat = next(name for name, label in labels.items() if label == "SAT")
    note = next(name for name, label in labels.items() if label == "NOTE")
    assert sorted(frame[sat].tolist()) == ["2", "5"]
    assert HOSTILE[0] in frame[note].tolist()


def test_hostile_text_is_neutralised_and_round_trips_as_text(
    client, small, make_user, login
):
    survey, city, w1, w2, answer = small
    for text in HOSTILE:
        answer(w1, SAT=3, NOTE=text, IMPROVE=[f"other:{text}"])
    make_user("admin@city.vn", "admin", city)
    login("admin@city.vn")
    rows = _csv_rows(client.get("/results/test/raw.csv").get_data())
    note = rows[0].index("NOTE")
    other = rows[0].index("IMPROVE_other")
    for row, text in zip(rows[1:], HOSTILE, strict=True):
        expected = "'" + text if text[0] in "=+-@\t" else text
        assert row[note] == expected
        assert row[other] == expected
    book = load_workbook(io.BytesIO(client.get("/results/test/raw.xlsx").get_data()))
    sheet = book.active
    header = [c.value for c in sheet[1]]
    for row, text in zip(sheet.iter_rows(min_row=2), HOSTILE, strict=True):
        cell = row[header.index("NOTE")]
        assert cell.value == text  # the text itself, unchanged
        assert cell.data_type == "s"  # a string, never a formula
        assert cell.quotePrefix == (text[0] in "=+-@\t")


@pytest.mark.parametrize("role", ["designer", "leader"])
def test_designers_and_leaders_may_not_export_raw_responses(
    client, small, make_user, login, role
):
    survey, city, w1, w2, answer = small
    answer(w1, SAT=4)
    make_user(f"{role}@city.vn", role, city)
    login(f"{role}@city.vn")
    for url in ("/results/test/raw.csv", "/results/test/unit/W1/raw.xlsx"):
        assert client.get(url).status_code == 403, url
    html = client.get("/results/test").get_data(as_text=True)
    assert "/raw.csv" not in html
    assert db.session.scalar(select(AuditEvent).filter_by(action="export_raw")) is None


def test_an_admin_of_a_ward_gets_only_the_ward(client, small, make_user, login):
    survey, city, w1, w2, answer = small
    mine = [answer(w1, SAT=4).id for _ in range(3)]
    answer(w2, SAT=2)
    make_user("ward-admin@city.vn", "admin", w1)
    login("ward-admin@city.vn")
    rows = _csv_rows(client.get("/results/test/raw.csv").get_data())
    assert [int(r[0]) for r in rows[1:]] == mine
    assert {r[2] for r in rows[1:]} == {"W1"}
    assert client.get("/results/test/unit/W2/raw.csv").status_code == 403
    assert "/results/test/unit/W1/raw.csv" in client.get("/results/test").get_data(
        as_text=True
    )
    assert client.get("/results/test/unit/CITY/raw.csv").status_code == 403


@pytest.mark.commits  # the test reads while the export still streams
def test_the_page_filters_apply_and_the_export_is_audited_first(
    client, small, make_user, login
):
    survey, city, w1, w2, answer = small
    kept = answer(w1, SAT=4).id
    flagged = answer(w1, SAT=5, flags=[("hard_speeder", "hard")]).id
    admin = make_user("admin@city.vn", "admin", city)
    login("admin@city.vn")
    response = client.get("/results/test/unit/W1/raw.csv?channel=optin")
    # The audit line is committed before the first byte is produced.
    event = db.session.scalar(select(AuditEvent).filter_by(action="export_raw"))
    assert event is not None
    assert event.user_id == admin.id
    assert event.object_type == "survey" and event.object_id == str(survey.id)
    assert event.details == {
        "unit": "W1",
        "filters": {"channel": "optin"},
        "format": "csv",
    }
    rows = _csv_rows(response.get_data())
    assert [int(r[0]) for r in rows[1:]] == [kept]  # hard-flagged left out
    rows = _csv_rows(client.get("/results/test/raw.csv?flagged=1").get_data())
    assert [int(r[0]) for r in rows[1:]] == [kept, flagged]
    assert rows[2][6] == "hard_speeder"
    assert (
        client.get("/results/test/raw.csv?channel=invited").get_data().count(b"\n") == 1
    )  # the header only


def test_rows_are_read_in_batches_in_id_order(app, small):
    survey, city, w1, w2, answer = small
    ids = [answer(w1 if i % 2 else w2, SAT=1 + i % 5).id for i in range(7)]
    from survey.services.reporting.result_filter import ResultFilter

    flt = ResultFilter()
    layout = raw_export.raw_layout(survey, flt)
    rows = list(raw_export.raw_rows(survey, city, flt, layout, batch_size=3))
    assert [row[0] for row in rows] == ids
    assert [row[7] for row in rows] == [str(1 + i % 5) for i in range(7)]


def local_time(moment: datetime) -> str:
    """A naive UTC timestamp as local ISO 8601 with its offset (UTC+7)."""
    return (moment + timedelta(hours=7)).replace(microsecond=0).isoformat() + "+07:00"


def _rows_built_answer_by_answer(survey, layout) -> list[list[object]]:
    """The raw rows built the straightforward way: every response's answers
    read through the ORM, one at a time."""
    from survey.domain.questions import MULTIPLE, NUMBER

    columns = layout.header
    rows = []
    for response in db.session.scalars(
        select(Response).where(Response.survey_id == survey.id).order_by(Response.id)
    ):
        cells: dict[str, object] = {
            "id": response.id,
            "submitted_at": local_time(response.submitted_at),
            "unit": db.session.get(Unit, response.unit_id).code,
            "channel": response.channel,
            "language": response.language,
            "version": db.session.get(SurveyVersion, response.version_id).number,
            "flags": ";".join(
                f.code for f in sorted(response.flags, key=lambda f: f.id)
            ),
        }
        ticks: dict[str, list] = {}
        for answer in response.answers:
            question = db.session.get(Question, answer.question_id)
            option = answer.option_id and db.session.get(Option, answer.option_id)
            if option is not None:
                if question.type == MULTIPLE:
                    ticks.setdefault(question.code, []).append(option)
                else:
                    cells[question.code] = option.code
                if option.is_other and answer.value_text:
                    cells[question.code + raw_export.OTHER_SUFFIX] = answer.value_text
            elif question.type == NUMBER:
                value = answer.value_number
                cells[question.code] = int(value) if value.is_integer() else value
            else:
                value = next(
                    v
                    for v in (answer.value_text, answer.value_int, answer.value_date)
                    if v is not None
                )
                cells[question.code] = (
                    value.isoformat() if isinstance(value, date) else value
                )
        for code, options in ticks.items():
            options.sort(key=lambda o: o.position)
            cells[code] = ";".join(o.code for o in options)
        rows.append([cells.get(column) for column in columns])
    return rows


def test_rows_folded_by_the_database_equal_rows_built_answer_by_answer(app, small):
    """The export lets the database fold each response's answers into one
    object; every cell must be what reading the answers one by one gives."""
    from survey.services.demo import generate_responses
    from survey.services.reporting.result_filter import ResultFilter

    survey, city, w1, w2, answer = small
    generate_responses(survey, 300, seed=5)
    db.session.commit()
    for text in HOSTILE:
        answer(w1, SAT=3, WHY=text, IMPROVE=["fast", f"other:{text}"], VISITS=2.5)
    answer(w2, flags=[("hard_speeder", "hard"), ("repeated_device", "soft")], SAT=5)
    db.session.expire_all()
    flt = ResultFilter(include_flagged=True)
    layout = raw_export.raw_layout(survey, flt)
    folded = list(raw_export.raw_rows(survey, city, flt, layout, batch_size=64))
    expected = _rows_built_answer_by_answer(survey, layout)
    assert len(folded) == 307
    assert folded == expected
    assert {type(cell) for row in folded for cell in row[7:]} <= {
        int,
        float,
        str,
        type(None),
    }


def _store_as_the_form_does(version, unit, **values) -> None:
    """A response through the form's own path: the checker, then
    ``record_response`` (which writes the answer fields)."""
    from survey.domain.answers import check_answers
    from survey.services.answering.responses import (
        Submission,
        record_response,
        rules_for,
    )
    from survey.services.answering.surveys import form_questions

    questions = form_questions(version)
    by_code = {q.code: q for q in questions}
    raw, other = {}, {}
    for code, value in values.items():
        picked = value if isinstance(value, list) else [value]
        raw[by_code[code].id] = [str(v).partition(":")[0] for v in picked]
        other[by_code[code].id] = "".join(str(v).partition(":")[2] for v in picked)
    checked = check_answers(rules_for(questions), raw, other)
    assert not checked.errors, checked.errors
    submission = Submission(
        token=secrets.token_hex(16),
        started_at=None,
        channel="qr",
        language="en",
        device_hash=None,
        honeypot_filled=False,
    )
    assert record_response(version, unit, questions, checked.answers, submission)
    db.session.commit()


def test_csv_of_stored_fields_is_the_file_written_cell_by_cell(app, small, make_user):
    """The CSV joins answer fields written when each response was stored to
    fields written at export; the file must be byte for byte what a CSV
    writer makes of the rows built answer by answer. Responses: generated,
    stored by the form's path, stored without fields (as before they were
    kept), of two versions whose columns differ."""
    from survey.results.overview_export import neutralise
    from survey.services.demo import generate_responses
    from survey.services.design.designer import (
        delete_question,
        move_question,
        new_draft_from,
    )
    from survey.services.reporting.result_filter import ResultFilter

    survey, city, w1, w2, answer = small
    first = survey.published_version
    generate_responses(survey, 120, seed=5)
    for text in HOSTILE:
        answer(w1, SAT=3, WHY=text, IMPROVE=["fast", f"other:{text}"], VISITS=2.5)
        _store_as_the_form_does(
            first,
            w2,
            SAT=2,
            LATE="yes",
            WHY=text,
            IMPROVE=["kind", f"other:{text}"],
            NPS=0,
            STARS=5,
            VISITS="3",
            WHEN="2026-02-28",
            NOTE=text,
        )
    _store_as_the_form_does(first, w1, SAT=9, LATE="no", NPS=10, STARS=1, VISITS="1,5")
    # Version 2 asks STARS before NPS and no longer asks NOTE: version 1's
    # stored fields no longer fit the layout's columns.
    admin = make_user("admin@city.vn", "admin", city)
    second = new_draft_from(first)
    by_code = {q.code: q for q in second.questions}
    move_question(admin, by_code["STARS"], "up")
    delete_question(admin, by_code["NOTE"])
    second.publish()
    db.session.commit()
    generate_responses(survey, 80, seed=6)
    # A second's last microseconds stay in that second (SQLite rounds to ms).
    edge = answer(w2, SAT=1)
    edge.submitted_at = datetime(2026, 3, 1, 16, 59, 59, 999_800)
    _store_as_the_form_does(
        second,
        w1,
        SAT=4,
        LATE="yes",
        WHY=HOSTILE[0],
        NPS=7,
        STARS=2,
        VISITS="20",
        IMPROVE=[f"other:{HOSTILE[5]}"],
    )
    db.session.expire_all()

    flt = ResultFilter(include_flagged=True)
    layout = raw_export.raw_layout(survey, flt)
    assert layout.header[7:] == [
        "SAT",
        "LATE",
        "WHY",
        "IMPROVE",
        "IMPROVE_other",
        "STARS",
        "NPS",
        "VISITS",
        "WHEN",
        "NOTE",
    ]
    expected = io.StringIO()
    expected.write("\ufeff")
    writer = csv.writer(expected)
    writer.writerow(layout.header)
    for row in _rows_built_answer_by_answer(survey, layout):
        writer.writerow([neutralise(cell) for cell in row])
    written = "".join(raw_export.raw_csv(survey, city, flt, layout, batch_size=32))
    assert db.session.scalar(select(func.count()).select_from(ResponseCells)) == 208
    assert ",2026-03-01T23:59:59+07:00," in written
    assert written == expected.getvalue()
    # The stored fields are what the file holds (not worked out again).
    last = db.session.get(
        ResponseCells, db.session.scalar(select(func.max(Response.id)))
    )
    last.cells = ",stored"
    db.session.commit()
    written = "".join(raw_export.raw_csv(survey, city, flt, layout, batch_size=32))
    assert written.endswith(",stored,\r\n")


def test_the_command_line_writes_the_same_file_as_the_download(
    app, client, small, make_user, login, tmp_path
):
    survey, city, w1, w2, answer = small
    for i in range(5):
        answer(w1 if i % 2 else w2, SAT=1 + i, WHY=HOSTILE[i], IMPROVE=["fast"])
    answer(w1, flags=[("hard_speeder", "hard")], SAT=2)
    make_user("admin@city.vn", "admin", city)
    login("admin@city.vn")
    downloaded = client.get("/results/test/raw.csv?flagged=1").get_data()
    runner = app.test_cli_runner()
    target = tmp_path / "all.csv"
    args = ["export-raw", str(target), "--survey", "test", "--include-flagged"]
    result = runner.invoke(args=args)
    assert result.exit_code == 0, result.output
    assert "Wrote 6 responses of test (CITY)" in result.output
    assert target.read_bytes() == downloaded
    event = db.session.scalars(
        select(AuditEvent).filter_by(action="export_raw").order_by(AuditEvent.id)
    ).all()[-1]
    assert event.user_id is None
    assert event.details["via"] == "cli" and event.details["unit"] == "CITY"
    # one ward, hard-flagged left out; an existing file is never overwritten
    ward = tmp_path / "w1.xlsx"
    result = runner.invoke(
        args=["export-raw", str(ward), "--survey", "test", "--unit", "W1"]
    )
    assert result.exit_code == 0, result.output
    sheet = load_workbook(ward, read_only=True).active
    assert [row[2] for row in sheet.iter_rows(min_row=2, values_only=True)] == [
        "W1"
    ] * 2
    result = runner.invoke(args=["export-raw", str(target), "--survey", "test"])
    assert result.exit_code != 0 and "exists already" in result.output
    result = runner.invoke(
        args=["export-raw", str(tmp_path / "x.csv"), "--survey", "nope"]
    )
    assert result.exit_code != 0 and "no survey" in result.output
