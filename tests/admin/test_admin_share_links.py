"""The poster tells the form's own minutes; the shared link counts as "link"."""

from flask import current_app
from sqlalchemy import select

from survey.extensions import db
from survey.models import Question, Response, Survey
from survey.services.answering.surveys import survey_minutes
from tests.public.helpers import form_fields, good_answers


def test_poster_home_and_intro_give_the_same_minutes(client, as_admin):
    with current_app.test_request_context():
        survey = db.session.scalar(select(Survey).where(Survey.slug == "city-survey"))
        minutes = survey_minutes(survey)
    assert minutes is not None and minutes >= 1
    poster = client.get("/admin/surveys/city-survey/poster/W1").get_data(as_text=True)
    assert f"khoảng {minutes} phút" in poster
    assert f"about {minutes} minute" in poster
    assert "3 phút" not in poster or minutes == 3
    home = client.get("/?lang=vi").get_data(as_text=True)
    intro = client.get("/s/city-survey/W1?lang=vi").get_data(as_text=True)
    assert f"Khoảng {minutes} phút" in home and f"Khoảng {minutes} phút" in intro


def test_the_copied_link_says_link_and_its_responses_count_so(client, as_admin):
    page = client.get("/admin/surveys/city-survey/distribute").get_data(as_text=True)
    shared = "http://localhost/s/city-survey/W1?c=link"
    assert f'value="{shared}"' in page and "Copy link" in page
    html = client.get(shared).get_data(as_text=True)
    data = {**form_fields(html), **good_answers(), "page": "1", "action": "submit"}
    assert client.post("/s/city-survey/W1", data=data).status_code == 302
    assert db.session.scalar(select(Response.channel)) == "link"


def test_the_preview_uses_the_forms_conditions(client, as_admin):
    frame = client.get("/admin/surveys/city-survey/preview/frame?lang=vi")
    html = frame.get_data(as_text=True)
    late = db.session.scalar(select(Question.id).where(Question.code == "LATE"))
    # WHY is shown only if LATE = yes, read by the same script as the form.
    condition = (
        "{&#34;join&#34;: &#34;all&#34;, &#34;tests&#34;: [{&#34;question&#34;: "
        f"&#34;q_{late}&#34;, &#34;op&#34;: &#34;in&#34;, &#34;values&#34;: "
        "[&#34;yes&#34;]}]}"
    )
    assert frame.status_code == 200 and f'data-show-when="{condition}"' in html
