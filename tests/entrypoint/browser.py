"""A real browser for the tests: Debian's chromium driven by Playwright (the `playwright` package from PyPI, whose
own browser download is never used), with every request the page makes seen, allowed or blocked, and counted.

`opened(browser, url, allow=...)` loads a page and yields a Loaded: the page, the requests it made outside `allow`
(all blocked), its console errors and uncaught exceptions, and two checks: `axe()` (axe-core from npm, pinned in
tools/axe) and `pdf()` (Chromium's own print to PDF, A4).
"""

from __future__ import annotations

import re
import shutil
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / "tools" / "axe" / "node_modules" / "axe-core" / "axe.min.js"
# Debian's package installs `chromium`; Ubuntu's images (GitHub's runners) name it `chromium-browser` too.
BROWSERS = ("chromium", "chromium-browser")
# Chromium's own traffic (component updates, safe browsing lists, sync, QUIC probes) would wait on a network this
# machine does not have; these switches turn it off (chromium --help; peter.sh/experiments/chromium-command-line-
# switches lists them). --no-sandbox: CI runs as root, where Chromium refuses its sandbox.
ARGS = ("--no-sandbox", "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--no-first-run", "--disable-quic", "--disable-gpu")
SERIOUS = ("serious", "critical")  # axe-core's impact levels that fail a test


def launch(playwright):
    """The system's chromium, headless: a missing browser is an error naming the package (never a skip)."""
    found = next(filter(None, map(shutil.which, BROWSERS)), None)
    assert found, "chromium is needed: apt-get install chromium (Debian's package; .ci/run installs it)"
    return playwright.chromium.launch(executable_path=found, args=list(ARGS))


@dataclass
class Loaded:
    page: object
    blocked: list[str] = field(default_factory=list)  # requests outside `allow`: refused, counted
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)

    def axe(self) -> list[dict]:
        """axe-core's violations on the page (every rule axe runs by default: WCAG 2.x A/AA and best practices)."""
        assert AXE.is_file(), f"axe-core is not installed ({AXE}): run `make axe`"
        # Evaluated through the DevTools protocol, which the page's Content-Security-Policy does not govern: the
        # page itself may run no script, and must not need to for this check.
        self.page.evaluate(AXE.read_text(encoding="utf-8"))
        result = self.page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
        return result["violations"]

    def serious(self) -> list[str]:
        return [f"{v['id']} ({v['impact']}): {v['help']} — {len(v['nodes'])} element(s)" for v in self.axe()
                if v.get("impact") in SERIOUS]

    def pdf(self) -> bytes:
        return self.page.pdf(format="A4", print_background=True, prefer_css_page_size=True)


def pages(pdf: bytes) -> int:
    """The page objects of a PDF Chromium wrote (PDF 1.4: one `/Type /Page` dictionary per page)."""
    return len(re.findall(rb"/Type\s*/Page\b", pdf))


@contextmanager
def opened(browser, url: str, allow: tuple[str, ...] = ()):
    """Load `url` in a fresh context; every request but the page itself and those starting with `allow` is
    blocked and counted in `blocked` (also those the page's own policy refused before they reached the route)."""
    context = browser.new_context(viewport={"width": 1280, "height": 1600})
    loaded = Loaded(page=None)

    def allowed(request_url: str) -> bool:
        return request_url == url or (bool(allow) and request_url.startswith(allow))

    def route(route_):
        if allowed(route_.request.url):
            route_.continue_()
        else:
            route_.abort()

    try:
        context.route("**/*", route)
        page = context.new_page()
        loaded.page = page
        page.on("request", lambda request: None if allowed(request.url) else loaded.blocked.append(request.url))
        page.on("console", lambda message: loaded.console_errors.append(message.text)
                if message.type == "error" else None)
        page.on("pageerror", lambda error: loaded.page_errors.append(str(error)))
        page.goto(url, wait_until="load")
        yield loaded
    finally:
        context.close()
