"""The slice a results page shows (``ResultFilter``) and its SQL conditions."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import ColumnElement, Select, not_, select

from survey.models import Response, Survey, Unit
from survey.models.responses import INVITED_CHANNELS, RESPONDENT_GROUPS
from survey.models.surveys import SurveyVersion
from survey.services.reporting.local_time import LOCAL_OFFSET

CHANNEL_GROUPS = ("invited", "optin")
TREND_PERIODS = ("month", "week")

EARLIEST, LATEST = date(2000, 1, 1), date(2100, 12, 31)


def _parse_date(value: str | None) -> date | None:
    """A date from the URL, or None; far-off dates are ignored, not overflowed."""
    try:
        day = date.fromisoformat(value) if value else None
    except ValueError:
        return None
    return day if day is not None and EARLIEST <= day <= LATEST else None


def _parse_int(value: str | None, largest: int = 100_000) -> int | None:
    """A positive whole number from the URL (small enough for any database)."""
    text = (value or "").strip()
    if not (text.isascii() and text.isdigit() and len(text) <= 9):
        return None
    number = int(text)
    return number if 0 < number <= largest else None


@dataclass(frozen=True)
class ResultFilter:
    """The slice a results page shows; it lives in the URL's query string.

    Unknown or malformed values are ignored, so any link reloads to the same
    slice and the page shows the filter that was really applied.
    """

    date_from: date | None = None
    date_to: date | None = None
    version: int | None = None
    channel: str = ""  # "" all, "invited" or "optin"
    group: str = ""  # "" all, or one of RESPONDENT_GROUPS
    include_flagged: bool = False  # hard-flagged responses stay out by default
    trend: str = "month"  # the trend chart's period: "month" or "week"

    @classmethod
    def from_args(cls, args: Mapping[str, str]) -> ResultFilter:
        channel = args.get("channel", "")
        group = args.get("group", "")
        trend = args.get("trend", "month")
        date_from = _parse_date(args.get("from"))
        date_to = _parse_date(args.get("to"))
        if date_from and date_to and date_to < date_from:
            date_from, date_to = date_to, date_from
        return cls(
            date_from=date_from,
            date_to=date_to,
            version=_parse_int(args.get("version")),
            channel=channel if channel in CHANNEL_GROUPS else "",
            group=group if group in RESPONDENT_GROUPS else "",
            include_flagged=args.get("flagged") == "1",
            trend=trend if trend in TREND_PERIODS else "month",
        )

    def to_args(self) -> dict[str, str]:
        """Query-string arguments that rebuild this filter (defaults left out)."""
        args: dict[str, str] = {}
        if self.date_from:
            args["from"] = self.date_from.isoformat()
        if self.date_to:
            args["to"] = self.date_to.isoformat()
        if self.version:
            args["version"] = str(self.version)
        if self.channel:
            args["channel"] = self.channel
        if self.group:
            args["group"] = self.group
        if self.include_flagged:
            args["flagged"] = "1"
        if self.trend != "month":
            args["trend"] = self.trend
        return args

    @property
    def is_default(self) -> bool:
        return not self.to_args()

    def conditions(
        self, survey: Survey, indexed: bool = True
    ) -> list[ColumnElement[bool]]:
        """WHERE conditions on ``Response`` for this survey and slice.

        ``indexed=False`` writes the survey's condition so that no index can
        serve it (``survey_id + 0``): for a query that must start elsewhere.
        """
        survey_id = Response.survey_id if indexed else Response.survey_id + 0
        where: list[ColumnElement[bool]] = [survey_id == survey.id]
        if self.date_from:
            start = datetime.combine(self.date_from, datetime.min.time())
            where.append(Response.submitted_at >= start - LOCAL_OFFSET)
        if self.date_to:
            end = datetime.combine(
                self.date_to + timedelta(days=1), datetime.min.time()
            )
            where.append(Response.submitted_at < end - LOCAL_OFFSET)
        if self.version:
            where.append(Response.version_id.in_(version_ids(survey, self.version)))
        if self.channel == "invited":
            where.append(Response.channel.in_(sorted(INVITED_CHANNELS)))
        elif self.channel == "optin":
            where.append(not_(Response.channel.in_(sorted(INVITED_CHANNELS))))
        if self.group:
            where.append(Response.respondent_group == self.group)
        if not self.include_flagged:
            where.append(Response.hard_flagged.is_(False))
        return where


def version_ids(survey: Survey, number: int) -> Select[int]:
    """The id of the survey's version ``number`` (a subquery for ``in_``)."""
    return select(SurveyVersion.id).where(
        SurveyVersion.survey_id == survey.id, SurveyVersion.number == number
    )


def in_subtree(scope: Unit | None) -> list[ColumnElement[bool]]:
    """Responses of units in ``scope``'s subtree (None: every unit)."""
    if scope is None:
        return []
    return [Response.unit_id.in_(Unit.subtree_ids(scope))]
