"""Around the recipe in Chromium with the built-in demo model: no key, no network.

Its own production app (module scope), started without a key or base URL.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.browser.studio import APP_ENV, RunningApp, Studio, expect, serve


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest) -> Iterator[RunningApp]:
    tmp = tmp_path_factory.mktemp("browser-around-demo")
    env = {
        **APP_ENV,
        "OPENAI_API_KEY": "",
        "OPENAI_BASE_URL": "",
        "DEMO_TOKENS_PER_S": "60",
        "RATE_LIMIT_QUESTIONS_PER_BROWSER": "1000/minute",
        "RATE_LIMIT_QUESTIONS_PER_IP": "1000/minute",
        "REFLEX_DB_URL": f"sqlite:///{tmp / 'studio.db'}",
    }
    yield from serve(env, tmp, request.module.__name__)


def test_the_demo_answers_a_question_stops_and_swaps_offline(studio: Studio) -> None:
    studio.add_chips("ingredients", "chicken", "rice", "spinach")
    studio.generate()
    studio.wait_done()
    expect(studio.loc("#card-picture")).to_be_visible()
    studio.page.locator(".ask-suggestion", has_text="without an oven").click()
    expect(studio.loc("#ask-thread .thread-item")).to_have_count(1)
    expect(studio.loc("#ask-thread")).to_contain_text("hob")
    expect(studio.loc("#answer-change")).to_contain_text("without an oven")

    studio.loc("#ask-input").fill("Make it vegan")
    studio.loc("#ask-submit").click()
    studio.loc("#ask-stop").click()  # at once: the demo needs about a second for this answer
    expect(studio.loc("#answer-stopped")).to_be_visible()
    expect(studio.loc("#ask-thread .thread-item")).to_have_count(1)

    studio.loc(".swap-action").first.click()
    expect(studio.loc("#swap-card .swap").first).to_be_visible()
    expect(studio.loc("#swap-card .swap")).not_to_have_count(0)
    assert studio.page_errors == []


def test_the_demo_streams_an_applied_change_as_a_new_version(studio: Studio) -> None:
    studio.add_chips("ingredients", "chicken", "rice")
    studio.generate()
    studio.wait_done()
    studio.loc("#save").click()
    expect(studio.loc("#open-saved")).to_be_visible()
    studio.page.locator(".ask-suggestion", has_text="vegan").click()
    expect(studio.loc("#apply-change")).to_be_visible()
    studio.loc("#apply-change").click()
    expect(studio.loc("#status-streaming")).to_be_visible()
    studio.wait_done()
    studio.loc("#save").click()
    studio.loc("#open-saved").click()
    expect(studio.loc("#version-diff")).to_be_visible()
