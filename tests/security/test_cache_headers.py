"""Staff pages and exports are never stored by a browser or proxy."""

import re

ARGS = {
    "slug": "test",
    "code": "W1",
    "question_code": "NOTE",
    "fmt": "csv",
    "filename": "app.css",
}


def staff_urls(app):
    for rule in app.url_map.iter_rules():
        if rule.endpoint.split(".")[0] not in ("admin", "results", "auth"):
            continue
        if "GET" not in rule.methods:
            continue
        values = {arg: ARGS.get(arg, "1") for arg in rule.arguments}
        yield re.sub(r"<(?:[^:>]+:)?([^>]+)>", lambda m: values[m.group(1)], rule.rule)


def test_every_staff_page_and_export_says_no_store(
    app, client, make_unit, make_user, make_survey, login
):
    city = make_unit("CITY", kind="city")
    make_survey(units=[make_unit("W1", city)], owner=city)
    make_user("ana@city.vn", "admin", city)
    assert client.get("/login").headers["Cache-Control"] == "no-store"
    login("ana@city.vn")
    seen = 0
    for url in staff_urls(app):
        response = client.get(url)
        response.get_data()  # a streamed download ends its contexts when read
        if response.status_code == 200:
            seen += 1
            assert response.headers.get("Cache-Control") == "no-store", url
    assert seen >= 20
    for url in ("/results/test/raw.csv", "/results/test/export.csv"):
        response = client.get(url)
        response.get_data()
        assert response.status_code == 200, url
        assert response.headers["Cache-Control"] == "no-store", url
