"""The request desk: a person's export or erasure request and its due date."""

from __future__ import annotations

import json
import re
from datetime import date, timedelta

from sqlalchemy import select

from survey.extensions import db
from survey.models import AuditEvent, DataRequest
from tests.admin.helpers import post


def record(client, **changes):
    data = {"kind": "erasure", "contact": "0912 345 678", "received_on": "", "note": ""}
    data.update(changes)
    return post(client, "/admin/requests/new", data)


def rows(html: str) -> list[str]:
    return re.findall(r'<tr data-request="\d+"[^>]*>(.*?)</tr>', html, re.S)


def test_reached_from_the_menu(client, as_admin):
    html = client.get("/admin/").get_data(as_text=True)
    assert 'href="/admin/requests"' in html


def test_a_request_on_a_friday_is_due_on_tuesday(client, as_admin):
    done = record(client, received_on="2026-12-04")  # a Friday
    assert done.status_code == 302
    (stored,) = db.session.scalars(select(DataRequest)).all()
    assert stored.due_on == date(2026, 12, 8)
    # The phone number is kept as a keyed hash only, nowhere in the audit.
    assert stored.contact_hashed and "345" not in stored.contact
    events = [e for e in db.session.scalars(select(AuditEvent))]
    assert any(e.object_type == "data_request" for e in events)
    assert "345" not in json.dumps([e.details for e in events])
    html = client.get("/admin/requests").get_data(as_text=True)
    assert "0912 345 678" not in html and "phone (hashed)" in html


def test_weekend_and_midweek_due_dates(client, as_admin):
    for received in ("2026-12-05", "2026-12-06", "2026-12-03", "2026-12-01"):
        record(client, received_on=received, contact="by post, ward office")
    due = {
        r.received_on.isoformat(): r.due_on.isoformat()
        for r in db.session.scalars(select(DataRequest))
    }
    assert due == {
        "2026-12-05": "2026-12-08",  # Saturday -> Tuesday
        "2026-12-06": "2026-12-08",  # Sunday -> Tuesday
        "2026-12-03": "2026-12-07",  # Thursday -> Monday
        "2026-12-01": "2026-12-03",  # Tuesday -> Thursday
    }


def test_sorted_by_due_date_with_the_overdue_marked(client, as_admin):
    today = date.today()
    record(client, received_on=today.isoformat(), contact="later")
    record(client, received_on=(today - timedelta(days=30)).isoformat(), contact="old")
    html = client.get("/admin/requests").get_data(as_text=True)
    first, second = rows(html)
    assert "old" in first and "overdue" in first
    assert "later" in second and "overdue" not in second
    # Done: no longer overdue, listed after the open ones.
    old = db.session.scalar(select(DataRequest).where(DataRequest.contact == "old"))
    prefix = f"r{old.id}-"
    post(
        client,
        f"/admin/requests/{old.id}",
        {prefix + "state": "done", prefix + "note": "sent by post"},
    )
    html = client.get("/admin/requests").get_data(as_text=True)
    first, second = rows(html)
    assert "later" in first and "old" in second and "overdue" not in second
    db.session.expire_all()
    assert db.session.get(DataRequest, old.id).state == "done"


def test_bad_input_is_shown_again(client, as_admin):
    page = record(client, received_on="not a date", contact="")
    assert page.status_code == 422
    html = page.get_data(as_text=True)
    assert "Please say how to reach the person." in html
    bad = post(client, "/admin/requests/424242", {})
    assert bad.status_code == 404
    assert db.session.scalars(select(DataRequest)).all() == []
