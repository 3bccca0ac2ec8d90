"""The repeated-device hash cannot be traced back once its day is over."""

from datetime import date, timedelta

from sqlalchemy import select

from survey.extensions import db
from survey.models import DeviceSalt
from survey.services.responses import daily_salt, device_hash


def test_the_salt_is_random_per_day_and_old_salts_are_deleted(app):
    today = date(2026, 11, 28)
    first = daily_salt(today - timedelta(days=2))
    second = daily_salt(today - timedelta(days=1))
    third = daily_salt(today)
    db.session.commit()
    assert len({first, second, third}) == 3 and len(third) == 64
    assert daily_salt(today) == third  # stable within the day
    kept = set(db.session.scalars(select(DeviceSalt.day)))
    assert kept == {today - timedelta(days=1), today}
    client = "203.0.113.9|Mozilla/5.0"
    assert device_hash(third, client) != device_hash(second, client)
    assert "203.0.113.9" not in device_hash(third, client)
