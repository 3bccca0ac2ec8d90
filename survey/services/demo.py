"""Demo data: a city organised as Ho Chi Minh City since July 2025, the SIPAS
survey open in every unit, and synthetic responses whose units really differ,
one ward among them looking manipulated."""

from __future__ import annotations

import contextlib
import math
import queue
import random
import secrets
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from itertools import groupby
from operator import itemgetter
from typing import Any, TypeVar

from sqlalchemy import func, insert, select, text, update
from sqlalchemy.orm import selectinload

from survey.domain import disclosure
from survey.domain.banks import sipas_bank
from survey.extensions import db
from survey.models import Question, Response, ServiceCase, Survey, Unit, User, Wave
from survey.models._time import utcnow
from survey.models.responses import masked_text
from survey.models.surveys import SurveyVersion
from survey.services import tallies
from survey.services.definitions import create_survey
from survey.services.raw_export import AnswerFields, answer_key
from survey.services.responses import HARD_SPEED_SECONDS_PER_ITEM

T = TypeVar("T")

DEMO_SLUG = "hai-long-dich-vu-cong"
MANIPULATED_UNIT = "P-BEN-THANH"

# code, parent, name_vi, name_en, kind, how satisfied its citizens really are (0-1)
DEMO_UNITS: tuple[tuple[str, str | None, str, str, str, float], ...] = (
    ("HCM", None, "Thành phố Hồ Chí Minh", "Ho Chi Minh City", "city", 0.0),
    ("P-SAI-GON", "HCM", "Phường Sài Gòn", "Saigon Ward", "ward", 0.78),
    ("P-TAN-DINH", "HCM", "Phường Tân Định", "Tan Dinh Ward", "ward", 0.72),
    ("P-BEN-THANH", "HCM", "Phường Bến Thành", "Ben Thanh Ward", "ward", 0.66),
    ("P-CAU-ONG-LANH", "HCM", "Phường Cầu Ông Lãnh", "Cau Ong Lanh Ward", "ward", 0.70),
    ("P-BAN-CO", "HCM", "Phường Bàn Cờ", "Ban Co Ward", "ward", 0.74),
    ("P-XUAN-HOA", "HCM", "Phường Xuân Hòa", "Xuan Hoa Ward", "ward", 0.81),
    ("P-NHIEU-LOC", "HCM", "Phường Nhiêu Lộc", "Nhieu Loc Ward", "ward", 0.69),
    ("P-CHO-QUAN", "HCM", "Phường Chợ Quán", "Cho Quan Ward", "ward", 0.55),
    ("P-AN-DONG", "HCM", "Phường An Đông", "An Dong Ward", "ward", 0.73),
    ("P-THU-DUC", "HCM", "Phường Thủ Đức", "Thu Duc Ward", "ward", 0.64),
    ("X-BINH-CHANH", "HCM", "Xã Bình Chánh", "Binh Chanh Commune", "commune", 0.60),
    ("X-CU-CHI", "HCM", "Xã Củ Chi", "Cu Chi Commune", "commune", 0.77),
    ("X-CAN-GIO", "HCM", "Xã Cần Giờ", "Can Gio Commune", "commune", 0.84),
    (
        "DK-CON-DAO",
        "HCM",
        "Đặc khu Côn Đảo",
        "Con Dao Special Zone",
        "special_zone",
        0.80,
    ),
    ("S-TU-PHAP", "HCM", "Sở Tư pháp", "Department of Justice", "department", 0.75),
    (
        "S-XAY-DUNG",
        "HCM",
        "Sở Xây dựng",
        "Department of Construction",
        "department",
        0.58,
    ),
    (
        "S-NN-MT",
        "HCM",
        "Sở Nông nghiệp và Môi trường",
        "Department of Agriculture and Environment",
        "department",
        0.0,
    ),
    (
        "S-NN-MT-CN1",
        "S-NN-MT",
        "Chi nhánh Văn phòng Đăng ký đất đai khu vực 1",
        "Land Registration Office, branch 1",
        "branch",
        0.52,
    ),
    (
        "S-NN-MT-CN2",
        "S-NN-MT",
        "Chi nhánh Văn phòng Đăng ký đất đai khu vực 2",
        "Land Registration Office, branch 2",
        "branch",
        0.62,
    ),
)
DEMO_LEVELS = {code: level for code, *_rest, level in DEMO_UNITS}
# Saigon Ward was formed in July 2025 from three former wards.
MERGED_INTO_SAI_GON = "Bến Nghé, Đa Kao, Nguyễn Thái Bình"


@dataclass(frozen=True)
class Population:
    """How satisfied each unit's citizens really are, and how many it serves."""

    level: Callable[[str], float]  # unit code -> 0-1
    weights: Callable[[list[Unit]], list[float]]  # relative volumes


@dataclass(frozen=True)
class DemoSummary:
    units: int
    survey: Survey
    responses: int


def is_empty() -> bool:
    return db.session.scalar(select(func.count(Unit.id))) == 0


def create_units() -> dict[str, Unit]:
    units: dict[str, Unit] = {}
    for code, parent, name_vi, name_en, kind, _level in DEMO_UNITS:
        unit = Unit(
            code=code,
            name_vi=name_vi,
            name_en=name_en,
            kind=kind,
            parent=units[parent] if parent else None,
        )
        db.session.add(unit)
        db.session.flush()
        unit.update_path()
        units[code] = unit
    return units


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
            counts = tallies.counter([version.id])
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
    counts: tallies.Counts, responses: list[tuple], answers: list[tuple], *_rest: Any
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
        cut = tallies.cut_of(*row[1:4], row[8], row[4], row[6], row[12])
        counts.add_written(cut, rows, row[14])


def _save(counts: tallies.Counts | None, checkpoint: Callable[[], None] | None) -> None:
    if counts is not None:
        counts.write()
    if checkpoint:
        checkpoint()


def _plan_items(version: SurveyVersion) -> tuple[list[_PlanItem], AnswerFields]:
    """The version's questions, in order, as the generator needs them, and
    their answer fields for the raw export."""
    questions = db.session.scalars(
        select(Question)
        .where(Question.version_id == version.id)
        .options(selectinload(Question.options))
        .order_by(Question.position)
    ).all()
    return [_PlanItem.of(q) for q in questions], AnswerFields.of(questions)


def _service_points(survey: Survey) -> list[Unit]:
    return [u for u in survey.units if u.active and _level(u.code) > 0]


def _unit_weights(service_points: list[Unit]) -> list[float]:
    """Bigger offices serve more people: the departments and first wards weigh more."""
    return [
        3.0 if u.kind in ("department", "branch") else 2.0 if i < 5 else 1.0
        for i, u in enumerate(service_points)
    ]


# Which channel a synthetic respondent came through, and how often.
ChannelMix = tuple[tuple[str, ...], tuple[int, ...]]
CHANNEL_MIX: ChannelMix = (("qr", "invited", "link", "phone"), (55, 30, 10, 5))

DEMO_POPULATION = Population(level=lambda code: _level(code), weights=_unit_weights)

Rows = tuple[list[tuple], list[tuple], list[tuple], list[tuple]]


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


def _in_background(items: Iterator[T]) -> Iterator[T]:
    """Run ``items`` in a thread, one step ahead of the consumer.

    The database drivers release the GIL while they write, so inventing the
    next chunk overlaps with storing this one.
    """
    ahead: queue.Queue[tuple[bool, Any]] = queue.Queue(maxsize=2)
    stop = threading.Event()

    def produce() -> None:
        try:
            for item in items:
                if stop.is_set():
                    return
                ahead.put((True, item))
            ahead.put((False, None))
        except BaseException as error:  # handed over to the consumer
            ahead.put((False, error))

    worker = threading.Thread(target=produce, daemon=True)
    worker.start()
    try:
        while True:
            more, item = ahead.get()
            if not more:
                if item is not None:
                    raise item
                return
            yield item
    finally:
        stop.set()
        while worker.is_alive():  # unblock a producer waiting on a full queue
            with contextlib.suppress(queue.Empty):
                ahead.get(timeout=0.1)
        worker.join()


RESPONSE_COLUMNS = (
    "id",
    "survey_id",
    "version_id",
    "unit_id",
    "channel",
    "language",
    "respondent_group",
    "started_at",
    "submitted_at",
    "duration_seconds",
    "token",
    "device_hash",
    "hard_flagged",
    "soft_flag_count",
    "record_key",
)
ANSWER_COLUMNS = (
    "response_id",
    "question_id",
    "option_id",
    "value_int",
    "value_text",
    "text_masked",
)
FLAG_COLUMNS = ("response_id", "code", "kind", "reason")
CELL_COLUMNS = ("response_id", "cells")


def _with_masked_copies(answers: list[tuple]) -> list[tuple]:
    """Each answer row with its text's display copy (the demo repeats texts)."""
    copies: dict[str, str | None] = {}
    rows = []
    for row in answers:
        text = row[4]
        if text is not None and text not in copies:
            copies[text] = masked_text(text)
        rows.append((*row, None if text is None else copies[text]))
    return rows


class _BulkWriter:
    """Writes tuples in the session's transaction, the fastest way per dialect."""

    def __init__(self) -> None:
        self.dialect = db.engine.dialect.name

    def write(
        self,
        responses: list[tuple],
        answers: list[tuple],
        flags: list[tuple],
        cells: list[tuple],
        batch: int | None = None,
    ) -> None:
        """Write the rows; with ``batch``, the responses are stamped as folded."""
        # The session's connection: the rows join its transaction.
        self.connection = db.session.connection()
        self.raw = self.connection.connection.driver_connection
        if self.dialect == "sqlite":
            # A big page cache keeps the index updates of a large load in memory.
            self.raw.execute("PRAGMA cache_size=-262144")
        elif self.dialect == "postgresql" and self._superuser():
            # Every id the rows refer to was just read in this transaction, so the
            # per-row foreign-key triggers (4x the cost of the COPY) prove nothing.
            self.raw.execute("SET LOCAL session_replication_role = replica")
        response_columns = RESPONSE_COLUMNS
        if batch is not None:
            response_columns += ("tally_batch",)
            responses = [(*row, batch) for row in responses]
        answers = _with_masked_copies(answers)
        tables = (
            ("responses", response_columns, responses),
            ("answers", ANSWER_COLUMNS, answers),
            ("response_flags", FLAG_COLUMNS, flags),
            ("response_cells", CELL_COLUMNS, cells),
        )
        for table, columns, rows in tables:
            if not rows:
                continue
            if self.dialect == "postgresql":
                self._copy(table, columns, rows)
            elif self.dialect == "sqlite":
                self._sqlite(table, columns, rows)
            else:
                self.connection.execute(
                    db.metadata.tables[table].insert(),
                    [dict(zip(columns, row, strict=True)) for row in rows],
                )

    def _superuser(self) -> bool:
        if not hasattr(self, "superuser"):
            self.superuser = self.raw.info.parameter_status("is_superuser") == "on"
        return self.superuser

    def _sqlite(self, table: str, columns: tuple[str, ...], rows: list[tuple]) -> None:
        if table == "responses":
            # Stored as SQLAlchemy stores DateTime on SQLite, so comparisons hold.
            rows = [
                (*row[:7], _sqlite_time(row[7]), _sqlite_time(row[8]), *row[9:])
                for row in rows
            ]
        marks = ", ".join("?" * len(columns))
        self.raw.executemany(
            f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})",  # noqa: S608 - fixed names
            rows,
        )

    def _copy(self, table: str, columns: tuple[str, ...], rows: list[tuple]) -> None:
        cursor = self.raw.cursor()
        with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        cursor.close()

    def finish(self) -> None:
        if self.dialect == "postgresql":
            db.session.execute(
                text(
                    "SELECT setval(pg_get_serial_sequence('responses', 'id'), "
                    "(SELECT max(id) FROM responses))"
                )
            )


def _sqlite_time(value: datetime | None) -> str | None:
    return None if value is None else value.strftime("%Y-%m-%d %H:%M:%S.%f")


@dataclass(frozen=True)
class _PlanItem:
    """What the generator needs of a question, as plain values (no ORM access)."""

    id: int
    code: str
    type: str
    required: bool
    option_ids: dict[str, int]
    codes: tuple[str, ...]
    plain_codes: tuple[str, ...]  # without "other, please specify"
    condition_code: str | None
    condition_codes: frozenset[str]

    @classmethod
    def of(cls, q: Question) -> _PlanItem:
        return cls(
            id=q.id,
            code=q.code,
            type=q.type,
            required=q.required,
            option_ids={o.code: o.id for o in q.options},
            codes=tuple(o.code for o in q.options),
            plain_codes=tuple(o.code for o in q.options if not o.is_other),
            condition_code=(
                q.condition_question.code if q.condition_question is not None else None
            ),
            condition_codes=frozenset(q.condition_option_codes or ()),
        )


def _level(code: str) -> float:
    """How satisfied a demo unit's citizens are; 0 for a unit that serves none."""
    return DEMO_LEVELS.get(code, 0.7)


def _likert(rng: random.Random, level: float, spread: float = 0.9) -> int:
    if rng.random() < 0.03:
        return 9
    value = 1 + 4 * level + rng.gauss(0, spread)
    return max(1, min(5, round(value)))


def _fake_response(  # noqa: C901 - one synthetic respondent, question by question
    rng: random.Random,
    response_id: int,
    survey_id: int,
    version_id: int,
    unit: tuple[int, str, float],
    questions: list[_PlanItem],
    fields: AnswerFields,
    now: datetime,
    responses: list[tuple],
    answers: list[tuple],
    flags: list[tuple],
    cells: list[tuple],
    channel: str | None = None,
    submitted_at: datetime | None = None,
    span_days: float = 365.0,
    channels: ChannelMix | None = None,
) -> None:
    """Append one synthetic respondent's rows (see the *_COLUMNS tuples).

    ``channel`` and ``submitted_at`` fix what is otherwise drawn at random
    (an invited respondent answers on that channel, after the invitation).
    """
    unit_id, unit_code, unit_level = unit
    manipulated = unit_code == MANIPULATED_UNIT
    # Months differ a little, and things got slowly better over the year.
    days_ago = rng.random() * span_days
    if manipulated and rng.random() < 0.6:
        # Bursts: dozens of responses within minutes on a few days.
        days_ago = rng.choice((12.3, 40.6, 95.2, 180.4)) + rng.random() * 0.01
    if submitted_at is not None:
        days_ago = max(0.0, (now - submitted_at).total_seconds() / 86400)
    submitted = now - timedelta(days=days_ago)
    # Whole milliseconds, as SQLite's date functions read them (tallies.cut_of).
    submitted -= timedelta(microseconds=submitted.microsecond % 1000)
    level = unit_level + 0.05 * (1 - days_ago / span_days) + rng.gauss(0, 0.12)
    business = rng.random() < 0.15
    names, weights = channels or CHANNEL_MIX
    drawn_channel = rng.choices(names, weights)[0]
    channel = channel or drawn_channel
    stuffed = manipulated and channel == "qr"
    if stuffed:
        level = 0.98 + rng.gauss(0, 0.02)
    chosen: dict[str, set[str]] = {}
    answered = 0
    first_answer = len(answers)
    for q in questions:
        if q.condition_code is not None and not (
            chosen.get(q.condition_code, set()) & q.condition_codes
        ):
            continue
        codes = _answer_codes(rng, q, level, business, stuffed)
        if codes is None:
            continue
        answered += 1
        if isinstance(codes, str):
            answers.append((response_id, q.id, None, None, codes))
            continue
        if isinstance(codes, int):
            answers.append((response_id, q.id, None, codes, None))
            continue
        chosen[q.code] = set(codes)
        likert = q.type == "likert5"
        for code in codes:
            value = int(code) if likert else None
            answers.append((response_id, q.id, q.option_ids[code], value, None))
    duration = int(rng.lognormvariate(5.6, 0.35))  # about 4-5 minutes
    if stuffed:
        duration = rng.randint(20, 70)
    keyed = {
        answer_key(qid, option_id): text if text is not None else value
        for _, qid, option_id, value, text in answers[first_answer:]
    }
    cells.append((response_id, fields.render(keyed)))
    hard_flagged = duration < HARD_SPEED_SECONDS_PER_ITEM * answered
    if hard_flagged:
        reason = f"{duration} s for {answered} answers"
        flags.append((response_id, "hard_speeder", "hard", reason))
    responses.append(
        (
            response_id,
            survey_id,
            version_id,
            unit_id,
            channel,
            "en" if rng.random() < 0.04 else "vi",
            "business" if business else "citizen",
            submitted - timedelta(seconds=duration),
            submitted,
            duration,
            secrets.token_hex(16),
            None,
            hard_flagged,
            0,
            disclosure.new_record_key(),
        )
    )


COMMENTS = (
    "Cán bộ hướng dẫn tận tình, cảm ơn.",
    "Phải đi lại nhiều lần vì thiếu giấy tờ, nên hướng dẫn rõ hơn từ đầu.",
    "Thời gian chờ quá lâu.",
    "Nơi chờ thiếu chỗ ngồi vào buổi sáng.",
    "Nên mở rộng nộp hồ sơ trực tuyến.",
    "Very helpful staff, thank you.",
)


def _answer_codes(  # noqa: C901 - one branch per kind of question
    rng: random.Random, q: _PlanItem, level: float, business: bool, stuffed: bool
) -> tuple[str, ...] | str | int | None:
    """A plausible answer: option codes, a comment, a scale value, or None."""
    if q.type == "likert5":
        return ("5" if stuffed else str(_likert(rng, level)),)
    if q.type in ("long_text", "short_text"):
        return rng.choice(COMMENTS) if rng.random() < 0.15 else None
    if q.type == "nps":
        return max(0, min(10, round(10 * level + rng.gauss(0, 1.5))))
    if q.type == "rating5":
        return max(1, min(5, round(1 + 4 * level + rng.gauss(0, 0.9))))
    if not q.codes:  # number, date: nothing plausible to invent
        return None
    if q.type == "multiple":
        if rng.random() < 0.3:
            return None
        picks = rng.randint(1, min(3, len(q.plain_codes)))
        return tuple(rng.sample(q.plain_codes, picks))
    codes = q.codes
    if q.code == "Q0.1":
        return ("yes",)
    if q.code == "Q0.2":
        return (
            ("business",)
            if business
            else (rng.choice(("individual", "individual", "agent")),)
        )
    if q.code in ("A1", "A2", "A7"):
        extra = max(0, round(rng.expovariate(1.0) * (1.3 - level)))
        return (codes[min(extra, len(codes) - 1)],)
    if q.code == "A3":
        late = rng.random() > level + 0.1
        return ("late",) if late else (rng.choice(("on_time", "on_time", "early")),)
    if q.code == "A6":
        return ("yes",) if rng.random() < 0.04 * (1.2 - level) else ("no",)
    if q.code == "B5.0":
        return ("yes",) if rng.random() < 0.2 else ("no",)
    if not q.required and rng.random() < 0.3:
        return None
    return (rng.choice(codes),)


def iter_demo_logins() -> Iterator[tuple[str, str, str, str]]:
    """The demo users: e-mail, password, role, unit code."""
    yield "admin@demo.gov.vn", "demo-admin-2025", "admin", "HCM"
    yield "designer@demo.gov.vn", "demo-designer-2025", "designer", "S-NN-MT"
    yield "leader@demo.gov.vn", "demo-leader-2025", "leader", "HCM"
    yield "ward@demo.gov.vn", "demo-ward-2025", "leader", "P-SAI-GON"


# --- the invited channel: cases, one drawn wave, its answers, the checks -------

DEMO_WAVE_PER_UNIT = 10
DEMO_WAVE_SEED = 2025
# Procedure groups a unit of each kind handles, the first the most often.
PROCEDURE_GROUPS = {
    "department": ("business_registration", "permits", "civil_status"),
    "branch": ("land", "land", "construction"),
}
WARD_GROUPS = ("civil_status", "certification", "land", "social_protection")
OUTCOME_WEIGHTS = (("approved", 85), ("rejected", 7), ("returned", 5), ("withdrawn", 3))


@dataclass(frozen=True)
class TrustSummary:
    cases: int
    invitations: int
    answered: int
    reviews: list[str]


def _case_values(
    rng: random.Random, unit: Unit, returned: date, level: float
) -> dict[str, Any]:
    """A plausible case of ``unit`` returned on ``returned``."""
    groups = PROCEDURE_GROUPS.get(unit.kind, WARD_GROUPS)
    outcomes, weights = zip(*OUTCOME_WEIGHTS, strict=True)
    took = rng.randint(2, 20)
    # Worse units are late more often.
    late = rng.random() < 0.35 * (1 - level)
    promised = took - rng.randint(1, 4) if late else took + rng.randint(0, 5)
    received = returned - timedelta(days=took)
    return {
        "procedure_group": rng.choice(groups),
        "applicant_type": "business" if rng.random() < 0.15 else "citizen",
        "submission_channel": rng.choices(("counter", "online", "postal"), (60, 35, 5))[
            0
        ],
        "outcome": rng.choices(outcomes, weights)[0],
        "received_on": received,
        "due_on": received + timedelta(days=max(1, promised)),
        "returned_on": returned,
        "supplement_requests": rng.choices((0, 1, 2), (80, 15, 5))[0],
    }


def add_demo_cases(
    service_points: list[Unit],
    responses: int,
    rng: random.Random,
    today: date,
    population: Population | None = None,
) -> int:
    """A year of completed cases per unit, about twice its demo responses.

    Cases older than four weeks are bulk-inserted without a contact (their
    numbers were erased when their waves closed); the last weeks' cases come
    in through the import service with a phone number, ready to be drawn.
    """
    from survey.services.cases import case_reference_hash, import_cases

    population = population or DEMO_POPULATION
    weights = population.weights(service_points)
    total_weight = sum(weights)
    history: list[dict[str, Any]] = []
    recent: list[dict[str, object]] = []
    now = utcnow()
    phone = 0
    for unit, weight in zip(service_points, weights, strict=True):
        yearly = max(40, math.ceil(2 * responses * weight / total_weight))
        fresh = max(20, math.ceil(yearly / 12))
        level = population.level(unit.code)
        for i in range(yearly):
            returned = today - timedelta(days=rng.randint(27, 364))
            history.append(
                {
                    **_case_values(rng, unit, returned, level),
                    "reference_hash": case_reference_hash(f"DEMO-{unit.code}-H{i}"),
                    "unit_id": unit.id,
                    "source": "csv",
                    "imported_at": now,
                }
            )
        for i in range(fresh):
            returned = today - timedelta(days=rng.randint(7, 26))
            values = _case_values(rng, unit, returned, level)
            phone += 1
            recent.append(
                {
                    **{k: str(v) for k, v in values.items()},
                    "reference": f"DEMO-{unit.code}-R{i}",
                    "unit_code": unit.code,
                    # Obviously made up: 0900 and a running number.
                    "phone": f"0900{phone:06d}",
                }
            )
    for start in range(0, len(history), 2000):
        db.session.execute(insert(ServiceCase), history[start : start + 2000])
    report = import_cases(recent, all_or_nothing=True, today=today)
    if not report.ok:
        raise ValueError(f"demo cases rejected: {report.rejected[:3]}")
    return len(history) + report.added


def answer_invitations(
    survey: Survey,
    wave: Wave,
    rng: random.Random,
    now: datetime,
    interviewer: User | None = None,
    share: float = 0.45,
    population: Population | None = None,
) -> int:
    """Synthetic answers to ``share`` of the wave's invitations, linked to them.

    Most come through the link (channel "invited"); with an ``interviewer``,
    one in four is a phone interview entered by them. Others were only opened.
    """
    population = population or DEMO_POPULATION
    version = survey.published_version
    assert version is not None and wave.drawn_at is not None
    questions, fields = _plan_items(version)
    rows: Rows = ([], [], [], [])
    links: list[dict[str, Any]] = []
    response_id = (db.session.scalar(select(func.max(Response.id))) or 0) + 1
    window = (now - wave.drawn_at).total_seconds()
    for invitation in sorted(wave.invitations, key=lambda i: i.id):
        luck = rng.random()
        opened = wave.drawn_at + timedelta(seconds=rng.random() * window * 0.8)
        if luck >= share:
            if luck < share + 0.15:
                invitation.mark_opened(opened)
            continue
        phone = interviewer is not None and rng.random() < 0.25
        submitted = opened + timedelta(minutes=rng.randint(3, 90))
        unit = invitation.unit
        _fake_response(
            rng,
            response_id,
            survey.id,
            version.id,
            (unit.id, unit.code, population.level(unit.code)),
            questions,
            fields,
            now,
            *rows,
            channel="phone" if phone else "invited",
            submitted_at=min(submitted, now),
        )
        links.append(
            {
                "id": response_id,
                "invitation_id": invitation.id,
                "interviewer_id": interviewer.id if phone and interviewer else None,
            }
        )
        if not phone:
            invitation.mark_opened(opened)
        invitation.mark_answered(min(submitted, now))
        response_id += 1
    writer = _BulkWriter()
    writer.write(*rows)
    writer.finish()
    if links:
        db.session.execute(update(Response), links)
    db.session.flush()
    return len(links)


def seed_trust_demo(
    survey: Survey,
    responses: int,
    seed: int = 2025,
    interviewer: User | None = None,
    now: datetime | None = None,
    population: Population | None = None,
) -> TrustSummary:
    """Cases, one drawn wave with answered invitations, then the quality checks.

    The wave was drawn five days ago over the four weeks before; about half
    its invitations are answered. The recomputed quality puts the manipulated
    ward under review, as ``recompute-quality`` would.
    """
    from survey.services.quality import Period, recompute_quality
    from survey.services.waves import create_wave, draw_wave

    now = now or utcnow()
    today = now.date()
    rng = random.Random(seed + 1)
    service_points = _service_points(survey)
    cases = add_demo_cases(service_points, responses, rng, today, population)
    drawn = now - timedelta(days=5)
    wave = create_wave(
        survey,
        service_points,
        drawn.date() - timedelta(days=28),
        drawn.date() - timedelta(days=1),
        DEMO_WAVE_PER_UNIT,
        seed=DEMO_WAVE_SEED,
        stratify=True,
        oversample_factor=2.0,
        name="Demo: invitations by SMS",
    )
    draw_wave(wave, now=drawn)
    answered = answer_invitations(
        survey, wave, rng, now, interviewer, population=population
    )
    from survey.services.outbox_demo import simulate_outreach

    simulate_outreach(wave, random.Random(seed + 2), drawn)
    if interviewer is not None:
        from survey.services.fieldwork_demo import share_demo_interviews

        share_demo_interviews(wave, interviewer, random.Random(seed + 3))
    report = recompute_quality(survey, Period(today - timedelta(days=364), today))
    return TrustSummary(cases, len(wave.invitations), answered, report.reviews_opened)
