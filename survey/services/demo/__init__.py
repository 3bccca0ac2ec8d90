"""Demo data: a city organised as Ho Chi Minh City since July 2025, the SIPAS
survey open in every unit, and synthetic responses whose units really differ,
one ward among them looking manipulated. Not a use case: a package of its own."""

from survey.domain.question_types.texts import COMMENTS
from survey.services.demo.answers import Rows
from survey.services.demo.generate import (
    SAVE_EVERY,
    DemoSummary,
    generate_responses,
    seed_demo,
)
from survey.services.demo.invited import (
    DEMO_WAVE_PER_UNIT,
    DEMO_WAVE_SEED,
    OUTCOME_WEIGHTS,
    PROCEDURE_GROUPS,
    WARD_GROUPS,
    TrustSummary,
    add_demo_cases,
    answer_invitations,
    seed_trust_demo,
)
from survey.services.demo.units import (
    CHANNEL_MIX,
    DEMO_LEVELS,
    DEMO_POPULATION,
    DEMO_SLUG,
    DEMO_UNITS,
    MANIPULATED_UNIT,
    MERGED_INTO_SAI_GON,
    ChannelMix,
    Population,
    create_units,
    is_empty,
    iter_demo_logins,
)
from survey.services.demo.writer import (
    ANSWER_COLUMNS,
    CELL_COLUMNS,
    FLAG_COLUMNS,
    RESPONSE_COLUMNS,
)

__all__ = [
    "ANSWER_COLUMNS",
    "CELL_COLUMNS",
    "CHANNEL_MIX",
    "COMMENTS",
    "DEMO_LEVELS",
    "DEMO_POPULATION",
    "DEMO_SLUG",
    "DEMO_UNITS",
    "DEMO_WAVE_PER_UNIT",
    "DEMO_WAVE_SEED",
    "FLAG_COLUMNS",
    "MANIPULATED_UNIT",
    "MERGED_INTO_SAI_GON",
    "OUTCOME_WEIGHTS",
    "PROCEDURE_GROUPS",
    "RESPONSE_COLUMNS",
    "SAVE_EVERY",
    "WARD_GROUPS",
    "ChannelMix",
    "DemoSummary",
    "Population",
    "Rows",
    "TrustSummary",
    "add_demo_cases",
    "answer_invitations",
    "create_units",
    "generate_responses",
    "is_empty",
    "iter_demo_logins",
    "seed_demo",
    "seed_trust_demo",
]
