"""The audit log shows events without a user (API, CLI) to city-wide admins."""

from survey.extensions import db
from survey.services.audit import record_event
from tests.conftest import csrf_token


def test_api_and_cli_events_are_listed_for_the_city_admin_only(
    app, make_unit, make_user
):
    city = make_unit("HCM", kind="city")
    ward = make_unit("W1", city)
    make_user("city@city.vn", "admin", city)
    make_user("ward@city.vn", "admin", ward)
    record_event(None, "import", "service_cases", via="api:one-stop", added=3)
    db.session.commit()
    city_admin, ward_admin = app.test_client(), app.test_client()
    for client, email in ((city_admin, "city@city.vn"), (ward_admin, "ward@city.vn")):
        token = csrf_token(client, "/login")
        client.post(
            "/login",
            data={"email": email, "password": "a-long-password", "csrf_token": token},
        )
    seen = city_admin.get("/admin/audit").get_data(as_text=True)
    assert "api:one-stop" in seen and "service_cases" in seen
    assert "api:one-stop" not in ward_admin.get("/admin/audit").get_data(as_text=True)
    filtered = city_admin.get("/admin/audit?action=import").get_data(as_text=True)
    assert "api:one-stop" in filtered
