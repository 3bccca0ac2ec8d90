"""The demo's wave: phone interviews by three interviewers, a back-check queue."""

from __future__ import annotations

import re

from sqlalchemy import select

from survey.extensions import db
from survey.models import BackCheck, Response, Wave


def test_the_demo_wave_has_interviewers_and_a_back_check_queue(runner, client, login):
    assert runner.invoke(args=["seed-demo", "--responses", "400"]).exit_code == 0
    wave = db.session.scalar(select(Wave))
    interviewers = set(
        db.session.scalars(
            select(Response.interviewer_id).where(Response.interviewer_id.is_not(None))
        )
    )
    assert len(interviewers) >= 2
    checks = db.session.scalars(select(BackCheck)).all()
    assert {c.interviewer_id for c in checks} == interviewers  # one each, at least
    login("admin@demo.gov.vn", "demo-admin-2025")
    html = client.get(f"/admin/waves/{wave.id}/fieldwork?lang=en").get_data(
        as_text=True
    )
    assert re.search(r'id="icc">[^<–]+<', html)  # a number, not a dash
    assert f"{len(checks)} waiting for a second call; 0 made." in html
    page = client.get(f"/admin/waves/{wave.id}?lang=en").get_data(as_text=True)
    assert "Response rate (RR3)" in page
