"""The wave page's message plan: bad input gets a message, never a 500; the
scope is checked; the page shows the funnel in the page's language."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from survey.extensions import db
from survey.models import OutboxMessage, OutreachPlan
from survey.services.fieldwork.outbox_plans import DEFAULT_TEXTS
from tests.admin.helpers import post, switch_user


def plan_form(**changes) -> dict:
    data = {
        "channels": ["sms"],
        "max_reminders": "2",
        "reminder_days": "3",
        "base_url": "https://ks.example.vn",
        **DEFAULT_TEXTS,
    }
    data.update(changes)
    return data


def test_a_bad_plan_is_refused_with_a_message(field, client, login):
    login("admin@city.gov.vn")
    url = f"/admin/waves/{field.wave.id}"
    page = client.get(url + "?lang=en")
    assert page.status_code == 200 and "Messages to the sample" in page.text
    cases = [
        (plan_form(channels=[]), "Choose at least one channel."),
        (plan_form(first_vi="Mời bạn: $link"), "Every text needs $link and $optout."),
        (plan_form(reminder_en="$link $optout ${name}"), "placeholder other than"),
        (plan_form(max_reminders="9"), "Between 0 and 5."),
        (plan_form(reminder_days="abc"), "Not a valid integer value."),
        (plan_form(base_url="javascript:alert(1)"), "starts with https://"),
        (plan_form(channels=["fax"]), "not a valid choice"),
    ]
    for data, message in cases:
        done = post(client, f"{url}/outreach", data, follow_redirects=True)
        assert done.status_code == 200, message
        assert message in done.text, (
            message,
            re.findall(r"error[^<]*<[^<]*", done.text),
        )
    assert db.session.scalar(select(func.count(OutreachPlan.id))) == 0
    # Sending before a plan has its address is refused too.
    refused = post(client, f"{url}/send", follow_redirects=True)
    assert "public address" in refused.text
    assert db.session.scalar(select(func.count(OutboxMessage.id))) == 0


def test_the_plan_is_saved_and_sending_queued_in_scope_only(
    field, client, login, make_unit, make_user
):
    login("admin@city.gov.vn")
    url = f"/admin/waves/{field.wave.id}"
    assert post(client, f"{url}/outreach", plan_form()).status_code == 302
    assert post(client, f"{url}/send").status_code == 302
    db.session.expire_all()
    assert db.session.scalar(select(func.count(OutboxMessage.id))) == 8
    page = client.get(url).text  # Vietnamese: the default
    assert "Tỷ lệ trả lời (RR1)" in page and "đang chờ" in page
    other = make_unit("OTHER", kind="city")
    make_user("other@city.gov.vn", "admin", other)
    switch_user(client, login, "other@city.gov.vn")
    assert post(client, f"{url}/outreach", plan_form()).status_code == 403
    assert post(client, f"{url}/send").status_code == 403
    db.session.expire_all()
    assert db.session.scalar(select(func.count(OutboxMessage.id))) == 8
