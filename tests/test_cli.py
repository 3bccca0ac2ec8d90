"""The command line: demo data and users."""

from sqlalchemy import func, select

from survey.extensions import db
from survey.models import (
    Response,
    ResponseFlag,
    ServiceCase,
    Survey,
    Unit,
    UnitReview,
    User,
    Wave,
)
from survey.services.demo import DEMO_SLUG, MANIPULATED_UNIT
from survey.services.demo.short import SHORT_SLUG
from survey.services.reporting import tallies, tally_check


def test_seed_demo_builds_a_city_a_survey_and_responses(runner):
    result = runner.invoke(args=["seed-demo", "--responses", "400"])
    assert result.exit_code == 0, result.output
    units = {u.code: u for u in db.session.scalars(select(Unit))}
    assert 15 <= len(units) <= 25
    assert units["S-NN-MT-CN1"].parent.parent.code == "HCM"  # a third level
    survey = db.session.scalar(select(Survey).where(Survey.slug == DEMO_SLUG))
    assert survey.availability() == "open"
    synthetic = select(func.count(Response.id)).where(
        Response.invitation_id.is_(None), Response.survey_id == survey.id
    )
    assert db.session.scalar(synthetic) == 400
    # Beside it, the two-minute form on the QR codes and kiosks of every unit.
    short = db.session.scalar(select(Survey).where(Survey.slug == SHORT_SLUG))
    assert short.availability() == "open" and set(short.units) == set(survey.units)
    channels = db.session.scalars(
        select(Response.channel).where(Response.survey_id == short.id).distinct()
    ).all()
    assert set(channels) == {"qr", "kiosk"}
    assert f"The two-minute form '{SHORT_SLUG}' is open" in result.output
    assert db.session.scalar(select(func.count(User.id))) >= 3
    # The invited channel: cases, one drawn wave, answers linked to invitations.
    assert db.session.scalar(select(func.count(ServiceCase.id))) > 400
    wave = db.session.scalar(select(Wave))
    assert wave.status == "drawn" and wave.seed is not None
    answered = [i for i in wave.invitations if i.status == "answered"]
    assert answered and all(i.response is not None for i in answered)
    assert {i.response.channel for i in answered} <= {"invited", "phone"}
    # The quality checks ran: the manipulated ward is under review.
    review = db.session.scalar(select(UnitReview))
    assert review.unit.code == MANIPULATED_UNIT and review.status == "under_review"
    assert "Units under review: P-BEN-THANH." in result.output
    # The manipulated ward looks manipulated: its fast completions are flagged.
    flagged_units = db.session.scalars(
        select(Unit.code)
        .join(Response, Response.unit_id == Unit.id)
        .join(ResponseFlag, ResponseFlag.response_id == Response.id)
        .distinct()
    ).all()
    assert MANIPULATED_UNIT in flagged_units


def test_seed_demo_refuses_a_database_with_data(runner):
    assert runner.invoke(args=["seed-demo", "--responses", "10"]).exit_code == 0
    again = runner.invoke(args=["seed-demo", "--responses", "10"])
    assert again.exit_code != 0 and "not empty" in again.output
    quiet = runner.invoke(args=["seed-demo", "--if-empty"])
    assert quiet.exit_code == 0


def test_create_user_reads_the_password_from_standard_input(runner, make_unit):
    make_unit("HCM", kind="city")
    result = runner.invoke(
        args=["create-user", "Chi@Example.VN", "--role", "leader", "--unit", "HCM"],
        input="correct horse battery\n",
    )
    assert result.exit_code == 0, result.output
    user = db.session.scalar(select(User))
    assert user.email == "chi@example.vn" and user.role == "leader"
    assert user.check_password("correct horse battery")
    assert "correct horse" not in user.password_hash


def test_create_user_rejects_an_unknown_unit_and_a_short_password(runner, make_unit):
    make_unit("HCM", kind="city")
    unknown = runner.invoke(
        args=["create-user", "a@b.vn", "--role", "admin", "--unit", "NOPE"],
        input="x" * 12,
    )
    assert unknown.exit_code != 0 and "no unit" in unknown.output
    short = runner.invoke(
        args=["create-user", "a@b.vn", "--role", "admin", "--unit", "HCM"],
        input="short\n",
    )
    assert short.exit_code != 0 and "at least 12" in short.output
    bad_role = runner.invoke(
        args=["create-user", "a@b.vn", "--role", "king", "--unit", "HCM"]
    )
    assert bad_role.exit_code != 0


def test_generate_responses_adds_rows_the_app_reads_back(runner):
    from datetime import timedelta

    from survey.models import Answer
    from survey.models._time import utcnow

    assert runner.invoke(args=["seed-demo", "--responses", "0"]).exit_code == 0
    result = runner.invoke(args=["generate-responses", "600", "--seed", "7"])
    assert result.exit_code == 0, result.output
    assert "Generated 600 responses" in result.output
    assert db.session.scalar(select(func.count(Response.id))) == 600
    # About one answer row per question, every one pointing at a stored response.
    answers = db.session.scalar(select(func.count(Answer.id)))
    assert 600 * 15 < answers < 600 * 60
    orphans = db.session.scalar(
        select(func.count(Answer.id)).where(
            Answer.response_id.not_in(select(Response.id))
        )
    )
    assert orphans == 0
    # Times are stored as the ORM stores them: comparisons in SQL hold.
    now = utcnow()
    in_last_year = db.session.scalar(
        select(func.count(Response.id)).where(
            Response.submitted_at >= now - timedelta(days=366),
            Response.submitted_at <= now,
        )
    )
    assert in_last_year == 600
    first = db.session.scalar(select(Response).order_by(Response.id))
    assert first.started_at < first.submitted_at
    assert first.hard_flagged == bool(first.flags)
    # The id sequence moved on: the app's next insert does not collide.
    again = runner.invoke(args=["generate-responses", "10"])
    assert again.exit_code == 0, again.output
    db.session.add(
        Response(
            survey_id=first.survey_id,
            version_id=first.version_id,
            unit_id=first.unit_id,
            token="after-the-bulk-load",
        )
    )
    db.session.commit()
    assert db.session.scalar(select(func.count(Response.id))) == 611


def test_generate_responses_fills_any_question_type(runner, make_survey):
    from survey.models import Answer

    make_survey(slug="every-type")
    result = runner.invoke(args=["generate-responses", "50", "--survey", "every-type"])
    assert result.exit_code == 0, result.output
    assert db.session.scalar(select(func.count(Response.id))) == 50
    assert db.session.scalar(select(func.count(Answer.id))) > 50
    # Counted into the results' tallies as they were written, every type alike.
    assert "The tallies are up to date." in result.output
    assert tallies.waiting() == 0
    assert tally_check.check() == []


def test_generate_responses_from_a_given_id(runner):
    # Loads side by side each take their own range; the app's ids follow.
    assert runner.invoke(args=["seed-demo", "--responses", "0"]).exit_code == 0
    for first in ("5001", "1"):
        result = runner.invoke(args=["generate-responses", "30", "--first-id", first])
        assert result.exit_code == 0, result.output
    ids = db.session.scalars(select(Response.id).order_by(Response.id)).all()
    assert ids == [*range(1, 31), *range(5001, 5031)]
    assert tallies.waiting() == 0
    assert tally_check.check() == []


def test_a_large_generation_is_tidied_on_postgresql(runner, monkeypatch):
    # A bulk load leaves the tallies with dead rows and no statistics: with
    # none, PostgreSQL planned the questions page 3x and the latest-responses
    # list 40x slower (230k responses).
    monkeypatch.setattr(tallies, "TIDY_AFTER", 100)
    tidied = []
    monkeypatch.setattr(tallies, "tidy_postgresql", lambda: tidied.append(True))
    assert runner.invoke(args=["seed-demo", "--responses", "0"]).exit_code == 0
    assert runner.invoke(args=["generate-responses", "99"]).exit_code == 0
    assert not tidied
    assert runner.invoke(args=["generate-responses", "100"]).exit_code == 0
    postgresql = db.session.get_bind().dialect.name == "postgresql"
    assert tidied == ([True] if postgresql else [])


def test_generate_responses_refuses_an_unknown_survey(runner):
    result = runner.invoke(args=["generate-responses", "5", "--survey", "nope"])
    assert result.exit_code != 0 and "no published survey" in result.output


def test_create_user_writes_the_admin_forms_audit_line(runner, make_unit):
    from survey.models import AuditEvent

    make_unit("HCM", kind="city")
    result = runner.invoke(
        args=["create-user", "lan@example.vn", "--role", "admin", "--unit", "HCM"],
        input="correct horse battery\n",
    )
    assert result.exit_code == 0, result.output
    user = db.session.scalar(select(User))
    event = db.session.scalar(select(AuditEvent))
    assert (event.user_id, event.action, event.object_type, event.object_id) == (
        None,
        "create_user",
        "user",
        str(user.id),
    )
    assert event.details == {"email": "lan@example.vn", "role": "admin", "unit": "HCM"}
    taken = runner.invoke(
        args=["create-user", "LAN@example.vn", "--role", "leader", "--unit", "HCM"],
        input="correct horse battery\n",
    )
    assert taken.exit_code != 0 and "exists already" in taken.output
