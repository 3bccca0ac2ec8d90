"""The statistics of METHODOLOGY.md, sections 3 to 7, as pure functions.

They live in ``survey.domain.stats``, one module per subject; this module
re-exports them so that ``from survey.domain import statistics as st`` and
``st.<name>`` keep working. New code may import either.

Aggregates are counted in SQL elsewhere; these functions take the counts (or
weighted sums) and return frozen dataclasses. Shares are on 0..1, NPS and the
"0-100" means on their 100 scales. Nothing here raises on empty input: an
undefined figure is ``None``.
"""

from __future__ import annotations

from survey.domain.stats.composite import (
    CompositeIndex,
    bootstrap_composite_interval,
    composite_from_rows,
    composite_index,
)
from survey.domain.stats.display import (
    ShareDisplay,
    complementary_suppression,
    display_share,
    rankable,
    reliability_grade,
    suppress,
)
from survey.domain.stats.distributions import (
    beta_quantile,
    chi2_quantile_95,
    normal_upper_tail,
    regularized_incomplete_beta,
    t_quantile_975,
)
from survey.domain.stats.funnel import (
    RankInterval,
    StandardisedRate,
    classify_unit,
    fit_beta_prior,
    funnel_limits,
    overdispersion_phi,
    posterior_rank_intervals,
    shrink,
    standardised_rate,
)
from survey.domain.stats.proportions import (
    ChoiceShare,
    ChoiceSummary,
    ItemSummary,
    MeanEstimate,
    NpsResult,
    Proportion,
    kish_n_eff,
    margin_of_error,
    nps,
    sample_size,
    summarise_choice,
    summarise_likert,
    weighted_wilson,
    wilson,
)
from survey.domain.stats.raking import (
    design_effect,
    post_stratification_weights,
    rake,
    rake_and_trim,
    trim_weights,
)
from survey.domain.stats.thresholds import (
    BOOTSTRAP_DRAWS,
    CAPPED_SHARE,
    CAUTION_N,
    EXACT_FUNNEL_N,
    LIKERT_CODES,
    MIN_CELL_N,
    MIN_N,
    NOT_APPLICABLE,
    NPS_CODES,
    RANKING_HALF_WIDTH,
    RANKING_N,
    Z95,
    Z998,
    Band,
    Display,
    FlagLevel,
    Grade,
)
from survey.domain.stats.trends import (
    Difference,
    PChartPoint,
    newcombe_difference,
    p_chart_limits,
    p_chart_signals,
)

__all__ = [
    "Z95",
    "Z998",
    "MIN_N",
    "CAUTION_N",
    "RANKING_N",
    "RANKING_HALF_WIDTH",
    "CAPPED_SHARE",
    "EXACT_FUNNEL_N",
    "MIN_CELL_N",
    "BOOTSTRAP_DRAWS",
    "LIKERT_CODES",
    "NOT_APPLICABLE",
    "NPS_CODES",
    "Display",
    "Band",
    "Grade",
    "FlagLevel",
    "Proportion",
    "MeanEstimate",
    "ItemSummary",
    "ChoiceShare",
    "ChoiceSummary",
    "NpsResult",
    "CompositeIndex",
    "ShareDisplay",
    "Difference",
    "StandardisedRate",
    "RankInterval",
    "PChartPoint",
    "normal_upper_tail",
    "t_quantile_975",
    "chi2_quantile_95",
    "regularized_incomplete_beta",
    "beta_quantile",
    "wilson",
    "kish_n_eff",
    "weighted_wilson",
    "summarise_likert",
    "summarise_choice",
    "nps",
    "composite_index",
    "bootstrap_composite_interval",
    "composite_from_rows",
    "suppress",
    "rankable",
    "display_share",
    "complementary_suppression",
    "reliability_grade",
    "standardised_rate",
    "funnel_limits",
    "overdispersion_phi",
    "classify_unit",
    "fit_beta_prior",
    "shrink",
    "posterior_rank_intervals",
    "newcombe_difference",
    "p_chart_limits",
    "p_chart_signals",
    "margin_of_error",
    "sample_size",
    "post_stratification_weights",
    "rake",
    "trim_weights",
    "rake_and_trim",
    "design_effect",
]
