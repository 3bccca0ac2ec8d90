"""The integrity notice beside a leader's headline: reasons in plain words."""

from __future__ import annotations

from typing import Any

from flask_babel import format_date
from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString

from survey.models import Survey, Unit
from survey.services.integrity.quality import IntegrityNotice
from survey.services.integrity.review_share import ReviewShare, review_share
from survey.services.reporting.result_filter import ResultFilter

PLAIN_REASONS: dict[str, LazyString] = {
    "unit_score": _l("its answers of the last four weeks differ from its own past"),
    "arrival_surge": _l("more answers arrived at some times than the unit ever gets"),
    "hard_flags": _l("answers filled in faster than anyone can read"),
    "repeat_devices": _l("several answers from one device on the same day"),
    "favourable_pattern": _l(
        "many more answers favourable on every item than the unit used to get"
    ),
    "coached_pattern": _l("answers at the top on the staff items only"),
    "score_shift": _l("the average score rose more than chance explains"),
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
    """The own review's (or amber mark's) indicators, in words a leader reads."""
    if notice is None:
        return []
    seen = dict.fromkeys(c for c in notice.red_codes if c in PLAIN_REASONS)
    return [str(PLAIN_REASONS[code]) for code in seen]


def notice_context(
    notice: IntegrityNotice | None,
    lang: str,
    share: ReviewShare | None = None,
) -> dict[str, Any]:
    """What ``results/_integrity_notice.html`` shows."""
    mark = notice and (notice.own or notice.amber)
    return {
        "integrity": notice,
        "integrity_reasons": plain_reasons(notice),
        "integrity_date": format_date(mark.opened_at) if mark else "",
        "integrity_names": ", ".join(r.unit.name(lang) for r in notice.below)
        if notice
        else "",
        "integrity_amber_names": ", ".join(
            r.unit.name(lang) for r in notice.amber_below
        )
        if notice
        else "",
        "integrity_amber_ids": {r.unit_id for r in notice.amber_below}
        if notice
        else set(),
        "integrity_share": share,
        "integrity_share_names": ", ".join(u.name(lang) for u in share.units)
        if share
        else "",
    }


def headline_notice(
    survey: Survey,
    scope: Unit,
    flt: ResultFilter,
    notice: IntegrityNotice | None,
    lang: str,
) -> dict[str, Any]:
    """The notice and, for an area, its headline without the units under review."""
    share = review_share(survey, scope, flt, notice.below) if notice else None
    return notice_context(notice, lang, share)
