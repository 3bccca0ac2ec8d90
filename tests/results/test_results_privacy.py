"""Nothing below the minimum n can be read or derived from the results pages."""

from tests.results.conftest import unit


def test_a_capped_share_shows_no_interval(
    client, make_survey, add_responses, make_user, login
):
    survey = make_survey()
    add_responses(survey, unit("W1"), 20, code=5)  # 20 of 20: "> 95 %", caution
    make_user("leader@city.vn", "leader", unit("CITY"))
    login("leader@city.vn")
    html = client.get("/results/test/unit/W1?lang=en").get_data(as_text=True)
    assert "&gt; 95 %" in html
    assert "83.9" not in html  # Wilson's 83.9-100 would give the count away


def test_a_unit_hidden_to_protect_a_sibling_hides_its_own_page_too(
    client, make_survey, add_responses, make_user, login
):
    survey = make_survey()
    add_responses(survey, unit("W1"), 40, code=4)
    add_responses(survey, unit("W2"), 3, code=1)  # too small: suppressed
    make_user("leader@city.vn", "leader", unit("CITY"))
    login("leader@city.vn")
    city = client.get("/results/test?lang=en").get_data(as_text=True)
    assert "hidden to protect a small unit" in city
    w1 = client.get("/results/test/unit/W1?lang=en").get_data(as_text=True)
    # City (43) minus W1 (40) would give W2's three answers: W1 shows no share.
    assert "100.0 %" not in w1 and "100,0 %" not in w1
    assert "insufficient data" in w1


def test_comments_do_not_name_their_unit(
    client, make_survey, add_responses, make_user, login
):
    survey = make_survey()
    add_responses(survey, unit("W1"), 12, code=4, comment="Phục vụ tốt")
    add_responses(survey, unit("W2"), 2, code=2, comment="Chờ lâu quá")
    # W2's block: its 10 respondents, with a comment or not (comment_blocks).
    add_responses(survey, unit("W2"), 8, code=3)
    make_user("leader@city.vn", "leader", unit("CITY"))
    login("leader@city.vn")
    html = client.get("/results/test/comments/NOTE?lang=en").get_data(as_text=True)
    assert "Chờ lâu quá" in html
    assert "W2 Ward" not in html and "Phường W2" not in html


def test_absurd_filters_are_ignored_not_a_500(client, make_survey, make_user, login):
    make_survey()
    make_user("leader@city.vn", "leader", unit("CITY"))
    login("leader@city.vn")
    for query in ("version=99999999999999999999", "to=9999-12-31", "from=0001-01-01"):
        assert client.get(f"/results/test?{query}").status_code == 200
    assert client.get("/results/test/comments/NOTE?page=100000000000").status_code < 500


def test_a_unit_under_review_is_marked_and_graded_c(
    client, make_survey, add_responses, make_user, login
):
    from datetime import date

    from survey.extensions import db
    from survey.models.reviews import UnitReview

    survey = make_survey()
    add_responses(survey, unit("W1"), 40, code=5)
    add_responses(survey, unit("W2"), 40, code=3)
    db.session.add(
        UnitReview(
            survey_id=survey.id,
            unit_id=unit("W1").id,
            period_start=date(2026, 1, 1),
            period_end=date(2026, 12, 31),
            reason="all-top rate above the 99.8 % limit",
        )
    )
    db.session.commit()
    make_user("leader@city.vn", "leader", unit("CITY"))
    login("leader@city.vn")
    html = client.get("/results/test?lang=en").get_data(as_text=True)
    html = html[html.index('id="h-units"') :]  # the table, not the summary
    row = html[html.index("W1 Ward") : html.index("W2 Ward")]
    assert "under review" in row
    assert '<td class="grade">C</td>' in row
    assert "under review" not in html[html.index("W2 Ward") :]
