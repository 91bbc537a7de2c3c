"""The production app in Chromium, its provider a real llama.cpp server: a recipe reaches the card."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.browser.studio import APP_ENV, CHROMIUM_ARGS, RunningApp, Studio, find_chromium, serve, unavailable
from tests.provider.conftest import MODEL, LlamaServer

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    """The system's headless Chromium (Playwright never downloads one)."""
    if reason := unavailable():
        pytest.fail(f"the provider tier drives Chromium: {reason}")
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=30_000)
    with sync_playwright() as driver:
        browser = driver.chromium.launch(executable_path=find_chromium(), args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture(scope="module")
def app(llama: LlamaServer, tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest) -> Iterator[RunningApp]:
    """The production app with a base URL and no API key, as a self-hosted llama.cpp is configured."""
    tmp = tmp_path_factory.mktemp("llama-app")
    env = {
        **APP_ENV,
        "OPENAI_API_KEY": None,
        "OPENAI_BASE_URL": llama.base_url,
        "OPENAI_MODEL": MODEL,
        "OPENAI_TEMPERATURE": "0",
        "REFLEX_DB_URL": f"sqlite:///{tmp / 'studio.db'}",
    }
    yield from serve(env, tmp, request.module.__name__)


def test_a_recipe_from_llama_cpp_reaches_the_card(chromium: Any, app: RunningApp) -> None:
    from playwright.sync_api import expect

    context = chromium.new_context()
    try:
        studio = Studio(context.new_page(), app.base_url).open()
        expect(studio.loc("#demo-badge")).to_have_count(0)  # a real provider, not the demo
        studio.add_chips("ingredients", "chickpeas", "spinach")
        studio.generate()
        studio.wait_done()
        expect(studio.loc("#error-message")).to_have_count(0)
        expect(studio.loc("#recipe-ingredients li.ingredient")).to_have_count(1)  # minItems, as the grammar allows
        expect(studio.loc("#recipe-steps li.step")).to_have_count(1)
        expect(studio.loc("#recipe-usage")).to_contain_text("(estimated)")  # no usage chunk from llama.cpp
        assert studio.page_errors == []
    finally:
        context.close()
