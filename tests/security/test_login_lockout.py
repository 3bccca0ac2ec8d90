"""Five wrong passwords from one client do not lock the owner out elsewhere."""

from survey import create_app
from survey.extensions import db
from tests.conftest import csrf_token


def post_login(client, password):
    token = csrf_token(client, "/login")
    return client.post(
        "/login",
        data={"email": "ana@city.vn", "password": password, "csrf_token": token},
    )


def test_an_attacker_locks_out_only_their_own_address(app, make_unit, make_user):
    make_user("ana@city.vn", "admin", make_unit("HCM", kind="city"))
    limited = create_app(
        {**app.config, "RATELIMIT_ENABLED": True, "SURVEY_LOGIN_LIMIT": "100/minute"}
    )
    limited.test_client_class = type(app.test_client())
    attacker = limited.test_client()
    attacker.environ_base["REMOTE_ADDR"] = "203.0.113.9"
    codes = [post_login(attacker, "wrong-password").status_code for _ in range(7)]
    assert codes == [200] * 5 + [429] * 2
    assert post_login(attacker, "a-long-password").status_code == 429
    owner = limited.test_client()
    owner.environ_base["REMOTE_ADDR"] = "198.51.100.4"
    assert post_login(owner, "a-long-password").status_code == 302
    with limited.app_context():
        db.engine.dispose()


def test_an_unusable_limits_storage_limits_in_memory_instead_of_failing(
    app, make_unit, make_user, tmp_path
):
    make_user("ana@city.vn", "admin", make_unit("HCM", kind="city"))
    blocked = tmp_path / "file-not-folder"
    blocked.write_text("")
    broken = create_app(
        {
            **app.config,
            "RATELIMIT_ENABLED": True,
            "RATELIMIT_STORAGE_URI": f"survey+sqlite:///{blocked}/limits.sqlite3",
            "SURVEY_LOGIN_LIMIT": "100/minute",
        }
    )
    broken.test_client_class = type(app.test_client())
    client = broken.test_client()
    codes = [post_login(client, "wrong-password").status_code for _ in range(7)]
    assert 500 not in codes
    assert codes[-1] == 429  # still limited, in the worker's memory
    with broken.app_context():
        db.engine.dispose()
