"""Cases, API clients and a person's contact data through the admin pages."""

from __future__ import annotations

import csv
import io

from sqlalchemy import func, select

from survey.extensions import db
from survey.models import ApiClient, AuditEvent, CaseContact, ServiceCase
from survey.services.fieldwork.cases import api_client_for_token, import_cases
from tests.admin.helpers import post
from tests.trust.conftest import COLUMNS, case_row


def csv_file(rows: list[dict]) -> io.BytesIO:
    text = io.StringIO()
    writer = csv.DictWriter(text, fieldnames=COLUMNS)
    writer.writeheader()
    writer.writerows(rows)
    return io.BytesIO(text.getvalue().encode("utf-8"))


def upload(client, rows: list[dict] | bytes, all_or_nothing: bool = False):
    data = {
        "file": (
            csv_file(rows) if isinstance(rows, list) else io.BytesIO(rows),
            "cases.csv",
        )
    }
    if all_or_nothing:
        data["all_or_nothing"] = "y"
    return post(client, "/admin/cases/import", data, content_type="multipart/form-data")


def stored_cases() -> int:
    return db.session.scalar(select(func.count(ServiceCase.id)))


ROWS = [
    case_row("A-1", "W1"),
    case_row("A-2", "W2", outcome="maybe"),
    case_row("A-3", "W2"),
]


def test_an_upload_reports_a_bad_row_by_line_and_keeps_the_good_ones(client, as_admin):
    response = upload(client, ROWS)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "2 cases added" in html and "1 row rejected" in html
    assert '<td class="num">3</td>' in html and "outcome" in html
    assert stored_cases() == 2
    event = db.session.scalar(
        select(AuditEvent).where(AuditEvent.object_type == "service_cases")
    )
    assert event.user.email == "admin@city.gov.vn"
    assert event.details["added"] == 2 and event.details["rejected"] == 1


def test_all_or_nothing_imports_nothing_when_a_row_is_bad(client, as_admin):
    response = upload(client, ROWS, all_or_nothing=True)
    assert response.status_code == 422
    assert "nothing was imported" in response.get_data(as_text=True)
    assert stored_cases() == 0
    good = upload(client, [ROWS[0], ROWS[2]], all_or_nothing=True)
    assert good.status_code == 200 and stored_cases() == 2


def test_importing_the_same_file_again_adds_nothing_twice(client, as_admin):
    rows = [case_row(f"R-{i}", "W1") for i in range(3)]
    assert upload(client, rows).status_code == 200
    again = upload(client, rows)
    html = again.get_data(as_text=True)
    assert again.status_code == 200
    assert "0 cases added" in html and "3 already imported, skipped" in html
    assert stored_cases() == 3
    listing = client.get("/admin/cases").get_data(as_text=True)
    assert "W1 · W1 Ward" in listing and '<td class="num">3</td>' in listing


def test_a_ward_administrator_imports_only_the_wards_cases(
    client, world, make_user, login
):
    make_user("w1-admin@city.gov.vn", "admin", world.w1)
    login("w1-admin@city.gov.vn")
    response = upload(client, [case_row("S-1", "W1"), case_row("S-2", "W2")])
    assert response.status_code == 422
    assert "outside your scope" in response.get_data(as_text=True)
    assert db.session.scalars(select(ServiceCase.unit_id)).all() == [world.w1.id]


def test_unreadable_files_get_a_sentence_not_an_error(client, as_admin):
    latin = upload(client, b"reference;unit_code\nA;Caf\xe9\n")
    assert latin.status_code == 422
    assert "not UTF-8" in latin.get_data(as_text=True)
    columns = upload(client, b"reference,unit\nA,W1\n")
    assert columns.status_code == 422
    assert "lacks the column(s)" in columns.get_data(as_text=True)
    empty = post(client, "/admin/cases/import", {}, content_type="multipart/form-data")
    assert empty.status_code == 422
    assert stored_cases() == 0


def test_designers_and_leaders_cannot_import_cases(client, world, login):
    login("designer@city.gov.vn")
    assert client.get("/admin/cases/import").status_code == 403
    assert upload(client, [case_row("D-1", "B1")]).status_code == 403
    assert stored_cases() == 0


def test_an_api_token_is_shown_once_and_can_be_revoked(client, as_admin):
    created = post(client, "/admin/api-clients", {"name": "one-stop <b>"})
    html = created.get_data(as_text=True)
    assert created.status_code == 200
    assert created.headers["Cache-Control"] == "no-store"
    token = html.split('<code class="token">')[1].split("</code>")[0]
    assert api_client_for_token(token).name == "one-stop <b>"
    assert "one-stop &lt;b&gt;" in html and "one-stop <b>" not in html
    later = client.get("/admin/api-clients").get_data(as_text=True)
    assert token not in later
    twice = post(client, "/admin/api-clients", {"name": "one-stop <b>"})
    assert twice.status_code == 422
    client_id = db.session.scalar(select(ApiClient.id))
    revoked = post(client, f"/admin/api-clients/{client_id}/revoke")
    assert revoked.status_code == 302
    db.session.expire_all()
    assert api_client_for_token(token) is None
    actions = db.session.scalars(
        select(AuditEvent.action).where(AuditEvent.object_type == "api_client")
    ).all()
    assert sorted(actions) == ["create", "revoke"]


def test_only_an_administrator_of_the_whole_city_manages_api_clients(
    client, world, make_user, login
):
    make_user("w1-admin@city.gov.vn", "admin", world.w1)
    login("w1-admin@city.gov.vn")
    assert client.get("/admin/api-clients").status_code == 403
    assert post(client, "/admin/api-clients", {"name": "x"}).status_code == 403


def test_a_persons_contact_data_is_exported_and_erased_in_scope(
    client, world, make_user, login
):
    report = import_cases(
        [
            case_row("P-1", "W1", phone="0901234567"),
            case_row("P-2", "W2", phone="+84 90 123 4567"),
        ]
    )
    assert report.ok
    db.session.commit()
    make_user("w1-admin@city.gov.vn", "admin", world.w1)
    login("w1-admin@city.gov.vn")
    shown = post(client, "/admin/contact-data", {"phone": "090 123 4567"})
    html = shown.get_data(as_text=True)
    assert shown.status_code == 200 and shown.headers["Cache-Control"] == "no-store"
    assert "0901234567" in html and "<td>W1</td>" in html and "<td>W2</td>" not in html
    download = post(
        client, "/admin/contact-data", {"phone": "0901234567", "action": "download"}
    )
    assert download.mimetype == "application/json"
    assert download.get_json()[0]["unit"] == "W1"

    unconfirmed = post(
        client, "/admin/contact-data", {"phone": "0901234567", "action": "erase"}
    )
    assert unconfirmed.status_code == 422
    assert (
        db.session.scalar(
            select(func.count(CaseContact.id)).where(CaseContact.phone.is_not(None))
        )
        == 2
    )
    erased = post(
        client,
        "/admin/contact-data",
        {"phone": "0901234567", "action": "erase", "confirm_erase": "y"},
    )
    assert erased.status_code == 302
    db.session.expire_all()
    kept = db.session.scalars(select(CaseContact.phone)).all()
    assert sorted(kept, key=str) == ["0901234567", None]  # W2's case is not theirs
    events = db.session.scalars(
        select(AuditEvent).where(AuditEvent.object_type == "person_contact_data")
    ).all()
    assert [e.action for e in events] == ["export", "export", "erase"]
    assert all("0901234567" not in str(e.details) for e in events)


def test_a_bad_phone_number_is_a_message(client, as_admin):
    for phone in ("12", "<script>", "0" * 40):
        response = post(client, "/admin/contact-data", {"phone": phone})
        assert response.status_code == 422
        assert "10-digit Vietnamese number" in response.get_data(as_text=True)
