"""Seeding the demo: the city, the open SIPAS survey and a bulk load of
synthetic responses, counted into the tallies as they are written if asked."""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from itertools import groupby
from operator import itemgetter
from typing import Any

from sqlalchemy import func, select

from survey.domain.banks import sipas_bank
from survey.extensions import db
from survey.models import Response, Survey, Unit
from survey.models._time import utcnow
from survey.services.demo.answers import Rows, _fake_response, _plan_items, _PlanItem
from survey.services.demo.units import (
    CHANNEL_MIX,
    DEMO_POPULATION,
    DEMO_SLUG,
    ChannelMix,
    Population,
    _level,
    _service_points,
    create_units,
)
from survey.services.demo.writer import _BulkWriter, _in_background
from survey.services.design.definitions import create_survey
from survey.services.reporting import tallies, tally_counts
from survey.services.reporting.raw_export import AnswerFields


@dataclass(frozen=True)
class DemoSummary:
    units: int
    survey: Survey
    responses: int


def seed_demo(
    responses: int, seed: int = 2025, progress: Callable[[int], None] | None = None
) -> DemoSummary:
    """Create the demo city, the open SIPAS survey and ``responses`` answers."""
    units = create_units()
    service_points = [u for u in units.values() if _level(u.code) > 0]
    survey = create_survey(DEMO_SLUG, sipas_bank(), units["HCM"], service_points)
    survey.publish_results = True
    version = survey.versions[0]
    version.publish(now=utcnow() - timedelta(days=400))
    survey.open()
    db.session.flush()
    generate_responses(survey, responses, seed=seed, progress=progress)
    return DemoSummary(len(units), survey, responses)


def generate_responses(
    survey: Survey,
    count: int,
    seed: int = 2025,
    progress: Callable[[int], None] | None = None,
    chunk: int = 5000,
    now: datetime | None = None,
    tally: bool = False,
    checkpoint: Callable[[], None] | None = None,
    first_id: int | None = None,
    population: Population | None = None,
    service_points: list[Unit] | None = None,
    span_days: float = 365.0,
    channels: ChannelMix | None = None,
) -> None:
    """Bulk-insert ``count`` synthetic responses over the last 12 months
    (``span_days`` before ``now``), at the survey's service points or those given.

    ``progress`` is called after each chunk with its size (not yet committed).
    ``checkpoint`` is called after every ``SAVE_EVERY`` responses and at the
    end, with everything before it consistent: a command commits there, so
    that a large load is neither one huge transaction nor lost whole when
    interrupted.

    Rows are built as plain tuples from a snapshot of the questions and written
    with one executemany per table and chunk (SQLite) or COPY (PostgreSQL): the
    ORM's per-row bookkeeping cost more than the database itself.

    With ``tally`` the responses are counted into the tallies as they are
    written and stamped as folded, in the same transaction: folding 10M
    afterwards re-read every answer and rewrote every response's index
    entries (about an hour on PostgreSQL here); counting the rows in hand
    adds a few percent to the generation. Without it they wait for a fold.

    Ids follow the highest stored one, or start at ``first_id``: loads run
    side by side (PostgreSQL, two cores half idle with one) each need their
    own range.
    """
    version = survey.published_version
    assert version is not None
    questions, fields = _plan_items(version)
    population = population or DEMO_POPULATION
    if service_points is None:
        service_points = _service_points(survey)
    if not service_points:
        raise ValueError(f"survey {survey.slug} runs in no active service point")
    units = [(u.id, u.code, population.level(u.code)) for u in service_points]
    weights = population.weights(service_points)
    writer = _BulkWriter()
    if first_id is None:
        first_id = (db.session.scalar(select(func.max(Response.id))) or 0) + 1
    plan = _Plan(
        survey.id,
        version.id,
        units,
        weights,
        questions,
        fields,
        now or utcnow(),
        span_days,
        channels or CHANNEL_MIX,
    )
    unsaved = 0
    batch = tallies.batch_for_load() if tally else None
    counts = None
    for size, rows in _in_background(plan.chunks(first_id, count, chunk, seed)):
        if tally and counts is None:
            counts = tally_counts.counter([version.id])
        if counts is not None:
            _count(counts, *rows)
        writer.write(*rows, batch=batch)
        unsaved += size
        if progress:
            progress(size)
        if unsaved >= SAVE_EVERY:
            _save(counts, checkpoint)
            unsaved, counts = 0, None
    writer.finish()
    _save(counts, checkpoint)


SAVE_EVERY = 100_000  # responses per commit of a bulk load: one tally write


def _count(
    counts: tally_counts.Counts,
    responses: list[tuple],
    answers: list[tuple],
    *_rest: Any,
) -> None:
    """Count a chunk's rows (see RESPONSE_COLUMNS; answers in response order)."""
    by_response = groupby(answers, key=itemgetter(0))
    current = next(by_response, None)
    for row in responses:
        rows: Any = ()
        if current is not None and current[0] == row[0]:
            rows = list(current[1])  # before the next group ends this one
            current = next(by_response, None)
        # survey, version, unit, submitted_at, channel, group, hard_flagged
        cut = tally_counts.cut_of(*row[1:4], row[8], row[4], row[6], row[12])
        counts.add_written(cut, rows, row[14])


def _save(
    counts: tally_counts.Counts | None, checkpoint: Callable[[], None] | None
) -> None:
    if counts is not None:
        counts.write()
    if checkpoint:
        checkpoint()


@dataclass(frozen=True)
class _Plan:
    """Everything needed to invent responses, as plain values."""

    survey_id: int
    version_id: int
    units: list[tuple[int, str, float]]
    weights: list[float]
    questions: list[_PlanItem]
    fields: AnswerFields
    now: datetime
    span_days: float = 365.0
    channels: ChannelMix = CHANNEL_MIX

    def chunks(
        self, first_id: int, count: int, chunk: int, seed: int
    ) -> Iterator[tuple[int, Rows]]:
        """(size, (responses, answers, flags, cells)) for ``count`` responses,
        by chunk."""
        rng = random.Random(seed)
        for start in range(first_id, first_id + count, chunk):
            stop = min(start + chunk, first_id + count)
            rows: Rows = ([], [], [], [])
            for response_id in range(start, stop):
                unit = rng.choices(self.units, self.weights)[0]
                _fake_response(
                    rng,
                    response_id,
                    self.survey_id,
                    self.version_id,
                    unit,
                    self.questions,
                    self.fields,
                    self.now,
                    *rows,
                    span_days=self.span_days,
                    channels=self.channels,
                )
            yield stop - start, rows
