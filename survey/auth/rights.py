"""Rights in one place: role checks per blueprint, scope checks per object."""

from __future__ import annotations

from collections.abc import Callable

from flask import abort, redirect, request, url_for
from flask_login import current_user
from sqlalchemy import select
from werkzeug.wrappers import Response

from survey.extensions import db
from survey.models import Invitation, Survey, Unit, UnitReview, User, Wave


def require_roles(*roles: str) -> Callable[[], Response | None]:
    """A ``before_request`` hook: log in first, then hold one of ``roles``."""

    def check() -> Response | None:
        if not current_user.is_authenticated:
            return redirect(url_for("auth.login", next=request.full_path))
        if current_user.role not in roles:
            abort(403)
        return None

    return check


def unit_in_scope(code: str) -> Unit | None:
    """The unit with ``code`` if the user may see it, else None (form fields)."""
    unit = db.session.scalar(select(Unit).where(Unit.code == code.strip()))
    if unit is None or not current_user.can_see(unit):
        return None
    return unit


def get_unit_in_scope_or_404(code: str) -> Unit:
    unit = db.session.scalar(select(Unit).where(Unit.code == code))
    if unit is None:
        abort(404)
    if not current_user.can_see(unit):
        abort(403)
    return unit


def survey_in_scope(survey: Survey) -> bool:
    """A survey is in scope when its owner unit, or one of its units, is."""
    if current_user.can_see(survey.owner_unit):
        return True
    return any(current_user.can_see(unit) for unit in survey.units)


def get_survey_in_scope_or_404(slug: str) -> Survey:
    survey = db.session.scalar(select(Survey).where(Survey.slug == slug))
    if survey is None:
        abort(404)
    if not survey_in_scope(survey):
        abort(403)
    return survey


def surveys_in_scope() -> list[Survey]:
    scope = current_user.unit.path
    owned = select(Survey.id).join(Unit, Survey.owner_unit_id == Unit.id)
    owned = owned.where(Unit.path.startswith(scope))
    from survey.models.surveys import survey_units

    assigned = (
        select(survey_units.c.survey_id)
        .join(Unit, survey_units.c.unit_id == Unit.id)
        .where(Unit.path.startswith(scope))
    )
    query = select(Survey).where(Survey.id.in_(owned.union(assigned)))
    return list(db.session.scalars(query.order_by(Survey.created_at.desc())))


def get_owned_survey_or_404(slug: str) -> Survey:
    """A survey the user may change: its owner unit is in the user's scope.

    Being assigned to a unit in scope lets a user see a survey, not change it.
    """
    survey = get_survey_in_scope_or_404(slug)
    if not current_user.can_see(survey.owner_unit):
        abort(403)
    return survey


def get_user_in_scope_or_404(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None:
        abort(404)
    if not current_user.can_see(user.unit):
        abort(403)
    return user


def require_admin() -> None:
    """403 unless the user is an administrator (of any scope)."""
    if current_user.role != "admin":
        abort(403)


def require_city_admin() -> None:
    """403 unless the user administers the whole tree (API clients are global)."""
    require_admin()
    if current_user.unit.parent_id is not None:
        abort(403)


# --- separation of duties ------------------------------------------------------
# Nobody acts on the integrity or the official figure of a unit in their own
# scope: deciding a review, planning or drawing an invited wave and entering
# phone interviews are for city-wide administrators only (everyone else's
# scope holds the very units these acts judge). Seeing stays scoped as above.


def acts_independently() -> bool:
    """Whether the user may act on integrity: a city-wide administrator."""
    return (
        current_user.is_authenticated
        and current_user.role == "admin"
        and current_user.unit.parent_id is None
    )


def require_independent() -> None:
    """403, with the rule in words, unless ``acts_independently()``."""
    if not acts_independently():
        from flask_babel import gettext as _

        from survey.errors import abort_with

        abort_with(
            403,
            _(
                "Only a city-wide administrator may do this: nobody decides on "
                "the integrity or the official figures of a unit in their own "
                "scope."
            ),
        )


def get_wave_in_scope_or_404(wave_id: int) -> Wave:
    """A wave every unit of which the administrator may see."""
    require_admin()
    wave = db.session.get(Wave, wave_id)
    if wave is None:
        abort(404)
    if not all(current_user.can_see(unit) for unit in wave.units):
        abort(403)
    return wave


def get_invitation_in_scope_or_404(invitation_id: int) -> Invitation:
    """An invitation of a unit in scope: the case an interviewer may call."""
    require_admin()
    invitation = db.session.get(Invitation, invitation_id)
    if invitation is None:
        abort(404)
    if not current_user.can_see(invitation.unit):
        abort(403)
    return invitation


def get_review_in_scope_or_404(review_id: int) -> UnitReview:
    require_admin()
    review = db.session.get(UnitReview, review_id)
    if review is None:
        abort(404)
    if not current_user.can_see(review.unit):
        abort(403)
    return review
