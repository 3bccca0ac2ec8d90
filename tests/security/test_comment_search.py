"""The comment search runs over the masked text: no oracle on what was masked."""

import re

from tests.results.conftest import add_responses, unit  # noqa: F401 - fixture

LEAKY = "Liên hệ nguyenvanan [at] gmail [dot] com, (+84) 903 123 456"


def count_line(html: str) -> str:
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))
    return re.search(r"\d+ of \d+ comments", text).group(0)


def test_searching_a_masked_value_finds_nothing(
    client,
    make_survey,
    add_responses,  # noqa: F811
    make_user,
    login,
):
    survey = make_survey()
    add_responses(survey, unit("W1"), 10, comment=LEAKY)
    add_responses(survey, unit("W1"), 2, comment="Nhanh, Liên hệ dễ")
    make_user("leader@city.vn", "leader", unit("CITY"))
    login("leader@city.vn")
    page = client.get("/results/test/comments/NOTE?lang=en").get_data(as_text=True)
    assert "nguyenvanan" not in page and "903 123" not in page
    for probe in ("nguyenvanan", "gmail", "nguyenvananx"):
        html = client.get(f"/results/test/comments/NOTE?lang=en&q={probe}")
        assert count_line(html.get_data(as_text=True)) == "0 of 12 comments", probe
    html = client.get("/results/test/comments/NOTE?lang=en&q=li%C3%AAn+h%E1%BB%87")
    assert count_line(html.get_data(as_text=True)) == "12 of 12 comments"
