"""The real city as the demo: 168 units, 442 former ones, answers on both sides."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import func, select

from survey.extensions import db
from survey.models import Response, Survey, Unit
from survey.services.demo import DEMO_SLUG
from survey.services.demo.city import CUTOVER
from survey.services.reporting import lineage_results
from survey.services.reporting.result_filter import ResultFilter


def test_seed_demo_real_city_builds_the_reformed_city(runner):
    result = runner.invoke(args=["seed-demo", "--real-city", "--responses", "3000"])
    assert result.exit_code == 0, result.output
    new = db.session.scalars(select(Unit).where(Unit.valid_from == date(2025, 7, 1)))
    kinds = sorted(u.kind for u in new)
    assert (
        kinds.count("ward"),
        kinds.count("commune"),
        kinds.count("special_zone"),
    ) == (
        113,
        54,
        1,
    )
    former = db.session.scalar(
        select(func.count(Unit.id)).where(
            Unit.valid_to == date(2025, 6, 30), Unit.kind.in_(("ward", "commune"))
        )
    )
    assert former == 441  # and Côn Đảo, a former district without wards

    # Before the reform every answer is at a former unit, after it at a new one.
    def count(*where) -> int:
        return db.session.scalar(
            select(func.count(Response.id))
            .join(Unit, Unit.id == Response.unit_id)
            .where(*where)
        )

    now, former_unit = Unit.valid_to.is_(None), Unit.valid_to.is_not(None)
    before, after = Response.submitted_at < CUTOVER, Response.submitted_at >= CUTOVER
    assert count(now, before) == 0 and count(former_unit, after) == 0
    assert count(former_unit, before) > 500 and count(now, after) > 1500
    assert min(r.submitted_at for r in db.session.scalars(select(Response))) > datetime(
        2024, 11, 1
    )

    # By its slug: the real city also seeds the short survey, and a table
    # without ORDER BY may return either first (PostgreSQL after other tests).
    survey = db.session.scalar(select(Survey).where(Survey.slug == DEMO_SLUG))
    sai_gon = db.session.scalar(select(Unit).where(Unit.code == "P-SAI-GON"))
    history = lineage_results.unit_history(survey, sai_gon, ResultFilter())
    names = {p.unit.name_vi for p in history.predecessors}
    assert names == {"Phường Bến Nghé", "Phường Đa Kao", "Phường Nguyễn Thái Bình"}
    before = [p for p in history.points if p.month < "2025-07"]
    after = [p for p in history.points if p.month >= "2025-07"]
    assert before and all(p.reconstructed and p.estimated for p in before)
    assert after and not any(p.reconstructed for p in after)
    assert history.reform_months == ("2025-07",)
