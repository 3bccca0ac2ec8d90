"""Units: tree, add, edit, move, deactivate, CSV import, survey assignment."""

from io import BytesIO

from sqlalchemy import select

from survey.extensions import db
from survey.models import AuditEvent, Survey, Unit
from tests.admin.helpers import post
from tests.conftest import csrf_token


def unit(code: str) -> Unit | None:
    db.session.expire_all()
    return db.session.scalar(select(Unit).where(Unit.code == code))


def test_tree_add_edit_move_and_deactivate(client, as_admin):
    page = client.get("/admin/units").get_data(as_text=True)
    assert "S-NN-MT" in page and "B1" in page
    new = {"code": "W3", "parent_code": "CITY", "name_vi": "Phường 3"}
    new |= {"name_en": "Ward 3", "kind": "ward"}
    assert post(client, "/admin/units/new", new).status_code == 302
    assert unit("W3").parent.code == "CITY" and unit("W3").path.endswith(
        f"/{unit('W3').id}/"
    )
    taken = post(client, "/admin/units/new", new)
    assert taken.status_code == 422 and "taken" in taken.get_data(as_text=True)
    orphan = post(client, "/admin/units/new", {**new, "code": "W4", "parent_code": "X"})
    assert "in your scope" in orphan.get_data(as_text=True)
    hostile = post(client, "/admin/units/new", {**new, "code": "<b>"})
    assert hostile.status_code == 422
    edit = {"name_vi": "Phường Ba", "name_en": "Ward Three", "kind": "commune"}
    assert post(client, "/admin/units/W3", edit).status_code == 302
    assert unit("W3").kind == "commune"
    post(client, "/admin/units/W3/move", {"parent_code": "S-NN-MT"})
    assert unit("W3").path.startswith(unit("S-NN-MT").path)
    post(client, "/admin/units/S-NN-MT/move", {"parent_code": "B1"})  # a cycle
    assert unit("S-NN-MT").parent.code == "CITY"
    post(client, "/admin/units/W3/active")
    assert unit("W3").active is False
    post(client, "/admin/units/CITY/active")  # own scope: refused
    assert unit("CITY").active is True
    actions = set(db.session.scalars(select(AuditEvent.action)))
    assert {"add_unit", "edit_unit", "move_unit", "deactivate_unit"} <= actions


def test_csv_import_reports_rejected_rows(client, as_admin):
    csv = (
        "code,parent_code,name_vi,name_en,kind\n"
        "D2,CITY,Sở Hai,Department Two,department\n"
        "D2-B,D2,Chi nhánh,Branch,branch\n"
        "W1,CITY,Trùng,Duplicate,ward\n"
        "X1,NOPE,Mồ côi,Orphan,ward\n"
        "X2,CITY,,No name,ward\n"
        "X3,CITY,Loại sai,Wrong kind,castle\n"
        "X4,CITY,Thiếu cột\n"
    )
    response = client.post(
        "/admin/units/import",
        data={
            "csrf_token": csrf_token(client, "/admin/units/import"),
            "file": (BytesIO(csv.encode()), "units.csv"),
        },
        content_type="multipart/form-data",
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert unit("D2") is not None and unit("D2-B").parent.code == "D2"
    for line in ['<td class="num">4</td>', '<td class="num">5</td>']:
        assert line in html
    assert "exists already" in html and "Unknown parent" in html
    assert "castle" in html and "Expected 5 columns" in html
    assert unit("X1") is None and unit("X3") is None


def test_csv_import_refuses_what_is_not_csv(client, as_admin):
    token = csrf_token(client, "/admin/units/import")
    for content in [b"\xff\xfe\x00garbage", b"name,other\nx,y\n", b""]:
        response = client.post(
            "/admin/units/import",
            data={"csrf_token": token, "file": (BytesIO(content), "u.csv")},
            content_type="multipart/form-data",
        )
        assert response.status_code in (200, 422)
        assert "units added" not in response.get_data(as_text=True) or (
            "0 units added" in response.get_data(as_text=True)
        )


def test_assign_a_survey_to_a_unit_and_a_subtree(client, as_admin):
    slug = as_admin.survey.slug
    post(
        client, f"/admin/surveys/{slug}/units", {"unit_code": "S-NN-MT", "subtree": "y"}
    )
    db.session.expire_all()
    codes = {u.code for u in db.session.get(Survey, as_admin.survey.id).units}
    assert codes == {"W1", "W2", "S-NN-MT", "B1"}
    post(client, f"/admin/surveys/{slug}/units/B1/remove")
    db.session.expire_all()
    codes = {u.code for u in db.session.get(Survey, as_admin.survey.id).units}
    assert "B1" not in codes
    # An unknown code is a message and the unit search, not a bare 404.
    response = post(client, f"/admin/surveys/{slug}/units", {"unit_code": "NOPE"})
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/surveys/{slug}/units/pick?q=NOPE")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "No unit of yours has the code or name NOPE" in page
