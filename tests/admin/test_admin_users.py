"""Users (admins only) and the audit log."""

from sqlalchemy import select

from survey.extensions import db
from survey.models import User
from tests.admin.helpers import post


def user(email: str) -> User | None:
    db.session.expire_all()
    return db.session.scalar(select(User).where(User.email == email))


NEW = {
    "email": "ana@city.gov.vn",
    "name": "Ana",
    "role": "designer",
    "unit_code": "S-NN-MT",
    "password": "a-long-enough-password",
}


def test_create_change_and_disable_a_user(client, as_admin, login):
    assert post(client, "/admin/users/new", NEW).status_code == 302
    ana = user("ana@city.gov.vn")
    assert ana.role == "designer" and ana.unit.code == "S-NN-MT"
    assert ana.check_password("a-long-enough-password")
    again = post(client, "/admin/users/new", {**NEW, "email": "ANA@city.gov.vn"})
    assert "exists already" in again.get_data(as_text=True)
    bad = [
        ({"email": "not-an-email"}, "not an e-mail"),
        ({"password": "short"}, "Between 12"),
        ({"unit_code": "NOPE"}, "in your scope"),
        ({"role": "god"}, "valid choice"),
        ({"email": "<script>@x.vn"}, "not an e-mail"),
    ]
    for change, message in bad:
        response = post(client, "/admin/users/new", {**NEW, **change})
        assert response.status_code == 422, change
        assert message in response.get_data(as_text=True), message
    edit = {"name": "Ana B", "role": "leader", "unit_code": "W1", "active": ""}
    assert post(client, f"/admin/users/{ana.id}", edit).status_code == 302
    ana = user("ana@city.gov.vn")
    assert (ana.role, ana.unit.code, ana.active) == ("leader", "W1", False)
    me = user("admin@city.gov.vn")
    refused = post(
        client,
        f"/admin/users/{me.id}",
        {"name": "", "role": "admin", "unit_code": "CITY", "active": ""},
    )
    assert "cannot disable yourself" in refused.get_data(as_text=True)
    assert user("admin@city.gov.vn").active
    listing = client.get("/admin/users").get_data(as_text=True)
    assert "ana@city.gov.vn" in listing


def test_audit_log_is_filterable(client, as_admin):
    post(client, "/admin/users/new", NEW)
    post(
        client,
        "/admin/surveys/new",
        {"slug": "audited", "template": "", "title_vi": "T", "title_en": ""},
    )
    page = client.get("/admin/audit").get_data(as_text=True)
    assert "create_user" in page and "create_survey" in page and "login" in page
    only = client.get("/admin/audit?action=create_survey").get_data(as_text=True)
    assert "survey:audited" in only and "create_user</td>" not in only
    by_type = client.get("/admin/audit?object_type=user").get_data(as_text=True)
    assert "survey:audited" not in by_type
    nobody = client.get("/admin/audit?user=nobody").get_data(as_text=True)
    assert "No event matches" in nobody
    future = client.get("/admin/audit?since=2999-01-01").get_data(as_text=True)
    assert "No event matches" in future
    today = client.get("/admin/audit?until=2999-01-01&since=junk")
    assert today.status_code == 200 and "survey:audited" in today.get_data(as_text=True)
    ends = client.get("/admin/audit?since=0001-01-01&until=9999-12-31")
    assert ends.status_code == 200 and "survey:audited" in ends.get_data(as_text=True)
