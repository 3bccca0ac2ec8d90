"""Grouped counts of a survey's answers for a unit subtree, counted in SQL.

Every function here returns aggregates (counts per unit, code, option or
month); none loads responses into Python. ``survey.services.reports`` turns
the counts into figures with ``survey.domain.statistics``.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, case, func, not_, select

from survey.domain import statistics as st
from survey.domain.questions import LIKERT5, MULTIPLE, NPS, RATING5, SINGLE
from survey.domain.questions import TEXT_TYPES as TEXT_QUESTION_TYPES
from survey.extensions import db
from survey.models import Answer, Option, Question, Response, Survey, Unit
from survey.models.responses import INVITED_CHANNELS, RESPONDENT_GROUPS
from survey.models.surveys import SurveyVersion

# Ho Chi Minh City keeps UTC+7 all year: months and dates are local ones.
LOCAL_OFFSET = timedelta(hours=7)
CHANNEL_GROUPS = ("invited", "optin")
TREND_PERIODS = ("month", "week")
SCALE_QUESTION_TYPES = (LIKERT5, RATING5, NPS)
CHOICE_QUESTION_TYPES = (SINGLE, MULTIPLE)
COMMENTS_PER_PAGE = 20


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

    def conditions(self, survey: Survey) -> list[ColumnElement[bool]]:
        """WHERE conditions on ``Response`` for this survey and slice."""
        where: list[ColumnElement[bool]] = [Response.survey_id == survey.id]
        if self.date_from:
            start = datetime.combine(self.date_from, datetime.min.time())
            where.append(Response.submitted_at >= start - LOCAL_OFFSET)
        if self.date_to:
            end = datetime.combine(
                self.date_to + timedelta(days=1), datetime.min.time()
            )
            where.append(Response.submitted_at < end - LOCAL_OFFSET)
        if self.version:
            where.append(
                Response.version_id.in_(
                    select(SurveyVersion.id).where(
                        SurveyVersion.survey_id == survey.id,
                        SurveyVersion.number == self.version,
                    )
                )
            )
        if self.channel == "invited":
            where.append(Response.channel.in_(sorted(INVITED_CHANNELS)))
        elif self.channel == "optin":
            where.append(not_(Response.channel.in_(sorted(INVITED_CHANNELS))))
        if self.group:
            where.append(Response.respondent_group == self.group)
        if not self.include_flagged:
            where.append(Response.hard_flagged.is_(False))
        return where


def _in_subtree(scope: Unit | None) -> list[ColumnElement[bool]]:
    """Responses of units in ``scope``'s subtree (None: every unit)."""
    if scope is None:
        return []
    return [Response.unit_id.in_(Unit.subtree_ids(scope))]


def _answers(
    survey: Survey, scope: Unit | None, flt: ResultFilter, *columns: Any
) -> Select[Any]:
    return (
        select(*columns)
        .select_from(Answer)
        .join(Response, Answer.response_id == Response.id)
        .join(Question, Answer.question_id == Question.id)
        .where(*flt.conditions(survey), *_in_subtree(scope))
    )


def _local_week(column: Any) -> Any:
    """'YYYY-MM-DD' of the local Monday starting the week of a UTC timestamp."""
    if db.session.get_bind().dialect.name == "postgresql":
        monday = func.date_trunc("week", column + LOCAL_OFFSET)
        return func.to_char(monday, "YYYY-MM-DD")
    return func.date(column, "+7 hours", "weekday 0", "-6 days")


def _local_period(column: Any, period: str) -> Any:
    return _local_week(column) if period == "week" else _local_month(column)


def _local_month(column: Any) -> Any:
    """'YYYY-MM' of a naive UTC timestamp, in local time, on either database."""
    if db.session.get_bind().dialect.name == "postgresql":
        return func.to_char(column + LOCAL_OFFSET, "YYYY-MM")
    return func.strftime("%Y-%m", column, "+7 hours")


# --------------------------------------------------------------------------- #
# The unit tree of a scope
# --------------------------------------------------------------------------- #


@dataclass(frozen=True)
class ScopeTree:
    """A scope unit, its children, and which child each subtree unit is under."""

    scope: Unit
    children: tuple[Unit, ...]
    child_of: Mapping[int, int]  # unit id -> child id (the scope's own id for itself)
    has_children: frozenset[int]  # ids of children that have children themselves


def scope_tree(scope: Unit) -> ScopeTree:
    """One query over the subtree (hundreds of rows at most, never responses)."""
    units = db.session.scalars(
        select(Unit).where(Unit.path.startswith(scope.path)).order_by(Unit.code)
    ).all()
    children = tuple(u for u in units if u.parent_id == scope.id)
    child_of: dict[int, int] = {}
    grandparents: set[int] = set()
    for unit in units:
        rest = unit.path[len(scope.path) :].strip("/")
        if not rest:
            child_of[unit.id] = scope.id
            continue
        segments = rest.split("/")
        child_of[unit.id] = int(segments[0])
        if len(segments) > 1:
            grandparents.add(int(segments[0]))
    return ScopeTree(scope, children, child_of, frozenset(grandparents))


def fold_by_child(
    tree: ScopeTree, per_unit: Mapping[int, Counter[Any]]
) -> dict[int, Counter[Any]]:
    """Add up per-unit counts into per-child counts (key: child id or scope id)."""
    folded: dict[int, Counter[Any]] = defaultdict(Counter)
    for unit_id, counts in per_unit.items():
        child = tree.child_of.get(unit_id)
        if child is not None:
            folded[child].update(counts)
    return dict(folded)


# --------------------------------------------------------------------------- #
# Counts
# --------------------------------------------------------------------------- #


def responses_by_unit(
    survey: Survey, scope: Unit | None, flt: ResultFilter
) -> dict[int, int]:
    """Number of responses per unit id."""
    query = (
        select(Response.unit_id, func.count())
        .where(*flt.conditions(survey), *_in_subtree(scope))
        .group_by(Response.unit_id)
    )
    return {unit_id: count for unit_id, count in db.session.execute(query).all()}


def hard_flagged_by_unit(
    survey: Survey, scope: Unit | None, flt: ResultFilter
) -> dict[int, int]:
    """Hard-flagged responses per unit id in the slice, whether included or not."""
    query = (
        select(Response.unit_id, func.count())
        .where(
            *replace(flt, include_flagged=True).conditions(survey),
            *_in_subtree(scope),
            Response.hard_flagged.is_(True),
        )
        .group_by(Response.unit_id)
    )
    return {unit_id: count for unit_id, count in db.session.execute(query).all()}


def dimension_counts_by_unit(
    survey: Survey, scope: Unit | None, flt: ResultFilter, dimensions: Iterable[str]
) -> dict[str, dict[int, Counter[int]]]:
    """Five-point answers per dimension tag, unit id and code (1..5, 9)."""
    query = _answers(
        survey,
        scope,
        flt,
        Question.dimension,
        Response.unit_id,
        Answer.value_int,
        func.count(),
    ).where(
        Question.dimension.in_(list(dimensions)),
        Question.type == LIKERT5,
        Answer.value_int.is_not(None),
    )
    query = query.group_by(Question.dimension, Response.unit_id, Answer.value_int)
    result: dict[str, dict[int, Counter[int]]] = defaultdict(
        lambda: defaultdict(Counter)
    )
    for dimension, unit_id, code, count in db.session.execute(query).all():
        result[dimension][unit_id][code] += count
    return result


def dimension_counts(
    survey: Survey, scope: Unit | None, flt: ResultFilter, dimension: str
) -> Counter[int]:
    """Five-point answers of one dimension over the whole scope (None: survey)."""
    query = _answers(survey, scope, flt, Answer.value_int, func.count())
    query = query.where(
        Question.dimension == dimension,
        Question.type == LIKERT5,
        Answer.value_int.is_not(None),
    ).group_by(Answer.value_int)
    return Counter({code: count for code, count in db.session.execute(query).all()})


def factor_patterns(
    survey: Survey, scope: Unit | None, flt: ResultFilter, dimensions: Iterable[str]
) -> dict[tuple[int | None, ...], int]:
    """Respondents per pattern of top-two indicators over ``dimensions``.

    Per response (GROUP BY response_id) each factor is 1 (answered 4-5), 0
    (answered 1-3) or NULL (N/A or not answered); the patterns are then
    counted, so at most 3^5 rows come back however many responses there are.
    """
    top = st.LIKERT_CODES[-2:]
    rest = st.LIKERT_CODES[:-2]
    dimensions = tuple(dimensions)
    flags = [
        func.max(
            case(
                (and_(Question.dimension == d, Answer.value_int.in_(top)), 1),
                (and_(Question.dimension == d, Answer.value_int.in_(rest)), 0),
            )
        ).label(f"f{i}")
        for i, d in enumerate(dimensions)
    ]
    per_response = (
        _answers(survey, scope, flt, Answer.response_id, *flags)
        .where(Question.dimension.in_(dimensions), Question.type == LIKERT5)
        .group_by(Answer.response_id)
        .subquery()
    )
    columns = [per_response.c[f"f{i}"] for i in range(len(dimensions))]
    query = select(*columns, func.count()).group_by(*columns)
    return {tuple(row[:-1]): row[-1] for row in db.session.execute(query).all()}


def responses_by_month(
    survey: Survey, scope: Unit | None, flt: ResultFilter, period: str = "month"
) -> dict[str, int]:
    """Responses per local month 'YYYY-MM' (or week: its Monday 'YYYY-MM-DD')."""
    month = _local_period(Response.submitted_at, period)
    query = (
        select(month, func.count())
        .where(*flt.conditions(survey), *_in_subtree(scope))
        .group_by(month)
        .order_by(month)
    )
    return {key: count for key, count in db.session.execute(query).all()}


def dimension_counts_by_month(
    survey: Survey,
    scope: Unit | None,
    flt: ResultFilter,
    dimension: str,
    period: str = "month",
) -> dict[str, Counter[int]]:
    """Five-point answers of one dimension per local month (or week) and code."""
    month = _local_period(Response.submitted_at, period)
    query = _answers(survey, scope, flt, month, Answer.value_int, func.count())
    query = query.where(
        Question.dimension == dimension,
        Question.type == LIKERT5,
        Answer.value_int.is_not(None),
    ).group_by(month, Answer.value_int)
    result: dict[str, Counter[int]] = defaultdict(Counter)
    for key, code, count in db.session.execute(query).all():
        result[key][code] += count
    return dict(result)


def version_months(survey: Survey, period: str = "month") -> dict[int, str]:
    """Local month 'YYYY-MM' (or week's Monday) in which each version was published."""
    keys: dict[int, str] = {}
    for v in survey.versions:
        if v.published_at is None:
            continue
        local = (v.published_at + LOCAL_OFFSET).date()
        if period == "week":
            keys[v.number] = (local - timedelta(days=local.weekday())).isoformat()
        else:
            keys[v.number] = local.strftime("%Y-%m")
    return keys


def scale_counts(
    survey: Survey, scope: Unit | None, flt: ResultFilter
) -> dict[str, Counter[int]]:
    """Codes of five-point, rating and 0-10 questions, per question code."""
    query = _answers(survey, scope, flt, Question.code, Answer.value_int, func.count())
    query = query.where(
        Question.type.in_(SCALE_QUESTION_TYPES), Answer.value_int.is_not(None)
    ).group_by(Question.code, Answer.value_int)
    result: dict[str, Counter[int]] = defaultdict(Counter)
    for code, value, count in db.session.execute(query).all():
        result[code][value] += count
    return dict(result)


def option_counts(
    survey: Survey, scope: Unit | None, flt: ResultFilter
) -> dict[str, Counter[str]]:
    """Ticks per option code of single and multiple choice questions."""
    query = _answers(survey, scope, flt, Question.code, Option.code, func.count())
    query = (
        query.join(Option, Answer.option_id == Option.id)
        .where(Question.type.in_(CHOICE_QUESTION_TYPES))
        .group_by(Question.code, Option.code)
    )
    result: dict[str, Counter[str]] = defaultdict(Counter)
    for question, option, count in db.session.execute(query).all():
        result[question][option] += count
    return dict(result)


def respondents_by_question(
    survey: Survey, scope: Unit | None, flt: ResultFilter
) -> dict[str, int]:
    """Respondents who answered each choice or text question."""
    query = _answers(
        survey, scope, flt, Question.code, func.count(Answer.response_id.distinct())
    )
    query = query.where(
        Question.type.in_((*CHOICE_QUESTION_TYPES, *TEXT_QUESTION_TYPES)),
        or_nonempty_text(),
    ).group_by(Question.code)
    return {key: count for key, count in db.session.execute(query).all()}


def or_nonempty_text() -> ColumnElement[bool]:
    """A text answer counts only when it says something."""
    return ~and_(
        Question.type.in_(TEXT_QUESTION_TYPES),
        func.coalesce(func.trim(Answer.value_text), "") == "",
    )


@dataclass(frozen=True)
class Comment:
    text: str
    unit_id: int
    month: str


def _comment_query(
    survey: Survey, scope: Unit | None, flt: ResultFilter, question_code: str
) -> Select[Any]:
    query = _answers(survey, scope, flt, Answer.value_text, Response.unit_id)
    return query.where(
        Question.code == question_code,
        Question.type.in_(TEXT_QUESTION_TYPES),
        func.coalesce(func.trim(Answer.value_text), "") != "",
    )


def comments(
    survey: Survey,
    scope: Unit | None,
    flt: ResultFilter,
    question_code: str,
    search: str = "",
    page: int = 1,
    per_page: int = COMMENTS_PER_PAGE,
) -> tuple[int, int, list[Comment]]:
    """(comments in the slice, matches of ``search``, one page of matches)."""
    base = _comment_query(survey, scope, flt, question_code)
    total = db.session.scalar(select(func.count()).select_from(base.subquery())) or 0
    if search:
        pattern = "%" + search.replace("\\", "\\\\").replace("%", "\\%") + "%"
        base = base.where(
            Answer.value_text.ilike(pattern.replace("_", "\\_"), escape="\\")
        )
    matches = db.session.scalar(select(func.count()).select_from(base.subquery())) or 0
    month = _local_month(Response.submitted_at)
    rows = db.session.execute(
        base.add_columns(month)
        .order_by(Response.submitted_at.desc(), Answer.id.desc())
        .limit(per_page)
        .offset(max(0, page - 1) * per_page)
    ).all()
    return (
        total,
        matches,
        [Comment(text, unit_id, key) for text, unit_id, key in rows],
    )
