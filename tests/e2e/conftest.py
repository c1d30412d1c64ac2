"""Real-browser journeys: headless Chromium (Debian `chromium` + `chromium-driver`) driven by
Selenium against pytest-django's `live_server`.

Nothing is downloaded: Selenium Manager is switched off (SE_OFFLINE) and the driver path is
given explicitly. Without Chromium the journeys FAIL with the line to run, unless
KMV_SKIP_E2E=1 is set on purpose.

Helpers on the `browser` fixture:
- `open(path)` / `login(username)` / `login_keyboard(username)`: navigate as a person would;
- `page(step, screenshot=True)`: call after every page load — runs axe-core (0 serious or
  critical violations), checks the browser console for CSP violations and saves
  `artifacts/screenshots/<journey>/<step>.png`;
- `tab_to(element, backwards=False)` / `keys(...)`: keyboard-only input (no clicks);
- `cookies()`: the session cookies, to fetch a download with `requests`.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import tempfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO / "artifacts"
AXE_JS = REPO / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM = os.environ.get("KMV_CHROMIUM", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("KMV_CHROMEDRIVER", "/usr/bin/chromedriver")
PASSWORD = "correct horse battery"  # tests/factories.UserFactory
WAIT_SECONDS = 10
FAILING_IMPACTS = {"serious", "critical"}

os.environ.setdefault("SE_OFFLINE", "true")  # Selenium Manager must never download a browser


def _prerequisites() -> None:
    if os.environ.get("KMV_SKIP_E2E") == "1":
        pytest.skip("KMV_SKIP_E2E=1: browser journeys skipped on request")
    missing = [p for p in (CHROMIUM, CHROMEDRIVER) if not (Path(p).is_file() or shutil.which(p))]
    if missing:
        pytest.fail(
            f"e2e: {', '.join(missing)} not found - install with "
            "`sudo apt-get install -y chromium chromium-driver` (or set KMV_SKIP_E2E=1)",
            pytrace=False,
        )
    if not AXE_JS.is_file():
        pytest.fail(f"e2e: {AXE_JS} missing - run `make npm`", pytrace=False)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.when == "call":
        item.kmv_failed = report.failed
    return report


class AxeViolations(AssertionError):
    pass


def format_violations(url: str, violations: list[dict]) -> str:
    lines = [f"axe-core: {len(violations)} serious/critical violation(s) on {url}"]
    for v in violations:
        lines.append(f"- [{v['impact']}] {v['id']}: {v['help']} ({v.get('helpUrl', '')})")
        for node in v.get("nodes", [])[:5]:
            target = " ".join(str(t) for t in node.get("target", []))
            lines.append(f"    at {target}: {node.get('html', '')[:160]}")
            summary = (node.get("failureSummary") or "").replace("\n", " ")
            if summary:
                lines.append(f"      {summary[:300]}")
    return "\n".join(lines)


class Browser:
    def __init__(self, driver, base_url: str):
        from selenium.webdriver.support.ui import WebDriverWait

        self.driver = driver
        self.base_url = base_url
        self.wait = WebDriverWait(driver, WAIT_SECONDS)
        self.journey = "unnamed"
        self.visited: list[dict] = []  # one row per page checked: url, step, axe summary
        self._axe_source = AXE_JS.read_text(encoding="utf-8")

    # --- journeys and artefacts ----------------------------------------------------------
    def start(self, journey: str) -> None:
        self.journey = journey
        folder = ARTIFACTS / "screenshots" / journey
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True, exist_ok=True)

    def screenshot(self, step: str) -> Path:
        path = ARTIFACTS / "screenshots" / self.journey / f"{step}.png"
        path.parent.mkdir(parents=True, exist_ok=True)
        # Full page: the content size, not just the viewport.
        metrics = self.driver.execute_cdp_cmd("Page.getLayoutMetrics", {})
        size = metrics.get("cssContentSize") or metrics["contentSize"]
        shot = self.driver.execute_cdp_cmd(
            "Page.captureScreenshot",
            {
                "format": "png",
                "captureBeyondViewport": True,
                "clip": {
                    "x": 0,
                    "y": 0,
                    "width": size["width"],
                    "height": min(size["height"], 8000),
                    "scale": 1,
                },
            },
        )
        import base64

        path.write_bytes(base64.b64decode(shot["data"]))
        return path

    def write_axe_report(self) -> None:
        for journey in {row["journey"] for row in self.visited}:
            rows = [row for row in self.visited if row["journey"] == journey]
            out = ARTIFACTS / "axe" / f"{journey}.json"
            out.parent.mkdir(parents=True, exist_ok=True)
            out.write_text(json.dumps(rows, indent=2, ensure_ascii=False), encoding="utf-8")

    # --- navigation ----------------------------------------------------------------------
    def url(self, path: str) -> str:
        return self.base_url + path

    @property
    def path(self) -> str:
        return self.driver.current_url.removeprefix(self.base_url)

    def open(self, path: str) -> None:
        self.driver.get(self.url(path))

    def find(self, css: str):
        from selenium.webdriver.common.by import By

        return self.driver.find_element(By.CSS_SELECTOR, css)

    def find_all(self, css: str):
        from selenium.webdriver.common.by import By

        return self.driver.find_elements(By.CSS_SELECTOR, css)

    def text(self) -> str:
        return self.find("body").text

    def wait_for_path(self, pattern: str) -> re.Match:
        self.wait.until(lambda d: re.fullmatch(pattern, self.path.split("?")[0]))
        return re.fullmatch(pattern, self.path.split("?")[0])

    def submit(self, form_css: str = "main form") -> None:
        """Submit a form with its own submit button (a click, like most users do)."""
        old = self.find("html")
        self.find(f"{form_css} button[type=submit]").click()
        self.wait_for_new_page(old)

    def wait_for_new_page(self, old_html) -> None:
        self.wait.until(lambda d: _stale(old_html))
        self.wait.until(lambda d: d.execute_script("return document.readyState") == "complete")

    # --- keyboard only -------------------------------------------------------------------
    def keys(self, *keys) -> None:
        from selenium.webdriver.common.action_chains import ActionChains

        ActionChains(self.driver).send_keys(*keys).perform()

    def select_all_and_type(self, text: str) -> None:
        from selenium.webdriver.common.action_chains import ActionChains
        from selenium.webdriver.common.keys import Keys

        chain = ActionChains(self.driver).key_down(Keys.CONTROL).send_keys("a")
        chain.key_up(Keys.CONTROL).send_keys(Keys.DELETE, text).perform()

    def cookies(self) -> dict[str, str]:
        """The browser's cookies (session, CSRF) for fetching a download outside the browser."""
        return {c["name"]: c["value"] for c in self.driver.get_cookies()}

    def focused(self):
        return self.driver.switch_to.active_element

    def tab_to(self, element, limit: int = 200, *, backwards: bool = False) -> None:
        """Press Tab (or Shift+Tab) until `element` has focus (fails if it is not reachable
        by keyboard)."""
        from selenium.webdriver.common.action_chains import ActionChains
        from selenium.webdriver.common.keys import Keys

        for _ in range(limit):
            if self.focused() == element:
                return
            if backwards:
                chain = ActionChains(self.driver).key_down(Keys.SHIFT).send_keys(Keys.TAB)
                chain.key_up(Keys.SHIFT).perform()
            else:
                self.keys(Keys.TAB)
        raise AssertionError(
            f"not reachable with Tab: <{element.tag_name} id={element.get_attribute('id')!r}>"
        )

    # --- checks on every page ------------------------------------------------------------
    def page(self, step: str, *, screenshot: bool = True, allow: tuple[str, ...] = ()) -> None:
        """Check the page now shown: axe-core, CSP console errors, and a screenshot."""
        if screenshot:
            self.screenshot(step)
        self.driver.execute_script(self._axe_source)
        result = self.driver.execute_async_script(
            "const done = arguments[arguments.length - 1];"
            "axe.run(document, {resultTypes: ['violations']})"
            ".then(r => done({violations: r.violations}))"
            ".catch(e => done({error: String(e)}));"
        )
        if "error" in result:
            raise AssertionError(f"axe-core failed on {self.path}: {result['error']}")
        violations = result["violations"]
        bad = [v for v in violations if v["impact"] in FAILING_IMPACTS and v["id"] not in allow]
        self.visited.append(
            {
                "journey": self.journey,
                "step": step,
                "path": self.path,
                "violations": {v["id"]: v["impact"] for v in violations},
            }
        )
        csp = [
            e["message"]
            for e in self.driver.get_log("browser")
            if "Content Security Policy" in e.get("message", "")
        ]
        if bad:
            raise AxeViolations(format_violations(self.path, bad))
        assert not csp, f"CSP violations on {self.path}: {csp}"

    # --- logging in ----------------------------------------------------------------------
    def login(self, username: str, password: str = PASSWORD, *, step: str = "login") -> None:
        self.open("/konto/logg-inn/")
        self.page(step)
        self.find("#id_username").send_keys(username)
        self.find("#id_password").send_keys(password)
        self.submit()
        assert "/konto/logg-inn/" not in self.path, f"login failed for {username}: {self.text()}"

    def login_keyboard(self, username: str, password: str = PASSWORD, *, step="login") -> None:
        """Log in without the mouse: skip link, Tab to the fields, type, Enter."""
        from selenium.webdriver.common.keys import Keys

        self.open("/konto/logg-inn/")
        self.page(step)
        self.tab_to(self.find("#id_username"))
        self.keys(username, Keys.TAB, password)
        old = self.find("html")
        self.keys(Keys.ENTER)
        self.wait_for_new_page(old)
        assert "/konto/logg-inn/" not in self.path, f"login failed for {username}: {self.text()}"

    def logout(self) -> None:
        old = self.find("html")
        self.find(".kmv-user form button[type=submit]").click()
        self.wait_for_new_page(old)


def _stale(element) -> bool:
    """True once the page that `element` belonged to has been replaced."""
    from selenium.common.exceptions import StaleElementReferenceException, WebDriverException

    try:
        element.tag_name  # noqa: B018
    except StaleElementReferenceException:
        return True
    except WebDriverException as exc:
        # While the old document is torn down Chromium may answer "Node with given id does
        # not belong to the document" instead of a stale-element error.
        if "does not belong to the document" in str(exc):
            return True
        raise
    return False


def make_driver():
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    profile = tempfile.mkdtemp(prefix="kmv-chromium-")
    for arg in (
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-dev-shm-usage",
        f"--user-data-dir={profile}",
        "--window-size=1280,1000",
        "--lang=nb-NO",
    ):
        options.add_argument(arg)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(30)
    driver.set_script_timeout(30)
    return driver, profile


@pytest.fixture
def browser(request, live_server):
    _prerequisites()
    driver, profile = make_driver()
    b = Browser(driver, live_server.url)
    try:
        yield b
        if getattr(request.node, "kmv_failed", False):
            b.screenshot("FAILED")
    finally:
        if b.visited:
            b.write_axe_report()
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)
