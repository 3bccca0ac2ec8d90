"""The demo city: its units, how satisfied each unit's citizens really are,
and the demo users."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

from sqlalchemy import func, select

from survey.extensions import db
from survey.models import Survey, Unit

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


def _level(code: str) -> float:
    """How satisfied a demo unit's citizens are; 0 for a unit that serves none."""
    return DEMO_LEVELS.get(code, 0.7)


def iter_demo_logins() -> Iterator[tuple[str, str, str, str]]:
    """The demo users: e-mail, password, role, unit code."""
    yield "admin@demo.gov.vn", "demo-admin-2025", "admin", "HCM"
    yield "designer@demo.gov.vn", "demo-designer-2025", "designer", "S-NN-MT"
    yield "leader@demo.gov.vn", "demo-leader-2025", "leader", "HCM"
    yield "ward@demo.gov.vn", "demo-ward-2025", "leader", "P-SAI-GON"
