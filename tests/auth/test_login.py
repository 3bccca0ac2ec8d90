"""Logging in and out: hashed passwords, one message for every failure, limits."""

from sqlalchemy import select

from survey import create_app
from survey.extensions import db
from survey.models import AuditEvent
from tests.conftest import csrf_token


def post_login(client, email, password):
    token = csrf_token(client, "/login")
    return client.post(
        "/login", data={"email": email, "password": password, "csrf_token": token}
    )


def test_an_admin_logs_in_lands_on_the_admin_side_and_logs_out(
    client, make_unit, make_user
):
    user = make_user("ana@city.vn", "admin", make_unit("HCM", kind="city"))
    assert user.password_hash.startswith("scrypt:")
    response = post_login(client, "ANA@city.vn ", "a-long-password")
    assert response.status_code == 302 and response.headers["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200
    logout_token = csrf_token(client, "/admin/")
    assert client.post("/logout", data={"csrf_token": logout_token}).status_code == 302
    assert client.get("/admin/").status_code == 302  # back to the login page
    actions = db.session.scalars(select(AuditEvent.action)).all()
    assert actions == ["login", "logout"]


def test_a_leader_lands_on_results_and_cannot_open_admin_pages(
    client, make_unit, make_user, login
):
    make_user("le@city.vn", "leader", make_unit("HCM", kind="city"))
    login("le@city.vn")
    assert client.get("/results/").status_code == 200
    assert client.get("/admin/").status_code == 403


def test_wrong_user_and_wrong_password_get_the_same_message(
    client, make_unit, make_user
):
    make_user("ana@city.vn", "admin", make_unit("HCM", kind="city"))
    wrong_password = post_login(client, "ana@city.vn", "nope-nope-nope").get_data(
        as_text=True
    )
    unknown_user = post_login(client, "who@city.vn", "nope-nope-nope").get_data(
        as_text=True
    )
    assert "Sai thư điện tử hoặc mật khẩu." in wrong_password
    assert "Sai thư điện tử hoặc mật khẩu." in unknown_user


def test_a_disabled_user_cannot_log_in_and_is_logged_out(
    client, make_unit, make_user, login
):
    user = make_user("ana@city.vn", "admin", make_unit("HCM", kind="city"))
    login("ana@city.vn")
    user.active = False
    db.session.commit()
    assert client.get("/admin/").status_code == 302
    assert post_login(client, "ana@city.vn", "a-long-password").status_code == 200


def test_logout_ends_the_session_on_the_server(client, make_unit, make_user, login):
    make_user("ana@city.vn", "admin", make_unit("HCM", kind="city"))
    login("ana@city.vn")
    stolen = client.get_cookie("session").value
    client.post("/logout", data={"csrf_token": csrf_token(client, "/admin/")})
    client.set_cookie("session", stolen, domain="localhost")
    assert client.get("/admin/").status_code == 302  # the old cookie is worthless


def test_the_session_is_renewed_at_login(client, make_unit, make_user):
    make_user("ana@city.vn", "admin", make_unit("HCM", kind="city"))
    client.get("/login?lang=en")
    before = client.get_cookie("session").value
    post_login(client, "ana@city.vn", "a-long-password")
    assert client.get_cookie("session").value != before


def test_an_open_redirect_after_login_is_refused(client, make_unit, make_user):
    make_user("ana@city.vn", "admin", make_unit("HCM", kind="city"))
    token = csrf_token(client, "/login")
    response = client.post(
        "/login?next=https://evil.example/",
        data={
            "email": "ana@city.vn",
            "password": "a-long-password",
            "csrf_token": token,
        },
    )
    assert response.headers["Location"] == "/admin/"


def test_failed_logins_are_limited_per_account(app, make_unit, make_user):
    make_user("ana@city.vn", "admin", make_unit("HCM", kind="city"))
    limited = create_app(
        {**app.config, "RATELIMIT_ENABLED": True, "SURVEY_LOGIN_LIMIT": "100/minute"}
    )
    limited.test_client_class = type(app.test_client())
    client = limited.test_client()
    codes = [
        post_login(client, "ana@city.vn", "wrong-password").status_code
        for _ in range(6)
    ]
    assert codes == [200] * 5 + [429]
    # Even the right password waits now: the account is locked for a while.
    assert post_login(client, "ana@city.vn", "a-long-password").status_code == 429
    # Another account from the same client is not affected.
    assert post_login(client, "bob@city.vn", "wrong-password").status_code == 200
    with limited.app_context():
        db.engine.dispose()


def test_the_chosen_language_survives_login(client, make_unit, make_user):
    make_user("ana@city.vn", "admin", make_unit("HCM", kind="city"))
    client.get("/login?lang=en")
    post_login(client, "ana@city.vn", "a-long-password")
    assert '<html lang="en">' in client.get("/admin/").get_data(as_text=True)
