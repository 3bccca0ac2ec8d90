"""The first view of a one-page, ten-question form fits a cheap phone's budget."""

import gzip
import re

from survey.domain.questions import (
    LIKERT5,
    OptionSpec,
    PageSpec,
    QuestionSpec,
    SurveySpec,
)

BUDGET_BYTES = 40 * 1024
BUDGET_REQUESTS = 3


def ten_questions() -> SurveySpec:
    scale = tuple(
        OptionSpec(str(i), f"Mức độ hài lòng {i}", f"Level {i}") for i in range(1, 6)
    )
    questions = tuple(
        QuestionSpec(
            f"Q{i}",
            LIKERT5,
            f"Ông/Bà hài lòng như thế nào về khía cạnh số {i} của dịch vụ?",
            f"How satisfied are you with aspect {i}?",
            options=(*scale, OptionSpec("9", "Không biết/Không áp dụng", "Don't know")),
        )
        for i in range(1, 11)
    )
    return SurveySpec(
        "Khảo sát ngắn",
        "Short survey",
        "Giới thiệu ngắn.",
        "Short intro.",
        pages=(PageSpec("", "", questions),),
    )


def test_first_view_is_under_40_kb_in_at_most_3_requests(client, make_survey):
    make_survey(spec=ten_questions())
    headers = {"Accept-Encoding": "gzip"}
    page = client.get("/s/test/W1", headers=headers)
    assert page.headers["Content-Encoding"] == "gzip"
    html = gzip.decompress(page.data).decode()
    resources = re.findall(r'<(?:script|link)[^>]+(?:src|href)="([^"]+)"', html)
    resources = [r for r in resources if not r.startswith("data:")]
    assert all(r.startswith("/") and not r.startswith("//") for r in resources), (
        resources
    )
    assert "@font-face" not in html
    transferred = len(page.data)
    for url in resources:
        response = client.get(url, headers=headers)
        assert response.status_code == 200
        transferred += len(response.data)
        response.close()
        if url.endswith(".css"):
            body = response.data
            css = (
                gzip.decompress(body)
                if response.headers.get("Content-Encoding")
                else body
            )
            assert b"@font-face" not in css and b"url(http" not in css
    assert 1 + len(resources) <= BUDGET_REQUESTS
    print(f"first view: {transferred} bytes in {1 + len(resources)} requests")
    assert transferred <= BUDGET_BYTES, f"{transferred} bytes"
    # The form is usable before any script runs: it is a plain HTML form.
    assert '<form method="post"' in html and html.count('type="radio"') == 60
