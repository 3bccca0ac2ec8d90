"""The demo wave's phone interviews shared by three city-wide interviewers,
and its back-check sample drawn, so the field-work page has something to show."""

from __future__ import annotations

import random
import secrets

from sqlalchemy import select, update

from survey.extensions import db
from survey.models import Invitation, Response, User, Wave
from survey.services.fieldwork.interviews import draw_backchecks

DEMO_INTERVIEWERS = ("interviewer1@demo.gov.vn", "interviewer2@demo.gov.vn")


def share_demo_interviews(wave: Wave, first: User, rng: random.Random) -> int:
    """Give the wave's phone interviews to ``first`` and two more city-wide
    administrators at random (who log in with no known password); then draw
    the back-check sample. How many were drawn."""
    team = [first]
    for email in DEMO_INTERVIEWERS:
        user = User(email=email, role="admin", unit=first.unit, name=email[:12])
        user.set_password(secrets.token_urlsafe(24))
        db.session.add(user)
        team.append(user)
    db.session.flush()
    ids = list(
        db.session.scalars(
            select(Response.id)
            .join(Invitation, Response.invitation_id == Invitation.id)
            .where(Invitation.wave_id == wave.id, Response.interviewer_id.is_not(None))
            .order_by(Response.id)
        )
    )
    if ids:
        db.session.execute(
            update(Response),
            [{"id": i, "interviewer_id": rng.choice(team).id} for i in ids],
        )
    db.session.flush()
    return draw_backchecks(wave)
