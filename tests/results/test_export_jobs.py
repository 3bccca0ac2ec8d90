"""A large raw export as a job: started from the overview, made by the worker,
its progress on a page, the file to download when done."""

from __future__ import annotations

import csv
import io
import re

import pytest
from sqlalchemy import select

from survey import jobs
from survey.extensions import db
from survey.models import AuditEvent, ExportJob
from survey.services.reporting import export_jobs
from tests.admin.helpers import switch_user
from tests.results import test_raw_export

small = test_raw_export.small  # the fixture: a city, the small survey, answers


@pytest.fixture
def exports_here(app, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config, "EXPORT_DIR", str(tmp_path))
    return tmp_path


def start_from_the_overview(client) -> str:
    html = client.get("/results/test?lang=en").get_data(as_text=True)
    form = re.search(
        r'<form method="post" action="([^"]+)"[^>]*id="export-job-form">(.*?)</form>',
        html,
    )
    assert form, "no background export on the overview"
    fields = dict(re.findall(r'name="([^"]+)" value="([^"]*)"', form.group(2)))
    done = client.post(form.group(1), data=fields)
    assert done.status_code == 302
    return done.headers["Location"]


def test_the_export_runs_as_a_job_with_its_progress(
    client,
    small,
    make_user,
    login,
    exports_here,
):
    survey, city, w1, w2, answer = small
    for _ in range(3):
        answer(w1, SAT=4, LATE="no")
    make_user("admin@city.vn", "admin", city)
    login("admin@city.vn")
    page_url = start_from_the_overview(client)
    job = db.session.scalar(select(ExportJob))
    assert job.state == "queued" and job.total == 3
    page = client.get(page_url + "?lang=en").get_data(as_text=True)
    assert '<progress id="export-progress" max="3" value="0"' in page
    assert "Waiting for the job worker" in page
    status_url = f"/admin/exports/{job.id}/status"
    # Before the worker: the download link waits on the same page.
    early = client.get(f"/admin/exports/{job.id}/download")
    assert early.status_code == 200 and b"export-progress" in early.data
    # While it runs, the bar reads the worker's count.
    job.state = "running"
    db.session.commit()
    jobs.huey.put(export_jobs.PROGRESS_KEY.format(job.id), 2)
    assert client.get(status_url).get_json()["done"] == 2
    jobs.huey.delete(export_jobs.PROGRESS_KEY.format(job.id))
    job.state = "queued"
    db.session.commit()

    assert jobs.run_pending() == 1
    status = client.get(status_url).get_json()
    assert (status["state"], status["done"], status["total"]) == ("done", 3, 3)
    download = client.get(status["download"])
    assert download.status_code == 200
    assert "attachment" in download.headers["Content-Disposition"]
    body = download.get_data(as_text=True)
    download.close()
    rows = list(csv.reader(io.StringIO(body.lstrip("\ufeff"))))
    assert len(rows) == 1 + 3
    audit = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "export_raw")
    ).all()
    assert [e.details["job"] for e in audit] == [job.id]


def test_only_the_one_who_asked_gets_the_file(
    client,
    small,
    make_user,
    login,
    exports_here,
):
    survey, city, w1, w2, answer = small
    answer(w1, SAT=5, LATE="no")
    make_user("admin@city.vn", "admin", city)
    make_user("other@city.vn", "admin", city)
    make_user("leader@city.vn", "leader", city)
    login("admin@city.vn")
    start_from_the_overview(client)
    job = db.session.scalar(select(ExportJob))
    jobs.run_pending()
    switch_user(client, login, "other@city.vn")
    assert client.get(f"/admin/exports/{job.id}/download").status_code == 403
    switch_user(client, login, "leader@city.vn")
    assert client.get(f"/admin/exports/{job.id}").status_code == 403
    html = client.get("/results/test").get_data(as_text=True)
    assert "export-job-form" not in html  # leaders see no raw export at all
