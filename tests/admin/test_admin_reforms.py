"""The reforms page: a city administrator imports a mapping or the 2025 reform."""

from __future__ import annotations

from datetime import date
from io import BytesIO

from sqlalchemy import func, select

from survey.extensions import db
from survey.models import AuditEvent, Reform, Unit
from tests.conftest import csrf_token


def _post_csv(client, csv: str, name: str = "Merge of W1 and W2"):
    return client.post(
        "/admin/reforms/import",
        data={
            "csrf_token": csrf_token(client, "/admin/reforms"),
            "name": name,
            "file": (BytesIO(csv.encode()), "reform.csv"),
        },
        content_type="multipart/form-data",
    )


def test_a_city_admin_imports_a_mapping_from_the_units_page(
    client, as_admin, make_unit
):
    make_unit("W12", as_admin.city)
    units_page = client.get("/admin/units").get_data(as_text=True)
    assert 'href="/admin/reforms"' in units_page  # a click away from the units
    bad = (
        "former_code,new_code,share,effective_date\n"
        "W1,W12,1,2025-07-01\n"
        "W2,W12,0.5,2025-07-01\n"
        "NOPE,W12,1,2025-07-01\n"
    )
    response = _post_csv(client, bad)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Nothing was imported" in html and "Unknown former unit NOPE" in html
    assert db.session.scalar(select(func.count(Reform.id))) == 0

    good = (
        "former_code,new_code,share,effective_date\n"
        "W1,W12,,2031-01-01\n"
        "W2,W12,1,2031-01-01\n"
    )
    response = _post_csv(client, good)
    assert response.status_code == 200
    assert "2 links imported" in response.get_data(as_text=True)
    db.session.expire_all()
    w1 = db.session.scalar(select(Unit).where(Unit.code == "W1"))
    assert w1.valid_to == date(2030, 12, 31)
    event = db.session.scalar(
        select(AuditEvent).where(AuditEvent.action == "import_reform")
    )
    assert event is not None and event.user_id == as_admin.admin.id

    # Not in effect yet: it can be undone, with one click.
    reform = db.session.scalar(select(Reform))
    page = client.get("/admin/reforms").get_data(as_text=True)
    assert f"/admin/reforms/{reform.id}/undo" in page
    response = client.post(
        f"/admin/reforms/{reform.id}/undo",
        data={"csrf_token": csrf_token(client, "/admin/reforms")},
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.scalar(select(func.count(Reform.id))) == 0
    assert db.session.get(Unit, w1.id).valid_to is None


def test_the_2025_reform_is_imported_for_a_province(client, as_admin):
    page = client.get("/admin/reforms").get_data(as_text=True)
    assert '<option value="thanhphohue">Thành phố Huế</option>' in page  # by name
    response = client.post(
        "/admin/reforms/import-2025",
        data={
            "csrf_token": csrf_token(client, "/admin/reforms"),
            "province": "thanhphohue",
        },
    )
    assert response.status_code == 200, response.get_data(as_text=True)
    db.session.expire_all()
    new = db.session.scalar(
        select(func.count(Unit.id)).where(Unit.valid_from == date(2025, 7, 1))
    )
    assert new == 40  # Huế's new wards and communes
    assert db.session.scalar(select(func.count(Reform.id))) == 1
    refused = client.post(
        "/admin/reforms/import-2025",
        data={"csrf_token": csrf_token(client, "/admin/reforms"), "province": "x"},
    )
    assert refused.status_code == 422


def test_a_ward_admin_cannot_reach_the_reforms(client, world, make_user, login):
    make_user("ward-admin@city.gov.vn", "admin", world.w1)
    login("ward-admin@city.gov.vn")
    assert client.get("/admin/reforms").status_code == 403
    assert 'href="/admin/reforms"' not in client.get("/admin/units").get_data(
        as_text=True
    )
