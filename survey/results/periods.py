"""A trend period's key as a reader says it, in the page's locale.

The counts key a month as 'YYYY-MM' and a week by its Monday 'YYYY-MM-DD';
pages and sentences show them through Babel: "tháng 11 năm 2026" (or
"thg 11 2026" in a table), "November 2026" in English.
"""

from __future__ import annotations

from datetime import date

from babel.dates import format_skeleton
from flask_babel import format_date, get_locale
from flask_babel import gettext as _

SKELETONS = {"long": "yMMMM", "short": "yMMM"}


def format_period(key: str, width: str = "long") -> str:
    """``key`` ('YYYY-MM' or a week's Monday 'YYYY-MM-DD') for a reader;
    a key of another shape is returned as it is."""
    try:
        if len(key) == 7:
            month = date.fromisoformat(key + "-01")
            return format_skeleton(SKELETONS[width], month, locale=get_locale())
        monday = date.fromisoformat(key)
    except ValueError:
        return key
    day = format_date(monday, "medium")
    # A table's column already says "Week starting"; a sentence says it.
    return day if width == "short" else _("week of %(day)s", day=day)


def first_upper(text: str) -> str:
    """A sentence that opens with a period: "Tháng 11 năm 2026 so với ...".
    Only the first letter changes (Jinja's ``capitalize`` lowers the rest)."""
    return text[:1].upper() + text[1:]
