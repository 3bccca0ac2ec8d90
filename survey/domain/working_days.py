"""Due dates counted in working days (Monday to Friday).

Public holidays are not known here: a request received before Tết is due two
weekdays later, which is earlier than the law asks, never later.
"""

from __future__ import annotations

from datetime import date, timedelta

REQUEST_WORKING_DAYS = 2  # a person's export or erasure request


def add_working_days(start: date, days: int) -> date:
    """The day ``days`` working days after ``start``, skipping Sat and Sun.

    A request received on a Saturday counts from the Monday: Sat + 2 = Tue.
    """
    day = start
    left = days
    while left > 0:
        day += timedelta(days=1)
        if day.weekday() < 5:
            left -= 1
    return day
