"""Fixtures of the browser suite: system Chromium through Playwright, a fake provider, the prod app.

Each test module starts at most one production app (module scope); the app builds into the shared
`.web` directory, so modules never overlap. Every test gets a fresh browser context (fresh cookies,
so a fresh Reflex state), and the fake provider's script is reset before it.

Without Playwright or Chromium the whole suite is skipped with one reason, unless `CI` is set: then
every browser test fails with that reason.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.browser.studio import (
    APP_ENV,
    CHROMIUM_ARGS,
    TAB_GRACE_S,
    RunningApp,
    Studio,
    expect,
    find_chromium,
    serve,
    unavailable,
)
from tests.conftest import TEST_KEY
from tests.fake_openai import FakeOpenAI, Reply
from tests.recipes import RECIPE_TEXT

HERE = Path(__file__).resolve().parent
EXPECT_TIMEOUT_MS = 10_000
ACTION_TIMEOUT_MS = 15_000

#: What the fake answers when a test scripts nothing: the whole recipe, as fast as it can.
DEFAULT_REPLY = Reply(content=RECIPE_TEXT)


def _ours(item: pytest.Item) -> bool:
    return HERE in Path(str(item.path)).resolve().parents


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark the suite `browser`; without Playwright or Chromium (and no CI), skip it with one reason."""
    reason = unavailable()
    skip = pytest.mark.skip(reason=f"browser tests need Playwright and Chromium: {reason}")
    for item in items:
        if _ours(item):
            item.add_marker(pytest.mark.browser)  # `-m "not browser"` leaves the suite out
            if reason and not os.environ.get("CI"):
                item.add_marker(skip)  # a marker: no fixture (no app build) runs


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    report = yield
    item.stash.setdefault(_REPORTS, {})[report.when] = report
    return report


_REPORTS = pytest.StashKey[dict[str, pytest.TestReport]]()


def _failed(request: pytest.FixtureRequest) -> bool:
    reports = request.node.stash.get(_REPORTS, {})
    return any(r.failed for r in reports.values())


@pytest.fixture(scope="session", autouse=True)
def _browser_suite_can_run() -> None:
    """On CI a missing browser fails every browser test (before any app is built) instead of skipping."""
    if reason := unavailable():
        pytest.fail(f"CI is set but the browser tests cannot run: {reason}", pytrace=False)


@pytest.fixture(scope="session")
def playwright() -> Iterator[Any]:
    """Playwright's driver (sync API: the tests are plain functions, no event loop runs in them)."""
    from playwright.sync_api import sync_playwright

    expect.set_options(timeout=EXPECT_TIMEOUT_MS)
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="module")
def browser(playwright: Any) -> Iterator[Any]:
    """The system's headless Chromium, one per module (Playwright never downloads a browser here).

    Per module, not per session: Chromium remembers a failed /favicon.ico per browser, so only the
    first page a browser opens shows that error; each module's first test is its page-load test.
    """
    chromium = playwright.chromium.launch(executable_path=find_chromium(), args=CHROMIUM_ARGS, headless=True)
    yield chromium
    chromium.close()


@pytest.fixture(scope="module")
def fake() -> Iterator[FakeOpenAI]:
    """The fake provider for this module's app (overrides the function-scoped one of tests/)."""
    with FakeOpenAI(default=DEFAULT_REPLY) as server:
        yield server


@pytest.fixture(scope="module")
def app(
    fake: FakeOpenAI, tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest
) -> Iterator[RunningApp]:
    """The production app talking to the fake provider."""
    tmp = tmp_path_factory.mktemp("browser-app")
    env = {
        **APP_ENV,
        "OPENAI_API_KEY": TEST_KEY,
        "OPENAI_BASE_URL": fake.base_url,
        "REFLEX_DB_URL": f"sqlite:///{tmp / 'studio.db'}",
    }
    yield from serve(env, tmp, request.module.__name__)


@pytest.fixture(autouse=True)
def _fresh_fake(request: pytest.FixtureRequest) -> Iterator[None]:
    """Reset the fake before each test; afterwards, every upstream stream must have ended."""
    if "fake" not in request.fixturenames:
        yield
        return
    fake: FakeOpenAI = request.getfixturevalue("fake")
    fake.reset()
    fake.default = DEFAULT_REPLY
    yield
    # Runs after the test's browser contexts are closed (this fixture was set up before them).
    open_streams = [i for i, rec in enumerate(fake.requests) if rec.closed_at is None]
    for index in open_streams:
        try:
            fake.wait_closed(index, timeout=TAB_GRACE_S + 10)
        except TimeoutError:
            pytest.fail(f"upstream request {index} was still open {TAB_GRACE_S + 10}s after the test's tabs closed")


@pytest.fixture
def new_studio(browser: Any, app: RunningApp, request: pytest.FixtureRequest) -> Iterator[Callable[..., Studio]]:
    """Open the studio in a fresh browser context: ``new_studio(viewport={...}, is_mobile=True)``."""
    app.check_alive()  # a server that died in an earlier test: say so, instead of failing on a dead page
    contexts: list[Any] = []
    studios: list[Studio] = []

    def open_studio(**context_options: Any) -> Studio:
        context = browser.new_context(**context_options)
        context.set_default_timeout(ACTION_TIMEOUT_MS)
        contexts.append(context)
        studio = Studio(context.new_page(), app.base_url)
        studios.append(studio)
        return studio.open()

    yield open_studio
    failed = _failed(request)
    for n, studio in enumerate(studios):
        if failed and not studio.page.is_closed():
            try:
                studio.screenshot(f"FAILED-{request.node.name}-{n}.png")
            except Exception:  # noqa: BLE001 - a screenshot must not hide the real failure
                pass
    for context in contexts:
        context.close()
    if not failed:
        errors = [e for studio in studios for e in studio.page_errors]
        assert not errors, f"uncaught JavaScript errors in the page: {errors}"


@pytest.fixture
def studio(new_studio: Callable[..., Studio]) -> Studio:
    """The studio page in a fresh desktop-sized browser context."""
    return new_studio(viewport={"width": 1280, "height": 900})
