"""Demo data: a city organised as Ho Chi Minh City since July 2025, the SIPAS
survey open in every unit, and synthetic responses whose units really differ,
one ward among them looking manipulated."""

from __future__ import annotations

import random
import secrets
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, insert, select, text

from survey.domain.banks import sipas_bank
from survey.extensions import db
from survey.models import Answer, Question, Response, ResponseFlag, Survey, Unit
from survey.models._time import utcnow
from survey.services.definitions import create_survey
from survey.services.responses import HARD_SPEED_SECONDS_PER_ITEM

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
# Saigon Ward was formed in July 2025 from three former wards.
MERGED_INTO_SAI_GON = "Bến Nghé, Đa Kao, Nguyễn Thái Bình"


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


def _level(code: str) -> float:
    return next(level for c, *_rest, level in DEMO_UNITS if c == code)


def generate_responses(
    survey: Survey,
    count: int,
    seed: int = 2025,
    progress: Callable[[int], None] | None = None,
    chunk: int = 2000,
    now: datetime | None = None,
) -> None:
    """Bulk-insert ``count`` synthetic responses over the last 12 months."""
    version = survey.published_version
    assert version is not None
    questions = list(
        db.session.scalars(
            select(Question)
            .where(Question.version_id == version.id)
            .order_by(Question.position)
        )
    )
    units = [u for u in survey.units if _level(u.code) > 0]
    rng = random.Random(seed)
    now = now or utcnow()
    next_id = (db.session.scalar(select(func.max(Response.id))) or 0) + 1
    made = 0
    while made < count:
        size = min(chunk, count - made)
        responses, answers, flags = [], [], []
        for offset in range(size):
            unit = _pick_unit(rng, units)
            response, rows, response_flags = _fake_response(
                rng, next_id + offset, survey, version.id, unit, questions, now
            )
            responses.append(response)
            answers.extend(rows)
            flags.extend(response_flags)
        db.session.execute(insert(Response), responses)
        db.session.execute(insert(Answer), answers)
        if flags:
            db.session.execute(insert(ResponseFlag), flags)
        next_id += size
        made += size
        if progress:
            progress(size)
    if db.engine.dialect.name == "postgresql":
        db.session.execute(
            text(
                "SELECT setval(pg_get_serial_sequence('responses', 'id'), "
                "(SELECT max(id) FROM responses))"
            )
        )


def _pick_unit(rng: random.Random, units: list[Unit]) -> Unit:
    # Bigger offices serve more people: the departments and first wards weigh more.
    weights = [
        3 if u.kind in ("department", "branch") else 2 if i < 5 else 1
        for i, u in enumerate(units)
    ]
    return rng.choices(units, weights)[0]


def _likert(rng: random.Random, level: float, spread: float = 0.9) -> int:
    if rng.random() < 0.03:
        return 9
    value = 1 + 4 * level + rng.gauss(0, spread)
    return max(1, min(5, round(value)))


def _fake_response(  # noqa: C901 - one synthetic respondent, question by question
    rng: random.Random,
    response_id: int,
    survey: Survey,
    version_id: int,
    unit: Unit,
    questions: list[Question],
    now: datetime,
) -> tuple[dict, list[dict], list[dict]]:
    manipulated = unit.code == MANIPULATED_UNIT
    # Months differ a little, and things got slowly better over the year.
    days_ago = rng.random() * 365
    if manipulated and rng.random() < 0.6:
        # Bursts: dozens of responses within minutes on a few days.
        days_ago = rng.choice((12.3, 40.6, 95.2, 180.4)) + rng.random() * 0.01
    submitted = now - timedelta(days=days_ago)
    level = _level(unit.code) + 0.05 * (1 - days_ago / 365) + rng.gauss(0, 0.12)
    business = rng.random() < 0.15
    channel = rng.choices(("qr", "invited", "link", "phone"), (55, 30, 10, 5))[0]
    if manipulated and channel == "qr":
        level = 0.98 + rng.gauss(0, 0.02)
    chosen: dict[str, set[str]] = {}
    rows: list[dict] = []
    for q in questions:
        if q.condition_question is not None and not (
            chosen.get(q.condition_question.code, set())
            & set(q.condition_option_codes or ())
        ):
            continue
        codes = _answer_codes(rng, q, level, business, manipulated and channel == "qr")
        if codes is None:
            continue
        if isinstance(codes, str):
            rows.append(
                {"response_id": response_id, "question_id": q.id, "value_text": codes}
            )
            continue
        chosen[q.code] = set(codes)
        options = {o.code: o.id for o in q.options}
        for code in codes:
            rows.append(
                {
                    "response_id": response_id,
                    "question_id": q.id,
                    "option_id": options[code],
                    "value_int": int(code) if q.type == "likert5" else None,
                }
            )
    answered = len({row["question_id"] for row in rows})
    duration = int(rng.lognormvariate(5.6, 0.35))  # about 4-5 minutes
    if manipulated and channel == "qr":
        duration = rng.randint(20, 70)
    flags = []
    if duration < HARD_SPEED_SECONDS_PER_ITEM * answered:
        flags.append(
            {
                "response_id": response_id,
                "code": "hard_speeder",
                "kind": "hard",
                "reason": f"{duration} s for {answered} answers",
            }
        )
    response = {
        "id": response_id,
        "survey_id": survey.id,
        "version_id": version_id,
        "unit_id": unit.id,
        "channel": channel,
        "language": "en" if rng.random() < 0.04 else "vi",
        "respondent_group": "business" if business else "citizen",
        "started_at": submitted - timedelta(seconds=duration),
        "submitted_at": submitted,
        "duration_seconds": duration,
        "token": secrets.token_hex(16),
        "device_hash": None,
        "hard_flagged": bool(flags),
        "soft_flag_count": 0,
    }
    return response, rows, flags


COMMENTS = (
    "Cán bộ hướng dẫn tận tình, cảm ơn.",
    "Phải đi lại nhiều lần vì thiếu giấy tờ, nên hướng dẫn rõ hơn từ đầu.",
    "Thời gian chờ quá lâu.",
    "Nơi chờ thiếu chỗ ngồi vào buổi sáng.",
    "Nên mở rộng nộp hồ sơ trực tuyến.",
    "Very helpful staff, thank you.",
)


def _answer_codes(
    rng: random.Random, q: Question, level: float, business: bool, stuffed: bool
) -> tuple[str, ...] | str | None:
    """A plausible answer: option codes, a comment, or None for a skipped item."""
    if q.type == "likert5":
        return ("5" if stuffed else str(_likert(rng, level)),)
    if q.type == "long_text":
        return rng.choice(COMMENTS) if rng.random() < 0.15 else None
    if q.type == "multiple":
        if rng.random() < 0.3:
            return None
        codes = [o.code for o in q.options if not o.is_other]
        return tuple(rng.sample(codes, rng.randint(1, 3)))
    codes = [o.code for o in q.options]
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
