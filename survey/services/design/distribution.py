"""Links and QR codes for the units of a survey."""

from __future__ import annotations

import io
from dataclasses import dataclass

import segno
from sqlalchemy import select

from survey.extensions import db
from survey.models import Survey, Unit
from survey.models.surveys import survey_units


@dataclass(frozen=True)
class UnitLink:
    unit: Unit
    url: str  # what the QR code holds: the short link of the unit

    @property
    def shared(self) -> str:
        """The link to send by message or e-mail: its responses count as "link"."""
        return f"{self.url}?c=link"


def unit_link(survey: Survey, unit: Unit) -> str:
    from survey.web import absolute_url  # SURVEY_BASE_URL, not the Host header

    return absolute_url("public.answer_survey", slug=survey.slug, unit_code=unit.code)


def survey_unit_links(survey: Survey, root: Unit) -> list[UnitLink]:
    """The survey's active units within ``root``'s subtree, by code."""
    units = db.session.scalars(
        select(Unit)
        .join(survey_units, survey_units.c.unit_id == Unit.id)
        .where(
            survey_units.c.survey_id == survey.id,
            Unit.path.startswith(root.path),
            Unit.active,
        )
        .order_by(Unit.code)
    )
    return [UnitLink(unit, unit_link(survey, unit)) for unit in units]


def is_assigned(survey: Survey, unit: Unit) -> bool:
    return any(u.id == unit.id for u in survey.units)


def qr_svg(url: str, scale: int = 6) -> str:
    """An SVG QR code, as markup to inline in a page (no style attributes)."""
    return segno.make(url, error="m").svg_inline(scale=scale, omitsize=True)


def qr_svg_file(url: str) -> bytes:
    buffer = io.BytesIO()
    segno.make(url, error="m").save(buffer, kind="svg", scale=10, title=url)
    return buffer.getvalue()


def qr_png(url: str) -> bytes:
    buffer = io.BytesIO()
    segno.make(url, error="m").save(buffer, kind="png", scale=10)
    return buffer.getvalue()
