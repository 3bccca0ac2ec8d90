"""Distributions per question of a version, for a scope."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field, replace

from survey.domain import statistics as st
from survey.domain.question_types import question_type
from survey.models import Question, Survey, SurveyVersion, Unit
from survey.services.answering.surveys import load_version_questions
from survey.services.reporting import question_counts, text_comments
from survey.services.reporting.result_filter import ResultFilter
from survey.services.reporting.share_figures import (
    ShareFigure,
    likert_item,
    share_figure,
)


@dataclass(frozen=True)
class QuestionResult:
    question: Question
    n: int  # respondents (valid answers for scales)
    shown: bool  # False: below the minimum n
    likert: st.ItemSummary | None = None
    choice: st.ChoiceSummary | None = None
    nps: st.NpsResult | None = None
    comments: int = 0  # text questions: comments in the slice
    comments_shown: bool = False
    # The same small-n rules as the overview (``st.display_share``): the
    # top-two share of a scale, and each option's share of a choice question.
    top_two: ShareFigure | None = None
    option_shares: Mapping[str, ShareFigure] = field(default_factory=dict)
    code_shares: Mapping[int, ShareFigure] = field(default_factory=dict)  # 1..5


@dataclass(frozen=True)
class QuestionReport:
    survey: Survey
    scope: Unit
    filter: ResultFilter
    version: SurveyVersion | None
    min_n: int
    questions: tuple[QuestionResult, ...] = field(default_factory=tuple)


def report_version(survey: Survey, flt: ResultFilter) -> SurveyVersion | None:
    """The version whose wording labels the results: the filtered or newest one."""
    published = [v for v in survey.versions if v.published_at is not None]
    if flt.version:
        chosen = [v for v in published if v.number == flt.version]
        return chosen[0] if chosen else None
    return published[-1] if published else None


def question_report(survey: Survey, scope: Unit, flt: ResultFilter) -> QuestionReport:
    """Distributions of every question of the version, for ``scope``."""
    min_n = survey.min_n
    version = report_version(survey, flt)
    if version is None:
        return QuestionReport(survey, scope, flt, None, min_n)
    # Answers are counted for the version whose wording labels them: another
    # version may have changed a question's meaning or options.
    counted = replace(flt, version=version.number)
    scales = question_counts.scale_counts(survey, scope, counted)
    options = question_counts.option_counts(survey, scope, counted)
    respondents = question_counts.respondents_by_question(survey, scope, counted)
    questions = load_version_questions(version)  # options in one query, not N
    # Text questions: the comments of the released blocks (comment_blocks),
    # the figure the comments page gives.
    respondents.update(
        {
            q.code: text_comments.comment_total(survey, scope, flt, q.code)
            for q in questions
            if question_type(q.type).is_text
        }
    )
    items = [
        _question_result(q, scales, options, respondents, min_n) for q in questions
    ]
    return QuestionReport(survey, scope, flt, version, min_n, tuple(items))


def _question_result(
    q: Question,
    scales: Mapping[str, Counter[int]],
    options: Mapping[str, Counter[str]],
    respondents: Mapping[str, int],
    min_n: int,
) -> QuestionResult:
    """The question's figures, in the way its type is shown (``shown_as``)."""
    shown = question_type(q.type).shown_as
    if shown == "five_point":
        return _five_point_result(q, scales.get(q.code, Counter()), min_n)
    if shown == "recommend":
        counts = {
            k: v for k, v in scales.get(q.code, Counter()).items() if k in st.NPS_CODES
        }
        result = st.nps(counts)
        n = round(result.n)
        return QuestionResult(q, n, st.suppress(n, min_n) != "suppressed", nps=result)
    if shown == "shares":
        return _shares_result(
            q, options.get(q.code, Counter()), respondents.get(q.code, 0), min_n
        )
    if shown == "comments":
        n = respondents.get(q.code, 0)
        return QuestionResult(q, n, False, comments=n, comments_shown=n >= min_n)
    return QuestionResult(q, 0, False)


def _five_point_result(q: Question, codes: Counter[int], min_n: int) -> QuestionResult:
    item = likert_item(codes)
    n = round(item.n)
    top = ShareFigure(item.top_two, st.display_share(item.top_two, min_n=min_n))
    shares = {
        code: share_figure((item.share_of(code) or 0.0) * item.n, item.n, min_n)
        for code in st.LIKERT_CODES
    }
    return QuestionResult(
        q,
        n,
        st.suppress(n, min_n) != "suppressed",
        likert=item,
        top_two=top,
        code_shares=shares,
    )


def _shares_result(
    q: Question, ticks: Counter[str], n: int, min_n: int
) -> QuestionResult:
    counts = {o.code: float(min(ticks.get(o.code, 0), n)) for o in q.options}
    summary = st.summarise_choice(counts, n)
    shares = {
        o.option: ShareFigure(o.share, st.display_share(o.share, min_n=min_n))
        for o in summary.options
    }
    return QuestionResult(
        q,
        n,
        st.suppress(n, min_n) != "suppressed",
        choice=summary,
        option_shares=shares,
    )
