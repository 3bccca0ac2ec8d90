"""Pre-aggregated counts of responses and answers, per unit and local month.

The results pages read these instead of grouping millions of answer rows.
``survey.services.reporting.tallies`` folds new responses in, in batches: a response is
counted by the tallies once its ``tally_batch`` is set, and straight from its
rows until then, so every figure is exact at every moment (see that module).

A tally row is one cell of the slices a results page can filter on: survey,
version, unit, local month, channel group, respondent group and hard flag.
Each cell is also kept summed over all months, with ``month`` =
``ALL_MONTHS``: a page without dates (the default view) reads those, one
row per cell instead of one per cell and month. Every query of the tallies
must therefore read either those rows or the monthly ones, never both
(``survey.services.reporting.count_source._tally_reads`` chooses).

Next to each count the tallies keep the sum of the record keys of the
responses (or answers) it counts: the cell-key method's noise of any
published count is a function of that sum (``survey.domain.disclosure``).

Each table's primary key is ordered for the pages' reads and, on SQLite, is
the table itself (WITHOUT ROWID): a page reads its rows in key order, with
no lookup per row and no sort for its GROUP BY.

Beside each monthly table a day table (``*DayTally``) keeps the same cells
per local day ('YYYY-MM-DD' in ``day``, no all-months rows), filled by the
same fold. A date range that does not cover whole months reads its whole
months from the monthly rows and the days of its partial months from the
day rows; the weekly trend reads the day rows grouped by ISO week. Their
key sums are added up like their counts, so a cell's noise is the same
whichever tables it was read from.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    ForeignKey,
    Integer,
    PrimaryKeyConstraint,
    SmallInteger,
    String,
)
from sqlalchemy.orm import Mapped, mapped_column

from survey.extensions import Model

# Value codes kept per question: 0-10 covers five-point codes (1-5, 9 for
# N/A), five-star ratings and the 0-10 scale.
VALUE_CODES = tuple(range(11))
# A factor of the composite: 1 top-two, 0 bottom three, -1 no answer or N/A;
# -2 in every factor: the respondent answered none of the five questions.
NO_FACTOR = -1
NO_FACTOR_ANSWERED = -2
FACTORS = 5
# ``month`` of the rows that sum a cell over every month (sorts before them).
ALL_MONTHS = ""

SLICE_COLUMNS = (
    "survey_id",
    "version_id",
    "unit_id",
    "month",
    "invited",
    "respondent_group",
    "hard_flagged",
)
# The rest of a key after the columns a table is read by.
REST_OF_SLICE = (
    "month",
    "version_id",
    "invited",
    "respondent_group",
    "hard_flagged",
)
FACTOR_COLUMNS = tuple(f"f{i}" for i in range(FACTORS))
CLUSTERED = {"sqlite_with_rowid": False}
# The rest of a day table's key after its survey (or question) and day.
REST_OF_DAY_SLICE = ("unit_id", *REST_OF_SLICE[1:])


class _Slice:
    """The columns a results filter can select on, shared by the tallies."""

    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id"))
    version_id: Mapped[int] = mapped_column(ForeignKey("survey_versions.id"))
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    month: Mapped[str] = mapped_column(String(7))  # local 'YYYY-MM'
    invited: Mapped[bool] = mapped_column(Boolean)  # the official channel
    respondent_group: Mapped[str] = mapped_column(String(10))  # '' not said
    hard_flagged: Mapped[bool] = mapped_column(Boolean)


class ResponseTally(_Slice, Model):
    """Responses per slice; read by survey, then grouped by unit or month."""

    __tablename__ = "response_tallies"
    __table_args__ = (
        PrimaryKeyConstraint("survey_id", "unit_id", *REST_OF_SLICE),
        CLUSTERED,
    )

    responses: Mapped[int] = mapped_column(Integer)
    key_sum: Mapped[int] = mapped_column(BigInteger, server_default="0")


class FactorTally(_Slice, Model):
    """Responses per slice and pattern of the five satisfaction factors.

    The pattern makes the composite's bootstrap interval possible without
    the response rows: it needs, per respondent, which factors were top-two.
    Kept apart from ``ResponseTally``: the patterns multiply its rows by
    about thirty, which the plain counts need not read. Keyed by month,
    then pattern: a page reads the rows of all months (or a range of
    months) and groups them by pattern, as the interval needs.
    """

    __tablename__ = "factor_tallies"
    __table_args__ = (
        PrimaryKeyConstraint(
            "survey_id", "month", *FACTOR_COLUMNS, "unit_id", *REST_OF_SLICE[1:]
        ),
        CLUSTERED,
    )

    f0: Mapped[int] = mapped_column(SmallInteger)
    f1: Mapped[int] = mapped_column(SmallInteger)
    f2: Mapped[int] = mapped_column(SmallInteger)
    f3: Mapped[int] = mapped_column(SmallInteger)
    f4: Mapped[int] = mapped_column(SmallInteger)
    responses: Mapped[int] = mapped_column(Integer)
    key_sum: Mapped[int] = mapped_column(BigInteger, server_default="0")


class AnswerTally(_Slice, Model):
    """Answers per slice and question (option 0) or ticked option.

    ``answered`` is, for option 0, the respondents who gave the question a
    (non-empty) answer, and for an option, its ticks; ``c0``..``c10`` count
    the value codes of scale questions. Keyed by question first: a page
    reads a few questions' rows (the overall item, a dimension's).
    """

    __tablename__ = "answer_tallies"
    __table_args__ = (
        PrimaryKeyConstraint(
            "question_id", "option_id", "unit_id", *REST_OF_SLICE, "survey_id"
        ),
        CLUSTERED,
    )

    question_id: Mapped[int] = mapped_column(ForeignKey("questions.id"))
    option_id: Mapped[int] = mapped_column(Integer)  # 0: the question itself
    answered: Mapped[int] = mapped_column(Integer)
    c0: Mapped[int] = mapped_column(Integer)
    c1: Mapped[int] = mapped_column(Integer)
    c2: Mapped[int] = mapped_column(Integer)
    c3: Mapped[int] = mapped_column(Integer)
    c4: Mapped[int] = mapped_column(Integer)
    c5: Mapped[int] = mapped_column(Integer)
    c6: Mapped[int] = mapped_column(Integer)
    c7: Mapped[int] = mapped_column(Integer)
    c8: Mapped[int] = mapped_column(Integer)
    c9: Mapped[int] = mapped_column(Integer)
    c10: Mapped[int] = mapped_column(Integer)
    # Sums of record keys (survey.domain.disclosure): of the answers with a
    # value code (option 0: the c columns' answers), and of the respondents
    # counted in ``answered``.
    code_key: Mapped[int] = mapped_column(BigInteger, server_default="0")
    answered_key: Mapped[int] = mapped_column(BigInteger, server_default="0")


class _DaySlice:
    """``_Slice`` per local day instead of month."""

    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id"))
    version_id: Mapped[int] = mapped_column(ForeignKey("survey_versions.id"))
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    day: Mapped[str] = mapped_column(String(10))  # local 'YYYY-MM-DD'
    invited: Mapped[bool] = mapped_column(Boolean)
    respondent_group: Mapped[str] = mapped_column(String(10))
    hard_flagged: Mapped[bool] = mapped_column(Boolean)


class ResponseDayTally(_DaySlice, Model):
    """``ResponseTally`` per day; keyed by survey and day: read by a range."""

    __tablename__ = "response_day_tallies"
    __table_args__ = (
        PrimaryKeyConstraint("survey_id", "day", *REST_OF_DAY_SLICE),
        CLUSTERED,
    )

    responses: Mapped[int] = mapped_column(Integer)
    key_sum: Mapped[int] = mapped_column(BigInteger, server_default="0")


class FactorDayTally(_DaySlice, Model):
    """``FactorTally`` per day."""

    __tablename__ = "factor_day_tallies"
    __table_args__ = (
        PrimaryKeyConstraint("survey_id", "day", *FACTOR_COLUMNS, *REST_OF_DAY_SLICE),
        CLUSTERED,
    )

    f0: Mapped[int] = mapped_column(SmallInteger)
    f1: Mapped[int] = mapped_column(SmallInteger)
    f2: Mapped[int] = mapped_column(SmallInteger)
    f3: Mapped[int] = mapped_column(SmallInteger)
    f4: Mapped[int] = mapped_column(SmallInteger)
    responses: Mapped[int] = mapped_column(Integer)
    key_sum: Mapped[int] = mapped_column(BigInteger, server_default="0")


class AnswerDayTally(_DaySlice, Model):
    """``AnswerTally`` per day; keyed by question, then day."""

    __tablename__ = "answer_day_tallies"
    __table_args__ = (
        PrimaryKeyConstraint(
            "question_id", "option_id", "day", *REST_OF_DAY_SLICE, "survey_id"
        ),
        CLUSTERED,
    )

    question_id: Mapped[int] = mapped_column(ForeignKey("questions.id"))
    option_id: Mapped[int] = mapped_column(Integer)
    answered: Mapped[int] = mapped_column(Integer)
    c0: Mapped[int] = mapped_column(Integer)
    c1: Mapped[int] = mapped_column(Integer)
    c2: Mapped[int] = mapped_column(Integer)
    c3: Mapped[int] = mapped_column(Integer)
    c4: Mapped[int] = mapped_column(Integer)
    c5: Mapped[int] = mapped_column(Integer)
    c6: Mapped[int] = mapped_column(Integer)
    c7: Mapped[int] = mapped_column(Integer)
    c8: Mapped[int] = mapped_column(Integer)
    c9: Mapped[int] = mapped_column(Integer)
    c10: Mapped[int] = mapped_column(Integer)
    code_key: Mapped[int] = mapped_column(BigInteger, server_default="0")
    answered_key: Mapped[int] = mapped_column(BigInteger, server_default="0")


# Each monthly table and its day table.
DAY_TABLES: dict[type, type] = {
    ResponseTally: ResponseDayTally,
    FactorTally: FactorDayTally,
    AnswerTally: AnswerDayTally,
}


class TallyState(Model):
    """One row: the last fold's batch number; locking it serialises folds."""

    __tablename__ = "tally_state"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    batch: Mapped[int] = mapped_column(Integer, default=0)
