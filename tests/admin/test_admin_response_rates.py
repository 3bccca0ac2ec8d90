"""RR3 beside RR1 on the wave's funnel, by a hand example."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from survey.domain.response_rates import eligibility_rate, rr3
from survey.extensions import db
from survey.models import Invitation, Response
from tests.admin.test_admin_fieldwork import drawn_wave


def test_rr3_by_hand():
    # I = 3, R = 2, NE = 1, U = 4: e = 5 / 6, RR3 = 3 / (3 + 2 + 4 x 5/6) = 0.36
    assert eligibility_rate(3, 2, 1) == pytest.approx(5 / 6)
    assert rr3(3, 2, 1, 4) == pytest.approx(0.36)
    assert rr3(3, 2, 0, 5) == pytest.approx(0.3)  # no ineligible known: RR1
    assert rr3(0, 0, 0, 0) is None


def test_the_wave_page_shows_rr1_and_rr3(client, as_admin):
    world = as_admin
    wave = drawn_wave(world, 10)
    invitations = list(db.session.scalars(select(Invitation).order_by(Invitation.id)))
    for number, invitation in enumerate(invitations[:4]):
        invitation.status = "answered"
        db.session.add(
            Response(
                survey_id=wave.survey_id,
                version_id=wave.version_id,
                unit_id=invitation.unit_id,
                channel="invited",
                token=f"rr-{invitation.id}",
                invitation_id=invitation.id,
                screened_out=number == 0,  # did not use the service: ineligible
            )
        )
    for invitation in invitations[4:6]:
        invitation.status = "opened"  # reached, not answered
    db.session.commit()  # the other four: never reached
    html = client.get(f"/admin/waves/{wave.id}").get_data(as_text=True)
    total = re.search(r'<tr class="total">(.*?)</tr>', html, re.S).group(1)
    assert "40.0 %" in total  # RR1 = 4 / 10
    assert re.search(r"data-rr3>36.0 %<", total)  # RR3 = 3 / (5 + 4 x 5/6)
    assert 'id="rr3-formula"' in html
