"""The MLflow UI (`mlfcore[ui]`) on a store mlf wrote: a real server, a real browser (Debian's chromium through
Playwright, tests/entrypoint/browser.py), every request outside the server blocked and counted.

MLflow's UI is a JavaScript app: the run page is rendered in the browser from the REST API, so the test waits for
what it looks for to appear (Playwright polls the page) instead of reading the DOM after a fixed time. The run
page must show the fingerprint tag; the run's Artifacts tab must open the report `mlf verify` attached, which
MLflow shows in a frame of its own. Screenshots stay in the test's tmp folder; their paths are printed.
"""

from __future__ import annotations

import json
import urllib.request

import pytest

from ..browser import launch, opened
from ..conftest import mlf
from ..mlflow_server import serving
from ..train.projects import environment, make_project

pytestmark = pytest.mark.heavy  # an MLflow server (~20-60 s to start on 2 busy cores), two verify runs, a browser
SHOWN_S = 120  # how long the UI may take to render a run page here (measured: 18 s at load 10)


def test_the_ui_shows_the_fingerprint_and_opens_the_report(tmp_path):
    from playwright.sync_api import sync_playwright

    project = make_project(tmp_path / "tiny")
    verified = mlf("verify", str(project), "--json", env=environment())
    assert verified.returncode == 0, verified.stderr[-3000:]
    run = json.loads(verified.stdout)["runs"][0]
    with serving(f"sqlite:///{project / 'mlflow.db'}", project, tmp_path / "server.log", environment()) as url, \
            sync_playwright() as playwright:
        with urllib.request.urlopen(f"{url}/api/2.0/mlflow/runs/get?run_id={run['run_id']}") as answer:
            experiment = json.load(answer)["run"]["info"]["experiment_id"]
        browser = launch(playwright)
        run_page = f"{url}/#/experiments/{experiment}/runs/{run['run_id']}"
        with opened(browser, run_page, allow=(f"{url}/",)) as loaded:
            loaded.page.get_by_text("mlf.fingerprint").first.wait_for(timeout=SHOWN_S * 1000)
            loaded.page.get_by_text(run["fingerprint"]).first.wait_for(timeout=SHOWN_S * 1000)
            loaded.page.screenshot(path=tmp_path / "run-page.png", full_page=True)
            assert loaded.blocked == [], loaded.blocked  # the UI fetches nothing from outside the server
        with opened(browser, f"{run_page}/artifacts/report/ro-crate-preview.html", allow=(f"{url}/",)) as loaded:
            report = loaded.page.frame_locator("iframe").first
            report.get_by_role("heading", name="Reproducibility report").wait_for(timeout=SHOWN_S * 1000)
            assert report.locator("#verdict").inner_text().count("reproduced bit for bit") == 2
            loaded.page.screenshot(path=tmp_path / "report-artifact.png", full_page=True)
            assert loaded.blocked == [], loaded.blocked
        browser.close()
    print(f"screenshots: {tmp_path / 'run-page.png'}, {tmp_path / 'report-artifact.png'}")
