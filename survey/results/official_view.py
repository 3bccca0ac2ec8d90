"""What the overview's official-figure section needs beyond the figures."""

from __future__ import annotations

from typing import Any

from flask_babel import format_date

from survey.services.reporting.official import OfficialOverview


def official_context(official: OfficialOverview | None) -> dict[str, Any]:
    """The official figures and the previous period's dates in the page's locale."""
    change = official.change if official else None
    return {
        "official": official,
        "official_before": (
            {
                "start": format_date(change.before_from),
                "end": format_date(change.before_to),
            }
            if change
            else None
        ),
    }
