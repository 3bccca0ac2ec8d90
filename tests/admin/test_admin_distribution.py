"""Links, QR codes (SVG, PNG) and printable A4 posters for every unit."""

import re


def test_links_qr_codes_and_posters(client, as_admin):
    page = client.get("/admin/surveys/city-survey/distribute").get_data(as_text=True)
    assert "http://localhost/s/city-survey/W1" in page
    svg = client.get("/admin/surveys/city-survey/qr/W1.svg")
    assert svg.status_code == 200 and svg.mimetype == "image/svg+xml"
    assert b"<svg" in svg.data
    png = client.get("/admin/surveys/city-survey/qr/W2.png?download=1")
    assert png.data.startswith(b"\x89PNG")
    assert "attachment" in png.headers["Content-Disposition"]
    poster = client.get("/admin/surveys/city-survey/poster/W1")
    html = poster.get_data(as_text=True)
    assert poster.status_code == 200
    assert "<svg" in html and "Phường W1" in html and "W1 Ward" in html
    assert "http://localhost/s/city-survey/W1" in html
    assert "Scan the QR code" in html and "Quét mã QR" in html
    assert "css/admin." in html
    assert not re.search(r"\sstyle=", html)  # the CSP forbids inline styles
    assert "<script>" not in html
    posters = client.get("/admin/surveys/city-survey/posters?root=CITY")
    assert posters.get_data(as_text=True).count('class="poster"') == 2
    one = client.get("/admin/surveys/city-survey/posters?root=W2")
    assert one.get_data(as_text=True).count('class="poster"') == 1


def test_unassigned_or_unknown_units_have_no_poster(client, as_admin):
    assert client.get("/admin/surveys/city-survey/qr/B1.svg").status_code == 404
    assert client.get("/admin/surveys/city-survey/poster/NOPE").status_code == 404
    assert client.get("/admin/surveys/nope/poster/W1").status_code == 404
