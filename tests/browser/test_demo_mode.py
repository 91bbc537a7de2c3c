"""The studio with no provider configured: the built-in demo model, labelled as such, in Chromium.

Its own production app (module scope), started without a key or base URL.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.browser.studio import APP_ENV, RunningApp, Studio, expect, serve


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest) -> Iterator[RunningApp]:
    """The production app in demo mode (overrides the fake-backed app of conftest.py)."""
    tmp = tmp_path_factory.mktemp("browser-demo-app")
    env = {
        **APP_ENV,
        # Blank rather than removed, so a developer's .env with a real key cannot leave demo mode.
        "OPENAI_API_KEY": "",
        "OPENAI_BASE_URL": "",
        "DEMO_TOKENS_PER_S": "400",
        "REFLEX_DB_URL": f"sqlite:///{tmp / 'studio.db'}",
    }
    yield from serve(env, tmp, request.module.__name__)


def test_the_demo_page_loads_without_console_errors_and_says_it_is_a_demo(studio: Studio) -> None:
    expect(studio.page).to_have_title("Recipe Studio")
    expect(studio.loc("#demo-badge")).to_be_visible()
    expect(studio.loc("#demo-badge")).to_have_text("Demo model")
    expect(studio.loc("#demo-note")).to_be_visible()
    expect(studio.loc("#demo-note")).to_contain_text("demo model")
    studio.add_chips("ingredients", "leeks")  # a round trip through the websocket: the app is live
    assert studio.console_errors == []
    assert studio.page_errors == []


def test_the_demo_model_writes_a_whole_recipe(studio: Studio) -> None:
    studio.add_chips("ingredients", "chickpeas", "spinach")
    studio.generate()

    expect(studio.loc("#status-streaming")).to_be_visible()
    studio.wait_done()
    expect(studio.loc("#recipe-title")).not_to_be_empty()
    expect(studio.loc("#recipe-ingredients li.ingredient").first).to_be_visible()
    expect(studio.loc("#recipe-steps li.step").first).to_be_visible()
    assert studio.loc("#recipe-ingredients li.ingredient").count() >= 3
    assert studio.loc("#recipe-steps li.step").count() >= 3
    expect(studio.loc("#recipe-card .live")).to_have_count(0)
    expect(studio.loc("#error-message")).to_have_count(0)
    expect(studio.loc("#recipe-ingredients")).to_contain_text("chickpeas")
    assert studio.console_errors == []
