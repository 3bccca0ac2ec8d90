"""Units under review: the integrity indicators, and a decision with a reason."""

from __future__ import annotations

from datetime import timedelta

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from survey.admin import me
from survey.admin.forms import RecomputeQualityForm, ReviewDecisionForm
from survey.admin.views import bp
from survey.auth.rights import (
    get_owned_survey_or_404,
    get_review_in_scope_or_404,
    require_admin,
    require_independent,
    surveys_in_scope,
)
from survey.extensions import db
from survey.models._time import utcnow
from survey.models.reviews import ReviewError
from survey.services.audit import record_event
from survey.services.integrity import quality as quality_service
from survey.services.integrity.period import Period


def _indicator_labels() -> dict[str, str]:
    return {
        "inflation_gap": _("Inflation gap (opt-in minus invited)"),
        "all_top": _("All-top rate"),
        "zero_negatives": _("Zero negatives"),
        "bursts": _("Bursts"),
        "ratings_per_case": _("Ratings per case"),
        "soft_flags": _("Soft-flag concentration"),
        "step_change": _("Step change"),
        "arrival_surge": _("Arrival surge (against the unit's own hours and days)"),
        "hard_flags": _("Impossible forms (too fast to read, honeypot)"),
        "favourable_pattern": _("Favourable on every item"),
        "coached_pattern": _("Top on the staff items only"),
        "score_shift": _("Score shift"),
        "unit_score": _("Unit score (decides red and amber)"),
    }


def reason_parts(reason: str, labels: dict[str, str]) -> list[tuple[str, str]]:
    """A stored reason ("code: detail; code: detail") as (label, detail) pairs.

    The label is in the page's language; the detail was written in English
    when the review opened, so the page shows it only to English readers.
    """
    parts = []
    for piece in filter(None, (p.strip() for p in reason.split(";"))):
        code, _sep, detail = piece.partition(":")
        if code.strip() in labels:
            parts.append((labels[code.strip()], detail.strip()))
        else:
            parts.append(("", piece))
    return parts


@bp.get("/reviews")
def list_reviews() -> str:
    require_admin()
    reviews = quality_service.reviews_in_scope(current_user.unit)
    surveys = [s for s in surveys_in_scope() if current_user.can_see(s.owner_unit)]
    return render_template(
        "admin/reviews.html",
        reviews=reviews,
        indicators=quality_service.review_indicators(
            [r for r in reviews if r.status == "under_review"]
        ),
        labels=_indicator_labels(),
        surveys=surveys,
        recompute_form=RecomputeQualityForm(formdata=None),
    )


@bp.route("/reviews/<int:review_id>", methods=["GET", "POST"])
def decide_review(review_id: int) -> str | Response | tuple[str, int]:
    review = get_review_in_scope_or_404(review_id)
    if request.method == "POST":
        require_independent()  # separation of duties (survey/auth/rights.py)
    form = ReviewDecisionForm()
    if review.status == "under_review" and form.validate_on_submit():
        try:
            quality_service.decide_review(
                review, form.decision.data, me(), form.reason.data
            )
        except ReviewError:
            db.session.rollback()
            form.reason.errors.append(
                _("Write the reason for the decision (10 characters or more).")
            )
        else:
            db.session.commit()
            flash(
                _("The review of %(code)s is decided.", code=review.unit.code), "info"
            )
            return redirect(url_for("admin.list_reviews"))
    status = 422 if form.errors else 200
    return render_template(
        "admin/review.html",
        review=review,
        indicators=quality_service.review_indicators([review]).get(review.id, []),
        labels=_indicator_labels(),
        reasons=reason_parts(review.reason, _indicator_labels()),
        form=form,
    ), status


@bp.post("/surveys/<slug>/quality")
def recompute_quality(slug: str) -> Response:
    """Soft flags, indicators and reviews for every unit of a survey.

    The indicators compare each unit with the whole survey, so only an
    administrator whose scope owns the survey may run it.
    """
    require_admin()
    survey = get_owned_survey_or_404(slug)
    form = RecomputeQualityForm()
    if form.validate_on_submit():
        today = utcnow().date()
        period = Period(today - timedelta(days=form.days.data - 1), today)
        report = quality_service.recompute_quality(survey, period, me())
        record_event(
            me(),
            "recompute",
            "quality",
            survey.id,
            survey=slug,
            days=form.days.data,
            reviews_opened=report.reviews_opened,
        )
        db.session.commit()
        flash(
            _(
                "Quality recomputed: %(n)s unit(s) newly under review.",
                n=len(report.reviews_opened),
            ),
            "info",
        )
    else:
        flash(_("Give a period between 1 and 3,660 days."), "error")
    return redirect(url_for("admin.list_reviews"))
