"""The integrity notice beside a leader's headline: reasons in plain words."""

from __future__ import annotations

from typing import Any

from flask_babel import format_date
from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString

from survey.services.quality import IntegrityNotice

PLAIN_REASONS: dict[str, LazyString] = {
    "unit_score": _l("its answers of the last four weeks differ from its own past"),
    "bursts": _l("many answers arrived within minutes"),
    "inflation_gap": _l(
        "feedback at the office is far above what invited respondents say"
    ),
    "all_top": _l("far more answers at the top of every scale than elsewhere"),
    "zero_negatives": _l("hardly any critical answer, unlike elsewhere"),
    "soft_flags": _l("many answers too fast or ticked in one column"),
    "ratings_per_case": _l("more answers than completed cases"),
    "step_change": _l("a sudden jump at the end of the period"),
}


def plain_reasons(notice: IntegrityNotice | None) -> list[str]:
    """The own review's red indicators, each in words a leader can read."""
    if notice is None:
        return []
    seen = dict.fromkeys(c for c in notice.red_codes if c in PLAIN_REASONS)
    return [str(PLAIN_REASONS[code]) for code in seen]


def notice_context(notice: IntegrityNotice | None, lang: str) -> dict[str, Any]:
    """What ``results/_integrity_notice.html`` shows."""
    return {
        "integrity": notice,
        "integrity_reasons": plain_reasons(notice),
        "integrity_date": format_date(notice.own.opened_at)
        if notice and notice.own
        else "",
        "integrity_names": ", ".join(r.unit.name(lang) for r in notice.below)
        if notice
        else "",
    }
