"""The demo's two-minute form: SIPAS short, open on the QR codes and kiosks.

The full SIPAS form stays the survey of invitations and phone interviews;
the short one is what a citizen at a counter answers. Both map to the same
metric codes, so the results compare them.
"""

from __future__ import annotations

from datetime import timedelta

from survey.domain.banks import sipas_short_bank
from survey.models import Survey, Unit
from survey.models._time import utcnow
from survey.services import demo
from survey.services.design.definitions import create_survey

SHORT_SLUG = f"{demo.DEMO_SLUG}-ngan"
SHORT_SHARE = 0.3  # of the full form's responses
OPT_IN: demo.ChannelMix = (("qr", "kiosk"), (80, 20))


def add_short_form(
    owner: Unit,
    service_points: list[Unit],
    responses: int,
    seed: int = 2025,
    population: demo.Population | None = None,
) -> Survey:
    """SIPAS short, open in every service point, with half a year of answers."""
    survey = create_survey(SHORT_SLUG, sipas_short_bank(), owner, service_points)
    survey.publish_results = True
    survey.versions[0].publish(now=utcnow() - timedelta(days=200))
    survey.open()
    demo.generate_responses(
        survey,
        round(responses * SHORT_SHARE),
        seed=seed + 7,
        population=population,
        service_points=service_points,
        span_days=180,
        channels=OPT_IN,
    )
    return survey
