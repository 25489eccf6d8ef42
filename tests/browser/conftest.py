"""A real headless Chromium (Debian's, driven by Playwright) against pytest-django's live server.

Every test gets its own Playwright driver and browser, so nothing of the browser's event
loop outlives the test; screenshots go to artifacts/screenshots/ (git-ignored, kept by CI).
"""

import re
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Locator, Page, Request, Response, expect, sync_playwright

from tests.factories import StateChangeRequestFactory, UserFactory
from users.models import Role

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"
# Bounded waits for each step: generous for a 2-core CI runner, short enough to fail fast.
STEP_TIMEOUT_MS = 20_000
ADMIN_EMAIL = "admin.e2e@example.com"
ADMIN_PASSWORD = "Navegador-e2e-2024"


@pytest.fixture
def browser(monkeypatch) -> Iterator[Browser]:
    # Playwright's sync API keeps an asyncio loop registered on this thread, which Django's
    # async-safety guard would mistake for async code on the test's own ORM calls.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser, live_server) -> Iterator[Page]:
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1366, "height": 900}, locale="es-CO")
    context.set_default_timeout(STEP_TIMEOUT_MS)
    context.set_default_navigation_timeout(STEP_TIMEOUT_MS)
    expect.set_options(timeout=STEP_TIMEOUT_MS)
    browser_page = context.new_page()
    # A missing stylesheet or script, or a failing XHR (autocomplete, Swagger's schema),
    # breaks the page silently: the test fails on any of them.
    broken = []

    def note_error_status(response: Response) -> None:
        if response.status >= 400:
            broken.append(f"{response.url} {response.status}")

    def note_failure(request: Request) -> None:
        # select2 aborts its own in-flight search when the term changes: not a failure.
        if request.failure != "net::ERR_ABORTED":
            broken.append(f"{request.url} {request.failure}")

    browser_page.on("requestfailed", note_failure)
    browser_page.on("response", note_error_status)
    yield browser_page
    context.close()
    assert broken == [], broken


@pytest.fixture
def screenshot(request, page) -> Callable[..., Path]:
    """Saves the whole page (or one element of it) as artifacts/screenshots/<test>-<nn>-<step>.png."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    test_name = re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.name)
    steps = iter(range(1, 100))

    def take(step: str, element: Locator | None = None) -> Path:
        path = SCREENSHOTS / f"{test_name}-{next(steps):02d}-{step}.png"
        if element is None:
            page.screenshot(path=str(path), full_page=True)
        else:
            element.screenshot(path=str(path))
        return path

    return take


@pytest.fixture
def admin_account(browser):
    """An administrator with a known password (the admin site and the API both accept it)."""
    return UserFactory(role=Role.ADMIN, first_name="Andrea", email=ADMIN_EMAIL, password=ADMIN_PASSWORD)


@pytest.fixture
def pending_finalization(browser):
    """A ticket "in repair" whose technician asked to finalize it."""
    return StateChangeRequestFactory()


@pytest.fixture
def client_account(browser):
    return UserFactory(role=Role.CLIENT, first_name="Lucía", last_name="Restrepo", email="lucia.e2e@example.com")


def admin_login(page: Page, screenshot: Callable[..., Path]) -> None:
    page.goto("/admin/login/")
    page.locator("#id_username").fill(ADMIN_EMAIL)
    page.locator("#id_password").fill(ADMIN_PASSWORD)
    screenshot("login-form")
    page.locator("#login-form [type=submit]").click()
    expect(page).to_have_url(re.compile(r"/admin/$"))
    expect(page.locator("#user-tools")).to_contain_text("Andrea")
    screenshot("admin-index")


def pick_autocomplete(page: Page, field_id: str, search: str, option_text: str) -> None:
    """Types into the select2 search of an admin autocomplete field and picks the option."""
    page.locator(f"#{field_id} + .select2 .select2-selection").click()
    page.locator(".select2-container--open .select2-search__field").fill(search)
    page.locator(".select2-container--open .select2-results__option", has_text=option_text).click()
    expect(page.locator(f"#{field_id} + .select2 .select2-selection__rendered")).to_contain_text(option_text)
