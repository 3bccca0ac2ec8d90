"""A large export as a job in a real browser: the bar moves to its end and the
file is offered, without reloading the page."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from survey import jobs
from survey.extensions import db
from survey.models import ExportJob
from survey.services.demo import DEMO_SLUG
from tests.e2e.conftest import city_user

pytestmark = pytest.mark.browser

EMAIL = "export-admin@demo.gov.vn"
PASSWORD = "a-long-password-for-the-exports"


def test_the_progress_bar_follows_the_worker_and_offers_the_file(
    live_server, browser, tmp_path
):
    city_user(live_server, EMAIL, PASSWORD, "admin")
    live_server.app.config["EXPORT_DIR"] = str(tmp_path)
    base = live_server.url
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    try:
        page.goto(f"{base}/login?lang=en")
        page.fill("input[name=email]", EMAIL)
        page.fill("input[name=password]", PASSWORD)
        page.locator("form button[type=submit]").last.click()
        page.wait_for_url(f"{base}/admin/**")
        page.get_by_role("link", name="Results").first.click()
        page.locator(f"a[href='/results/{DEMO_SLUG}']").first.click()
        page.get_by_role("button", name="Raw CSV in the background").click()
        page.wait_for_url(f"{base}/admin/exports/**")
        assert (
            "Waiting for the job worker" in page.locator("#export-state").inner_text()
        )
        assert page.locator("#export-download").is_hidden()
        with live_server.app.app_context():
            # The worker's turn: the export, and maybe a fold the results
            # page queued (more than 500 responses wait after other tests).
            queued = [t.name for t in jobs.huey.pending()]
            assert queued.count("run_export") == 1, queued
            assert set(queued) <= {"run_export", "fold_tallies"}, queued
            assert jobs.run_pending() == len(queued)
            job = db.session.scalar(select(ExportJob).order_by(ExportJob.id.desc()))
            total = job.total
        assert total > 0
        page.locator("#export-download").wait_for(state="visible")
        bar = page.locator("#export-progress")
        assert bar.get_attribute("max") is not None
        assert page.evaluate(
            "() => { const b = document.getElementById('export-progress');"
            " return b.value === b.max; }"
        )
        with page.expect_download() as download:
            page.get_by_role("link", name="Download the file").click()
        assert download.value.suggested_filename.endswith(".csv")
        assert errors == []  # the script ran under the CSP, without errors
    finally:
        context.close()
