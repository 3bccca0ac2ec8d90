"""The real city in a browser: a new ward's leader clicks to its history across
the July 2025 reform (Phường Sài Gòn, from Bến Nghé and parts of Đa Kao and
Nguyễn Thái Bình)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import select

from survey.domain.banks import sipas_bank
from survey.extensions import db
from survey.models import Unit, User
from survey.services.demo.city import seed_real_city
from tests.e2e.conftest import LiveServer, live_app, run_axe, serve

pytestmark = pytest.mark.browser

EMAIL = "ward-sai-gon@demo.gov.vn"
PASSWORD = "a-long-password-for-the-browser"


@pytest.fixture(scope="module")
def real_city(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    from flask_migrate import upgrade

    folder = tmp_path_factory.mktemp("real-city")
    app = live_app(folder / "city.sqlite3")
    with app.app_context():
        upgrade()
        seed_real_city(15000)
        ward = db.session.scalar(select(Unit).where(Unit.code == "P-SAI-GON"))
        user = User(email=EMAIL, role="leader", unit=ward)
        user.set_password(PASSWORD)
        db.session.add(user)
        db.session.commit()
    yield from serve(app)


def test_a_new_wards_leader_clicks_to_its_history_across_the_reform(real_city, phone):
    phone.goto(real_city.url + "/login")
    phone.fill("input[name=email]", EMAIL)
    phone.fill("input[name=password]", PASSWORD)
    phone.locator("form button[type=submit]").last.click()
    phone.wait_for_load_state()
    phone.get_by_role("link", name=sipas_bank().title_vi).first.click()
    phone.wait_for_load_state()
    assert "Phường Sài Gòn" in phone.content()
    phone.get_by_role("link", name="Lịch sử qua các lần sắp xếp đơn vị").click()
    phone.wait_for_selector("#chart-history .main-svg", timeout=15_000)
    text = phone.inner_text("main")
    assert "Phường Bến Nghé: toàn bộ đơn vị" in text
    assert "Phường Đa Kao: một phần" in text
    assert "Phường Nguyễn Thái Bình: một phần" in text
    assert "thg 6 2025" in text and "thg 7 2025" in text and "ước tính" in text
    assert phone.js_errors == []
    assert run_axe(phone) == []
