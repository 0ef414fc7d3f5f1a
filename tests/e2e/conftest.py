"""End-to-end fixtures: one headless Chromium for the session (the Debian `chromium` package,
never a browser downloaded by Playwright), a live server on a transactional test database
loaded with `seed_demo`, and `Journey`, which signs a persona in and checks every page it visits.

Chromium, the Playwright package and axe-core (`npm ci` puts it in node_modules/) are found by
`e2e_missing()`; tests/conftest.py skips the `e2e` tests with the reason when one is missing, or
stops the run in CI (CI=true or REQUIRE_SERVICES=1)."""

import io
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.core.management import call_command

ROOT = Path(__file__).resolve().parent.parent.parent
CHROMIUM = Path("/usr/bin/chromium")
AXE_JS = ROOT / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOTS = ROOT / "var" / "screenshots"
DEMO_PASSWORD = "e2e-demo-password-2026"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
# WCAG 2.0, 2.1 and 2.2 at levels A and AA: what NHS services must meet.
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
TITLE_SUFFIX = " \N{EN DASH} LSESN Sarcoma Portal"


def e2e_missing() -> str:
    """Why the browser tests cannot run here, or "" when they can."""
    chromium = shutil.which("chromium") or (str(CHROMIUM) if CHROMIUM.exists() else None)
    if chromium is None:
        return "no Chromium: apt-get install chromium"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the playwright package is not installed (requirements-dev.txt)"
    if not AXE_JS.exists():
        return "axe-core is not installed: npm ci --no-audit --no-fund"
    return ""


@pytest.fixture(scope="module")
def browser(django_db_setup):
    """One headless Chromium for each test module. `launch` gives it a fresh, temporary profile,
    and every journey opens its own context (cookies and storage of its own).

    Playwright's sync API keeps an asyncio loop on this thread, which Django would take for an
    async context and refuse the tests' ORM calls: that loop drives only the browser, so Django's
    check is switched off while the browser is open. Module scope, so that neither the loop nor
    the switch outlives the browser tests (pytest-django runs other transactional tests after)."""
    from playwright.sync_api import sync_playwright

    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        playwright = sync_playwright().start()
        chromium = playwright.chromium.launch(
            executable_path=shutil.which("chromium") or str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield chromium
        finally:
            chromium.close()
            playwright.stop()


@pytest.fixture
def demo(live_server):
    """The live server's database with the demo data and accounts (office, clinician1,
    clinician2, sag, admin), all with DEMO_PASSWORD."""
    call_command("seed_demo", password=DEMO_PASSWORD, stdout=io.StringIO())
    return live_server


E2E_TIMEOUT_MS = 45_000
# The widths every page is checked at: a laptop, a phone, and the narrowest the NHS service
# manual asks a page to work at without scrolling sideways.
WIDE, PHONE, NARROWEST = 1366, 390, 320
RESIZE_SETTLE_MS = 400


def fill_date(scope, legend: str, day) -> None:
    """Type `day` into the NHS date input whose legend is `legend`, as a person would."""
    group = scope.get_by_role("group", name=legend, exact=True)
    group.get_by_label("Day").fill(str(day.day))
    group.get_by_label("Month").fill(str(day.month))
    group.get_by_label("Year").fill(str(day.year))


class Journey:
    """One user's visit in its own browser context. `check(title)` runs on every page the
    journey reaches: the title, one h1, axe-core's WCAG 2.2 AA rules with no serious or critical
    violation at 1366 and at 390 px, no sideways scrolling of the page at 390 and 320 px, a
    visible focus indicator on everything focusable, and screenshots at 1366 and 390 px."""

    def __init__(self, browser, base_url: str, name: str, *, javascript: bool = True) -> None:
        self.base_url = base_url
        self.name = name
        viewport = {"width": WIDE, "height": 900}
        self.context = browser.new_context(java_script_enabled=javascript, viewport=viewport)
        # A wait budget, not an assertion: on CI's two cores a page can take seconds to come back.
        self.context.set_default_timeout(E2E_TIMEOUT_MS)
        self.context.set_default_navigation_timeout(E2E_TIMEOUT_MS)
        self.page = self.context.new_page()
        # axe-core needs timers, which never fire with JavaScript off: a journey without it has
        # each page's HTML, as served to it, scanned in a second page that has JavaScript.
        self.mirror = None
        if not javascript:
            self.mirror_context = browser.new_context(viewport=viewport)
            self.mirror_context.set_default_timeout(E2E_TIMEOUT_MS)
            self.mirror = self.mirror_context.new_page()
        self.csp_violations: list[str] = []
        self.page.on("console", self._console)
        self.shots = SCREENSHOTS / name
        shutil.rmtree(self.shots, ignore_errors=True)
        self.shots.mkdir(parents=True)
        self.checked: list[str] = []

    def _console(self, message) -> None:
        if "Content Security Policy" in message.text:
            self.csp_violations.append(message.text)

    def goto(self, path: str):
        return self.page.goto(self.base_url + path)

    def sign_in(self, username: str, password: str = DEMO_PASSWORD) -> None:
        self.goto("/accounts/login/")
        self.check("Sign in")
        self.page.get_by_label("Username").fill(username)
        self.page.get_by_label("Password").fill(password)
        self.page.get_by_role("button", name="Sign in").click()

    def check(self, title: str) -> None:
        """Check the page now shown, which should be titled `title`, and screenshot it."""
        page = self.page
        page.wait_for_load_state()
        assert page.title() == title + TITLE_SUFFIX
        assert page.locator("h1").count() == 1, f"{page.url}: not exactly one h1"
        serious = scan_accessibility(self._scannable(page))
        assert not serious, f"{page.url}: axe-core found serious or critical violations: {serious}"
        focus = focus_not_visible(page)
        assert focus["checked"] > 0, f"{page.url}: nothing took keyboard focus"
        assert not focus["missing"], f"{page.url}: no visible focus indicator on {focus['missing']}"
        assert not self.csp_violations, f"{page.url}: {self.csp_violations}"
        self.checked.append(page.url)
        slug = re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")[:60]
        page.screenshot(path=self.shots / f"{len(self.checked):02d}-{slug}.png", full_page=True)
        self._check_narrow(slug)

    def _check_narrow(self, slug: str) -> None:
        """The same page on a phone (390 px: axe-core again, and a screenshot) and at 320 px:
        the page never scrolls sideways (a wide table scrolls inside its own region)."""
        page, scanned = self.page, self._scannable(self.page)
        for target in {page, scanned}:
            target.set_viewport_size({"width": PHONE, "height": 900})
        page.wait_for_timeout(RESIZE_SETTLE_MS)
        serious = scan_accessibility(scanned)
        assert not serious, f"{page.url} at {PHONE} px: axe-core found {serious}"
        page.screenshot(path=self.shots / f"{len(self.checked):02d}-{slug}-{PHONE}px.png", full_page=True)
        for width in (PHONE, NARROWEST):
            page.set_viewport_size({"width": width, "height": 900})
            # nhsuk-frontend's header fits its menu to the new width after a resize (debounced).
            page.wait_for_timeout(RESIZE_SETTLE_MS)
            overflow = page.evaluate("document.documentElement.scrollWidth") - width
            assert overflow <= 0, (
                f"{page.url}: the page scrolls sideways by {overflow} px at {width} px: {wider(page)}"
            )
        for target in {page, scanned}:
            target.set_viewport_size({"width": WIDE, "height": 900})

    def _scannable(self, page):
        """The page itself, or (JavaScript off) the mirror page showing the same HTML at the same
        address, with the same style sheets."""
        if self.mirror is None:
            return page
        html, url = page.content(), page.url

        def serve(route):
            route.fulfill(status=200, content_type="text/html; charset=utf-8", body=html)

        self.mirror.route(url, serve)
        self.mirror.goto(url)
        self.mirror.unroute(url, serve)
        return self.mirror

    def close(self) -> None:
        self.context.close()
        if self.mirror is not None:
            self.mirror_context.close()


def scan_accessibility(page) -> list[dict]:
    """axe-core's WCAG 2.2 A/AA rules on the page; the serious and critical violations.

    axe is evaluated through the DevTools protocol (`page.evaluate`), which neither the page's
    Content Security Policy (script-src 'self': `add_script_tag` would be an inline script and is
    refused) nor a context with JavaScript off applies to: the page itself is scanned as served,
    without bypassing its CSP."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(AXE_JS.read_text())
    violations = page.evaluate(
        """async (tags) => {
            const result = await axe.run(document, {runOnly: {type: 'tag', values: tags}});
            return result.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.map(n => n.target.join(' ') + ': ' + n.failureSummary).slice(0, 5),
            }));
        }""",
        AXE_TAGS,
    )
    return [v for v in violations if v["impact"] in {"serious", "critical"}]


def wider(page) -> list[str]:
    """The innermost elements that reach past the right edge of the window (what to fix)."""
    return page.evaluate(
        """() => [...document.querySelectorAll('body *')]
            .filter(el => el.getBoundingClientRect().right > window.innerWidth + 0.5
                && !(el.parentElement && el.parentElement.closest('.nhsuk-table-container'))
                && ![...el.children].some(c => c.getBoundingClientRect().right > window.innerWidth + 0.5))
            .slice(0, 5).map(el => el.outerHTML.slice(0, 120))"""
    )


def focus_not_visible(page) -> dict:
    """How many focusable elements were checked, and those that show no outline when focused
    from the keyboard (for NHS.UK radios and checkboxes: no focus ring on the label's box). One
    real Tab press puts the page in keyboard mode (the skip link gets focus); the rest are focused
    in turn."""
    page.keyboard.press("Tab")
    return page.evaluate(
        """() => {
            const selector = 'a[href], button, input:not([type=hidden]), select, textarea, summary';
            const missing = [];
            let checked = 0;
            for (const el of document.querySelectorAll(selector)) {
                if (el.disabled || el.closest('details:not([open])') && el.tagName !== 'SUMMARY') continue;
                el.focus();
                if (document.activeElement !== el || !el.matches(':focus-visible')) continue;
                checked += 1;
                // NHS.UK frontend hides a radio's or checkbox's own input and draws its focus
                // ring on the label's box (label::before): check that ring instead.
                const label = el.matches('.nhsuk-radios__input, .nhsuk-checkboxes__input')
                    && el.parentElement.querySelector('label');
                if (label) {
                    const ring = getComputedStyle(label, '::before').boxShadow;
                    if (!ring || ring === 'none') missing.push(el.outerHTML.slice(0, 80));
                    continue;
                }
                const style = getComputedStyle(el);
                if (style.outlineStyle === 'none' || parseFloat(style.outlineWidth) < 2) {
                    missing.push(el.outerHTML.slice(0, 80));
                }
            }
            document.activeElement && document.activeElement.blur();
            return {checked: checked, missing: missing.slice(0, 10)};
        }"""
    )


@pytest.fixture
def journey(browser, demo) -> Iterator:
    """Open journeys by name: journey("office"), journey("public", javascript=False)."""
    opened: list[Journey] = []

    def open_journey(name: str, *, javascript: bool = True) -> Journey:
        opened.append(Journey(browser, demo.url, name, javascript=javascript))
        return opened[-1]

    yield open_journey
    for one in opened:
        one.close()
