"""M7 on the questions page: the experience facts of the bank's A-items.

Read from the page's own rows (their published option counts), so the facts
and the distributions beside them agree; ``domain.stats.experience`` does
the arithmetic and the small-n rules are those of every figure.
"""

from __future__ import annotations

from dataclasses import dataclass

from survey.domain import statistics as st
from survey.domain.stats.experience import SHARE_FACTS, VISITS, mean_visits, share_fact
from survey.services.reporting.question_results import QuestionReport


@dataclass(frozen=True)
class ExperienceFact:
    key: str  # visits, on_time, receipt, informal_payment
    code: str  # the question it is read from
    n: int
    shown: bool  # False: below the minimum n
    prop: st.Proportion | None = None  # a share, with its display
    display: st.ShareDisplay | None = None
    mean: st.MeanEstimate | None = None  # mean visits


def experience_facts(report: QuestionReport) -> tuple[ExperienceFact, ...]:
    """Every fact whose question is in the report's version, in the bank's order."""
    counts = {
        r.question.code: {o.option: o.count for o in r.choice.options}
        for r in report.questions
        if r.choice is not None
    }
    facts = []
    if VISITS in counts:
        mean, n = mean_visits(counts[VISITS])
        shown = st.suppress(n, report.min_n) != "suppressed"
        facts.append(ExperienceFact("visits", VISITS, round(n), shown, mean=mean))
    for fact in SHARE_FACTS:
        if fact.code not in counts:
            continue
        prop = share_fact(fact, counts[fact.code])
        display = st.display_share(prop, min_n=report.min_n)
        facts.append(
            ExperienceFact(
                fact.key,
                fact.code,
                round(prop.n),
                display.kind != "suppressed",
                prop=prop,
                display=display,
            )
        )
    return tuple(facts)
