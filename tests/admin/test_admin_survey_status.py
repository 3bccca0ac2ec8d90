"""A survey's state and its versions' times as a person reads them."""

from __future__ import annotations

import re
from datetime import datetime

from survey.extensions import db


def test_a_published_survey_not_yet_open_does_not_say_draft(
    client, as_admin, make_survey
):
    survey = make_survey("later", units=[as_admin.w1], owner=as_admin.city,
                         open_=False)  # fmt: skip
    survey.versions[0].published_at = datetime(2026, 11, 30, 17, 5, 9, 123456)
    db.session.commit()
    page = client.get("/admin/surveys/later").get_data(as_text=True)
    assert "Published, not open yet" in page and "<strong>Draft</strong>" not in page
    # 17:05 UTC is 00:05 the next day in Vietnam; no microseconds, no seconds.
    assert "12/1/26, 12:05" in page and "(Vietnam time)" in page
    assert "123456" not in page and not re.search(r"17:05:09", page)
    listing = client.get("/admin/").get_data(as_text=True)
    assert "Published, not open yet" in listing


def test_the_vietnamese_page_says_it_in_vietnamese(client, as_admin, make_survey):
    make_survey("later", units=[as_admin.w1], owner=as_admin.city, open_=False)
    page = client.get("/admin/surveys/later?lang=vi").get_data(as_text=True)
    assert "Đã công bố, chưa mở" in page and "giờ Việt Nam" in page
