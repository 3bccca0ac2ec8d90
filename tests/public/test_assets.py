"""Static files: hashed names kept a year, compressed, the form's style inline."""

from __future__ import annotations

import base64
import gzip
import hashlib
import re

from flask import url_for

from survey.assets import IMMUTABLE, Assets

GZIP = {"Accept-Encoding": "gzip"}


def static_addresses(html: str) -> list[str]:
    return re.findall(r'(?:src|href)="(/static/[^"]+)"', html)


def test_a_static_address_changes_with_the_file_s_content(
    app, client, tmp_path, monkeypatch
):
    (tmp_path / "css").mkdir()
    sheet = tmp_path / "css" / "site.css"
    sheet.write_text("body{color:#111}" * 40)
    monkeypatch.setattr(app, "static_folder", str(tmp_path))
    monkeypatch.setitem(app.extensions, "survey.assets", Assets(str(tmp_path)))
    with app.test_request_context():
        before = url_for("static", filename="css/site.css")
    assert re.fullmatch(r"/static/css/site\.[0-9a-f]{10}\.css", before)
    assert client.get(before).data == sheet.read_bytes()

    sheet.write_text("body{color:#222;background:#fff}" * 40)
    with app.test_request_context():
        after = url_for("static", filename="css/site.css")
    assert after != before
    response = client.get(after)
    assert response.data == sheet.read_bytes()
    assert response.headers["Cache-Control"] == IMMUTABLE
    # The old address would hand out a year of the old file: it is gone.
    assert client.get(before).status_code == 404


def test_every_static_file_a_page_links_is_hashed_compressed_and_kept_a_year(
    client, make_survey
):
    make_survey()
    html = client.get("/").get_data(as_text=True)
    html += client.get("/s/test/W1").get_data(as_text=True)
    addresses = static_addresses(html)
    assert any(a.endswith(".css") for a in addresses)
    assert any(a.endswith(".js") for a in addresses)
    for address in addresses:
        response = client.get(address, headers=GZIP)
        assert response.status_code == 200, address
        assert response.headers["Content-Encoding"] == "gzip", address
        assert response.headers["Cache-Control"] == IMMUTABLE, address
        assert "Accept-Encoding" in response.headers["Vary"]
        body = gzip.decompress(response.data)
        digest = re.search(r"\.([0-9a-f]{10})\.\w+$", address).group(1)
        assert hashlib.sha256(body).hexdigest().startswith(digest), address
        # A browser that has it asks again only with its ETag: nothing resent.
        again = client.get(address, headers={"If-None-Match": response.headers["ETag"]})
        assert again.status_code == 304 and again.data == b""
    plain = client.get("/static/css/site.css", headers=GZIP)
    assert plain.headers["Content-Encoding"] == "gzip"
    assert plain.headers["Cache-Control"] == "no-cache"


def test_the_form_s_first_view_has_its_style_inline_allowed_by_its_hash(
    client, make_survey
):
    make_survey()
    response = client.get("/s/test/W1")
    html = response.get_data(as_text=True)
    assert 'rel="stylesheet"' not in html
    styles = re.findall(r"<style>(.*?)</style>", html, re.S)
    assert len(styles) == 1 and ".wrap{" in styles[0]
    digest = base64.b64encode(hashlib.sha256(styles[0].encode()).digest()).decode()
    policy = response.headers["Content-Security-Policy"]
    style_src = re.search(r"style-src ([^;]+)", policy).group(1).split()
    assert f"'sha256-{digest}'" in style_src
    assert "'unsafe-inline'" not in policy
    # The script is deferred: the form works and paints without it.
    assert re.search(r'<script src="/static/js/form\.[0-9a-f]{10}\.js" defer>', html)


def test_a_missing_or_escaping_static_address_is_a_404(client):
    for address in (
        "/static/css/nothing.css",
        "/static/css/site.0123456789.css",
        "/static/../survey/config.py",
        "/static/%2e%2e/survey/config.py",
    ):
        assert client.get(address).status_code == 404, address
