"""Vietnam's 2025 reform as published in the ``vietnamadminunits`` package.

The package (MIT licence) ships the data we read, without importing its code:
``data/dataset.db`` (the 34 provinces' 3,321 new wards, communes and special
zones with their names and areas; and the former provinces, districts and
wards) and ``data/converter_2025.json`` (which former units each new one was
formed from, and for the former units that were divided, the new units that
share them with each new unit's area).

Shares of a divided former unit: the package gives the areas of the whole
successors, not of the pieces, so each successor's share is its area over the
sum of the areas of the divided unit's successors. This is an approximation,
said wherever such a figure is shown; a mapping CSV with better shares (e.g.
by population) replaces it (``services.city.reforms.import_reform_csv``).
"""

from __future__ import annotations

import importlib.util
import json
import re
import sqlite3
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select

from survey.extensions import db
from survey.models import Unit, User
from survey.services.city.reforms import PlannedLink, ReformReport, apply_reform
from survey.services.city.units import add_unit, find_unit

EFFECTIVE_2025 = date(2025, 7, 1)
NEW_KINDS = {
    "Phường": ("ward", "P"),
    "Xã": ("commune", "X"),
    "Đặc khu": ("special_zone", "DK"),
}
EN_SUFFIX = {
    "Phường": "Ward",
    "Xã": "Commune",
    "Đặc khu": "Special Zone",
    "Thị trấn": "Town",
    "Huyện": "District",
    "Thị xã": "Town",
    "Thành phố": "City",
    "Tỉnh": "Province",
}


class ReformDataError(LookupError):
    """The package is not installed, or does not know the province."""


@dataclass(frozen=True)
class FormerUnit:
    key: str  # the package's 'province_district_ward' key
    code: str
    name_vi: str
    kind: str
    district_code: str
    district_name: str
    province_code: str
    province_name: str


def name_key(name: str) -> str:
    """'Phường Sài Gòn' -> 'phuongsaigon', as the package keys its units."""
    text = name.replace("Đ", "D").replace("đ", "d")
    text = unicodedata.normalize("NFD", text)
    text = "".join(c for c in text if not unicodedata.combining(c))
    return re.sub(r"[^a-z0-9]", "", text.lower())


def english_name(name_vi: str) -> str:
    """'Phường Bến Nghé' -> 'Ben Nghe Ward'; 'Quận 1' -> 'District 1'."""
    for prefix in sorted(EN_SUFFIX, key=len, reverse=True):
        if name_vi.startswith(prefix + " "):
            rest = _plain(name_vi[len(prefix) + 1 :])
            return (
                f"{EN_SUFFIX[prefix]} {rest}"
                if rest.isdigit()
                else f"{rest} {EN_SUFFIX[prefix]}"
            )
    if name_vi.startswith("Quận "):
        rest = _plain(name_vi[5:])
        return f"District {rest}" if rest.isdigit() else f"{rest} District"
    return _plain(name_vi)


def _plain(text: str) -> str:
    text = text.replace("Đ", "D").replace("đ", "d")
    text = unicodedata.normalize("NFD", text)
    return "".join(c for c in text if not unicodedata.combining(c))


def package_folder() -> Path:
    spec = importlib.util.find_spec("vietnamadminunits")
    if spec is None or not spec.submodule_search_locations:
        raise ReformDataError("not_installed")
    return Path(next(iter(spec.submodule_search_locations))) / "data"


def provinces() -> dict[str, list[str]]:
    """New province key -> the former province keys it was formed from."""
    return dict(_converter()["DICT_PROVINCE"])


def province_names() -> dict[str, str]:
    """New province key -> its name ('thanhphohochiminh' -> 'Thành phố Hồ Chí Minh')."""
    rows = _rows("SELECT DISTINCT provinceKey, province FROM admin_units")
    return {row["provinceKey"]: row["province"] for row in rows}


def _converter() -> dict[str, Any]:
    with (package_folder() / "converter_2025.json").open(encoding="utf-8") as f:
        return dict(json.load(f))


def _rows(query: str, *params: str) -> list[sqlite3.Row]:
    uri = f"file:{package_folder() / 'dataset.db'}?mode=ro"
    with sqlite3.connect(uri, uri=True) as connection:
        connection.row_factory = sqlite3.Row
        return list(connection.execute(query, params))


def new_units(province: str) -> list[sqlite3.Row]:
    return _rows(
        "SELECT ward, wardShort, wardType, wardCode, wardKey, wardAreaKm2 "
        "FROM admin_units WHERE provinceKey = ? ORDER BY wardCode",
        province,
    )


def former_units(former_provinces: list[str]) -> dict[str, FormerUnit]:
    marks = ",".join("?" for _ in former_provinces)
    query = (
        "SELECT province, district, ward, provinceCode, districtCode, wardCode, "  # noqa: S608 - only placeholders
        "provinceKey, districtKey, wardKey, wardType FROM admin_units_legacy "
        f"WHERE provinceKey IN ({marks})"
    )
    rows = _rows(query, *former_provinces)
    units: dict[str, FormerUnit] = {}
    for r in rows:
        key = f"{r['provinceKey']}_{r['districtKey']}_{r['wardKey'] or ''}"
        if r["ward"]:
            units[key] = FormerUnit(
                key=key,
                code=f"VN-{r['wardCode']}",
                name_vi=r["ward"],
                kind="commune" if r["wardType"] in ("Xã",) else "ward",
                district_code=f"VN-D{r['districtCode']}",
                district_name=r["district"],
                province_code=f"VN-T{r['provinceCode']}",
                province_name=r["province"],
            )
        # An island district without wards (Côn Đảo) is itself the predecessor.
        district_key = f"{r['provinceKey']}_{r['districtKey']}_"
        units.setdefault(
            district_key,
            FormerUnit(
                district_key,
                f"VN-D{r['districtCode']}",
                r["district"],
                "district",
                f"VN-D{r['districtCode']}",
                r["district"],
                f"VN-T{r['provinceCode']}",
                r["province"],
            ),
        )
    return units


def mapping(province: str) -> list[tuple[str, str, float]]:
    """(former key, new ward key, share) for every former unit of the province."""
    data = _converter()
    whole = data["DICT_PROVINCE_WARD_NO_DIVIDED"].get(province, {})
    divided = data["DICT_PROVINCE_WARD_DIVIDED"].get(province, {})
    links = [(former, new, 1.0) for new, formers in whole.items() for former in formers]
    for former, parts in divided.items():
        total = sum(float(p["newWardAreaKm2"]) for p in parts)
        links.extend(
            (former, p["newWardKey"], float(p["newWardAreaKm2"]) / total) for p in parts
        )
    return links


def import_vn2025(
    user: User | None,
    province: str,
    root: Unit,
    *,
    create_missing: bool = True,
    progress: Callable[[int], object] | None = None,
) -> ReformReport:
    """Add the province's former units under ``root`` and link them to the new ones.

    New units are found under ``root`` by name ('Phường Sài Gòn'); those missing
    are created (or, without ``create_missing``, reported). Former units are
    added under their former province and district, ended on 30 June 2025.
    """
    known = provinces()
    if province not in known:
        raise ReformDataError("unknown_province")
    report = ReformReport()
    successors = _successors(province, root, create_missing, user, report)
    formers = former_units(known[province])
    planned: list[PlannedLink] = []
    made: dict[str, Unit] = {}
    for former_key, new_key, share in mapping(province):
        if progress is not None:
            progress(1)
        successor = successors.get(new_key)
        former = formers.get(former_key)
        if successor is None or former is None:
            report.notes.append(
                _(
                    "Left out: %(former)s -> %(new)s (not in the data).",
                    former=former_key,
                    new=new_key,
                )
            )
            continue
        unit = made.get(former.code) or _former_unit(user, former, root)
        made[former.code] = unit
        planned.append(PlannedLink(unit, successor, share))
    outcome = apply_reform(
        user,
        f"Sắp xếp đơn vị hành chính từ 1/7/2025 ({root.name_vi})",
        EFFECTIVE_2025,
        planned,
        source=f"vietnamadminunits:{province}",
    )
    outcome.notes = report.notes + outcome.notes
    return outcome


def _successors(
    province: str,
    root: Unit,
    create_missing: bool,
    user: User | None,
    report: ReformReport,
) -> dict[str, Unit]:
    below = db.session.scalars(select(Unit).where(Unit.path.startswith(root.path)))
    by_key = {name_key(u.name_vi): u for u in below if u.valid_to is None}
    found: dict[str, Unit] = {}
    for row in new_units(province):
        unit = by_key.get(row["wardKey"])
        if unit is None and create_missing:
            unit = _new_unit(user, row, root)
        if unit is None:
            report.notes.append(_("No unit named %(name)s.", name=row["ward"]))
            continue
        unit.valid_from = unit.valid_from or EFFECTIVE_2025
        found[row["wardKey"]] = unit
    return found


def _new_unit(user: User | None, row: sqlite3.Row, root: Unit) -> Unit:
    kind, prefix = NEW_KINDS.get(row["wardType"], ("ward", "P"))
    code = f"{prefix}-" + re.sub(r"[^A-Z0-9]+", "-", _plain(row["wardShort"]).upper())
    if find_unit(code) is not None:
        code = f"{code}-{row['wardCode']}"
    return add_unit(user, code[:40], root, row["ward"], english_name(row["ward"]), kind)


def _former_unit(user: User | None, former: FormerUnit, root: Unit) -> Unit:
    ended = EFFECTIVE_2025 - timedelta(days=1)
    province = find_unit(former.province_code) or add_unit(
        user,
        former.province_code,
        root,
        former.province_name,
        english_name(former.province_name),
        "province",
    )
    province.valid_to = ended
    if former.kind == "district":
        parent = province
    else:
        parent = find_unit(former.district_code) or add_unit(
            user,
            former.district_code,
            province,
            former.district_name,
            english_name(former.district_name),
            "district",
        )
        parent.valid_to = ended
    unit = find_unit(former.code) or add_unit(
        user,
        former.code,
        parent,
        former.name_vi,
        english_name(former.name_vi),
        former.kind,
    )
    unit.active = False
    return unit
