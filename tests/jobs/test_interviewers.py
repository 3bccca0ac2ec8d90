"""Phone interviews: nobody interviews the cases of the unit they belong to."""

from __future__ import annotations

from survey.extensions import db
from survey.models import Response
from tests.admin.helpers import switch_user


def test_a_ward_admin_cannot_interview_the_ward_but_the_city_can(
    field, client, login, make_user
):
    invitation = next(i for i in field.invitations if i.unit_id == field.w1.id)
    make_user("w1-admin@city.gov.vn", "admin", field.w1)
    login("w1-admin@city.gov.vn")
    url = f"/admin/invitations/{invitation.id}/interview"
    # Refused twice over: only city-wide administrators interview (rights.py),
    # and never staff of the unit being rated (the interview view's own rule).
    assert client.get(url + "?lang=en").status_code == 403
    switch_user(client, login, "admin@city.gov.vn")
    assert client.get(url).status_code == 200
    assert url in client.get(f"/admin/waves/{field.wave.id}").text
    assert db.session.query(Response).count() == 0
