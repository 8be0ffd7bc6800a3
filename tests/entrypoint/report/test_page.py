"""The report's page in a real browser (Debian's chromium through Playwright): it loads nothing from anywhere, logs
no error, shows every section, draws one line per distinct run, has no serious accessibility problem (axe-core)
and prints to A4 within the page budget. The last test proves each of those checks can fail."""

from __future__ import annotations

import pytest

from ..browser import opened, pages

PAGE = "ro-crate-preview.html"


def _sections(run_ids: list[str], several: bool) -> list[str]:
    ids = ["verdict", *(["comparison"] if several else []), "metrics"]
    for run_id in run_ids:
        ids += [f"evidence-{run_id}", f"reproduce-{run_id}"]
    return ids + ["files"]


def _check(browser, written, run_ids: list[str], several: bool, lines: int) -> bytes:
    with opened(browser, (written.folder / PAGE).as_uri()) as loaded:
        page = loaded.page
        assert loaded.blocked == [], loaded.blocked
        assert loaded.console_errors == [] and loaded.page_errors == [], loaded.console_errors + loaded.page_errors
        found = page.eval_on_selector_all("main > section", "all => all.map(s => s.id)")
        assert found == _sections(run_ids, several)
        for section in found:
            assert page.locator(f"#{section}").is_visible(), section
        assert page.locator("svg.plot polyline.series").count() == lines
        assert loaded.serious() == []
        return loaded.pdf()


def test_one_runs_page(browser, single, recorded):
    pdf = _check(browser, single, [recorded.verified[0]], several=False, lines=1)
    assert pdf.startswith(b"%PDF-") and 1 <= pages(pdf) <= 10, pages(pdf)
    print(f"one run's report: {len(pdf)} bytes of PDF, {pages(pdf)} A4 pages")


def test_several_runs_page(browser, several, recorded):
    runs = [*recorded.verified, recorded.other_seed]
    pdf = _check(browser, several, runs, several=True, lines=2)
    with opened(browser, (several.folder / PAGE).as_uri()) as loaded:
        legend = loaded.page.locator("#metrics .legend").inner_text()
    assert f"runs {recorded.verified[0][:8]}, {recorded.verified[1][:8]} (identical: 2 runs, one line)" in legend
    assert pdf.startswith(b"%PDF-") and pages(pdf) >= 1
    print(f"three runs' report: {len(pdf)} bytes of PDF, {pages(pdf)} A4 pages")


BAD = {
    "a request": '<img src="http://127.0.0.1:9/logo.png" alt="logo">',
    "a console error": '<script>console.error("broken")</script>',
    "an accessibility violation": '<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=">',
}


@pytest.mark.parametrize("fault", BAD)
def test_each_check_can_fail(browser, tmp_path, fault):
    page = tmp_path / "bad.html"
    page.write_text(f'<!doctype html><html lang="en"><head><title>t</title></head><body><main><h1>t</h1>'
                    f'{BAD[fault]}</main></body></html>')
    with opened(browser, page.as_uri()) as loaded:
        found = {"a request": loaded.blocked, "a console error": loaded.console_errors,
                 "an accessibility violation": loaded.serious()}
    assert found[fault], f"the harness missed {fault}"
