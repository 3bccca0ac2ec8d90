"""Results across a reform: a successor's history made from its predecessors."""

from __future__ import annotations

from datetime import date, datetime

from flask_babel import force_locale
from sqlalchemy import func, select, update

from survey.extensions import db
from survey.models import Answer, Reform, Response, Unit
from survey.services.city import reforms
from survey.services.reporting import lineage_results
from survey.services.reporting.result_filter import ResultFilter

MAPPING = (
    "former_code,new_code,share,effective_date\n"
    "F1,NEW-A,1,2025-07-01\n"
    "F2,NEW-A,0.7,2025-07-01\n"
    'F2,NEW-B,"0,3",2025-07-01\n'
    "F3,NEW-B,,2025-07-01\n"
)


def _city(make_unit, make_survey):
    city = make_unit("CITY", kind="city")
    units = {
        code: make_unit(code, city) for code in ("F1", "F2", "F3", "NEW-A", "NEW-B")
    }
    survey = make_survey(units=list(units.values()), owner=city)
    return city, units, survey


def _at(moment: datetime, unit: Unit) -> None:
    """Date every response of ``unit`` not yet dated to ``moment``."""
    db.session.execute(
        update(Response)
        .where(
            Response.unit_id == unit.id, Response.submitted_at > datetime(2026, 1, 1)
        )
        .values(submitted_at=moment)
    )
    db.session.commit()


def _fill(survey, units, add_responses):
    may, august = datetime(2025, 5, 10, 3), datetime(2025, 8, 10, 3)
    for code, top, low, when in (
        ("F1", 10, 5, may),
        ("F2", 20, 10, may),
        ("F3", 12, 0, may),
        ("NEW-A", 15, 5, august),
        ("NEW-B", 9, 3, august),
    ):
        add_responses(survey, units[code], top, code=5)
        add_responses(survey, units[code], low, code=1)
        _at(when, units[code])


def _direct(survey, unit: Unit, month: str) -> tuple[int, int]:
    """(satisfied, answered) of one unit and month, straight from the rows."""
    rows = (
        db.session.execute(
            select(Answer.value_int, func.count())
            .join(Response, Answer.response_id == Response.id)
            .where(Response.unit_id == unit.id, Response.survey_id == survey.id)
            .where(func.strftime("%Y-%m", Response.submitted_at, "+7 hours") == month)
            .group_by(Answer.value_int)
        )
        if db.engine.dialect.name == "sqlite"
        else db.session.execute(
            select(Answer.value_int, func.count())
            .join(Response, Answer.response_id == Response.id)
            .where(Response.unit_id == unit.id, Response.survey_id == survey.id)
            .where(
                func.to_char(
                    Response.submitted_at + func.make_interval(0, 0, 0, 0, 7), "YYYY-MM"
                )
                == month
            )
            .group_by(Answer.value_int)
        )
    )
    counts = dict(rows.all())
    return counts.get(4, 0) + counts.get(5, 0), sum(counts.values())


def test_a_successor_trend_runs_through_the_reform(
    app, make_unit, make_survey, add_responses
):
    city, units, survey = _city(make_unit, make_survey)
    _fill(survey, units, add_responses)
    report = reforms.import_reform_csv(None, MAPPING.encode(), "Reform 2025", city)
    assert report.rejected == [] and report.links == 4
    db.session.commit()
    assert units["F2"].valid_to == date(2025, 6, 30)
    assert units["NEW-A"].valid_from == date(2025, 7, 1)

    history = lineage_results.unit_history(survey, units["NEW-A"], ResultFilter())
    assert history.reform_months == ("2025-07",)
    assert [p.unit.code for p in history.predecessors] == ["F1", "F2"]
    may, august = history.points
    # Checked against a direct count of the predecessors' rows, with shares.
    f1, f2 = (
        _direct(survey, units["F1"], "2025-05"),
        _direct(survey, units["F2"], "2025-05"),
    )
    assert f1 == (10, 15) and f2 == (20, 30)
    assert may.month == "2025-05" and may.reconstructed and may.estimated
    assert abs(may.prop.successes - (f1[0] + 0.7 * f2[0])) < 1e-9
    assert abs(may.prop.n - (f1[1] + 0.7 * f2[1])) < 1e-9
    assert may.respondents == 45
    assert august.month == "2025-08" and not august.reconstructed
    assert (august.prop.successes, august.prop.n) == (15, 20)

    # The successors of a month add up to the former units: no double count.
    other = lineage_results.unit_history(survey, units["NEW-B"], ResultFilter())
    may_b = other.points[0]
    assert abs(may.prop.n + may_b.prop.n - (15 + 30 + 12)) < 1e-9


def test_a_bad_mapping_imports_nothing_and_says_why(app, make_unit, make_survey):
    city, units, _survey = _city(make_unit, make_survey)
    bad = (
        "former_code,new_code,share,effective_date\n"
        "F1,NEW-A,1,2025-07-01\n"
        "F2,NEW-A,0.7,2025-07-01\n"  # the other 0.3 goes nowhere
        "NOPE,NEW-A,1,2025-07-01\n"
        "F3,NEW-B,two,2025-07-01\n"
        "F3,NEW-B,1,1 July\n"
    )
    with force_locale("en"):
        report = reforms.import_reform_csv(None, bad.encode(), "Bad", city)
    assert report.reform is None
    lines = dict(report.rejected)
    assert set(lines) == {4, 5, 6}
    assert "NOPE" in lines[4]
    db.session.commit()
    assert db.session.scalar(select(func.count(Reform.id))) == 0
    assert units["F1"].valid_to is None  # nothing half done

    # Lines right, but F2's shares add up to 0.7: refused as a whole.
    short = "former_code,new_code,share,effective_date\nF2,NEW-A,0.7,2025-07-01\n"
    with force_locale("en"):
        report = reforms.import_reform_csv(None, short.encode(), "Short", city)
    assert report.reform is None and "0.700" in report.rejected[0][1]


def test_a_reform_can_be_undone_only_before_it_takes_effect(
    app, make_unit, make_survey
):
    city, units, _survey = _city(make_unit, make_survey)
    future = MAPPING.replace("2025-07-01", "2031-01-01")
    report = reforms.import_reform_csv(None, future.encode(), "Next", city)
    db.session.commit()
    reform = report.reform
    assert reform is not None and units["F1"].valid_to == date(2030, 12, 31)
    reforms.undo_reform(None, reform, today=date(2030, 6, 1))
    db.session.commit()
    assert units["F1"].valid_to is None and units["NEW-A"].valid_from is None
    assert db.session.scalar(select(func.count(Reform.id))) == 0

    past = reforms.import_reform_csv(None, MAPPING.encode(), "Done", city).reform
    db.session.commit()
    try:
        reforms.undo_reform(None, past, today=date(2026, 1, 1))
    except reforms.ReformError:
        pass
    else:
        raise AssertionError("a reform in effect was undone")


def test_the_cli_imports_vietnams_2025_reform_for_the_city(app, runner):
    from survey.services.demo import create_units

    create_units()
    db.session.commit()
    result = runner.invoke(args=["reform", "import-vn2025", "--root", "HCM"])
    assert result.exit_code == 0, result.output
    assert "493 links imported" in result.output
    new = db.session.scalars(select(Unit).where(Unit.valid_from == date(2025, 7, 1)))
    kinds = sorted(u.kind for u in new)
    assert len(kinds) == 168
    assert (
        kinds.count("ward"),
        kinds.count("commune"),
        kinds.count("special_zone"),
    ) == (
        113,
        54,
        1,
    )
    former = db.session.scalars(
        select(Unit).where(
            Unit.valid_to == date(2025, 6, 30),
            Unit.kind.in_(["ward", "commune", "district"]),
        )
    ).all()
    assert (
        len([u for u in former if u.kind != "district" or u.code == "VN-D755"]) == 442
    )
    sai_gon = db.session.scalar(select(Unit).where(Unit.code == "P-SAI-GON"))
    parts = {
        p.unit.name_vi: round(p.share, 2)
        for p in lineage_results.predecessors_of(sai_gon)
    }
    assert parts["Phường Bến Nghé"] == 1.0
    assert 0 < parts["Phường Đa Kao"] < 1 and 0 < parts["Phường Nguyễn Thái Bình"] < 1
    listed = runner.invoke(args=["reform", "list"])
    assert "493 links" in listed.output


def test_a_new_wards_leader_reads_its_history_and_nothing_more(
    client, make_unit, make_survey, make_user, add_responses, login
):
    from tests.results.test_results_pages import text_of

    city, units, survey = _city(make_unit, make_survey)
    _fill(survey, units, add_responses)
    reforms.import_reform_csv(None, MAPPING.encode(), "Reform 2025", city)
    db.session.commit()
    make_user("ward@new-a.vn", "leader", units["NEW-A"])
    login("ward@new-a.vn")
    page = client.get("/results/test?lang=en").get_data(as_text=True)
    link = "/results/test/unit/NEW-A/history"
    assert f'href="{link}"' in page  # reached by a click from the overview
    text = text_of(client.get(link + "?lang=en").get_data(as_text=True))
    assert "Formed from" in text
    assert "F1 Ward: the whole unit" in text
    assert "F2 Ward: part of it (share 70.0 %)" in text
    assert "May 2025 45 66.7 %" in text and "estimated" in text  # 24 of 36
    assert "Aug 2025 20 75.0 %" in text and "this unit" in text
    # The former units' own pages stay outside a new ward's scope.
    assert client.get("/results/test/unit/F2").status_code == 403
    assert client.get("/results/test/unit/F2/history").status_code == 403
    vi = text_of(client.get(link + "?lang=vi").get_data(as_text=True))
    assert "Lịch sử qua các lần sắp xếp" in vi and "ước tính" in vi


def test_an_own_month_reads_as_on_the_trend_with_the_noise_on(
    app, make_unit, make_survey, add_responses
):
    from survey.services.reporting import reports

    city, units, survey = _city(make_unit, make_survey)
    _fill(survey, units, add_responses)
    reforms.import_reform_csv(None, MAPPING.encode(), "Reform 2025", city)
    db.session.commit()
    app.config["SURVEY_CELL_KEY"] = True
    try:
        history = lineage_results.unit_history(survey, units["NEW-A"], ResultFilter())
        trend = reports.overview(survey, units["NEW-A"], ResultFilter()).months
    finally:
        app.config["SURVEY_CELL_KEY"] = False
    own = next(p for p in history.points if p.month == "2025-08")
    point = next(m for m in trend if m.month == "2025-08")
    assert (own.prop.estimate, own.prop.low, own.prop.high) == (
        point.index.prop.estimate,
        point.index.prop.low,
        point.index.prop.high,
    )
