"""The studio in headless Chromium against the production build, with a fake provider behind it.

Everything is asserted through what a cook sees on the page, plus what the provider saw (how many
requests, whether a stream was cut). No fixed sleeps: Playwright's expect()/wait_for_function and
the fake's own waits do the waiting.
"""

from __future__ import annotations

import json
import re
import time
from typing import Any

import pytest

from tests.browser.studio import TAB_GRACE_S, Studio, expect
from tests.fake_openai import FakeOpenAI, Reply
from tests.recipes import RECIPE, RECIPE_TEXT

TITLE = RECIPE["name"]


def user_prompt(fake: FakeOpenAI, index: int = -1) -> str:
    """All the message text the provider received in request ``index``."""
    messages = fake.requests[index].body["messages"]
    return "\n".join(str(m.get("content", "")) for m in messages)


def start_streaming(studio: Studio, fake: FakeOpenAI, reply: Reply) -> None:
    """Generate with ``reply`` scripted, and wait until the title is on the card mid-stream."""
    fake.script(reply)
    studio.add_chips("ingredients", "chickpeas")
    studio.generate()
    expect(studio.loc("#status-streaming")).to_be_visible()
    expect(studio.loc("#recipe-title")).to_have_text(TITLE)


# ---- 1. page load ---------------------------------------------------------------------------------
def test_the_page_loads_without_console_errors_and_without_the_demo_label(studio: Studio) -> None:
    expect(studio.page).to_have_title("Recipe Studio")
    expect(studio.loc("#recipe-card")).to_contain_text("Your recipe will appear here")
    studio.add_chips("ingredients", "leeks")  # a round trip through the websocket: the app is live
    expect(studio.loc("#demo-badge")).to_have_count(0)
    expect(studio.loc("#demo-note")).to_have_count(0)
    assert studio.console_errors == []
    assert studio.page_errors == []


# ---- 2. a recipe streams in ------------------------------------------------------------------------
def test_a_filled_form_streams_a_recipe_that_grows_until_done(studio: Studio, fake: FakeOpenAI) -> None:
    fake.script(Reply(content=RECIPE_TEXT, tokens_per_s=60))
    studio.add_chips("ingredients", "chickpeas", "spinach", "coconut milk")
    studio.add_chips("allergies", "peanuts")
    studio.add_chips("equipment", "wok")
    studio.page.locator("#dish").fill("a warming curry")
    studio.choose("servings", "4")
    studio.generate()

    expect(studio.loc("#generate")).to_be_disabled()
    samples = studio.samples_while_streaming(4, min_growth=20)
    assert all(len(a) < len(b) for a, b in zip(samples, samples[1:], strict=False))
    assert TITLE in samples[-1]

    studio.wait_done()
    expect(studio.loc("#recipe-title")).to_have_text(TITLE)
    expect(studio.loc("#recipe-description")).to_have_text(RECIPE["description"])
    expect(studio.loc("#recipe-serves")).to_have_text("4")
    expect(studio.loc("#recipe-ingredients li.ingredient")).to_have_count(8)
    expect(studio.loc("#recipe-steps li.step")).to_have_count(5)
    expect(studio.loc("#recipe-steps li.step").first).to_contain_text("Heat the oil")
    expect(studio.loc("#recipe-tips")).to_contain_text("A squeeze of lime")
    expect(studio.loc("#recipe-nutrition")).to_contain_text("420")
    expect(studio.loc("#recipe-card .live")).to_have_count(0)
    expect(studio.loc("#allergen-warning")).to_have_count(0)
    expect(studio.loc("#regenerate")).to_be_visible()
    expect(studio.loc("#copy")).to_be_visible()
    expect(studio.loc("#generate")).to_be_enabled()
    assert len(studio.card_text()) > len(samples[-1])

    assert fake.request_count == 1
    prompt = user_prompt(fake)
    for wanted in ("chickpeas", "spinach", "coconut milk", "peanuts", "wok", "a warming curry"):
        assert wanted in prompt, f"{wanted!r} from the form did not reach the model"
    assert studio.console_errors == []


# ---- 3. stop --------------------------------------------------------------------------------------
def test_stop_keeps_the_partial_recipe_and_closes_the_upstream_stream(studio: Studio, fake: FakeOpenAI) -> None:
    start_streaming(studio, fake, Reply(content=RECIPE_TEXT, tokens_per_s=40))
    expect(studio.loc("#recipe-ingredients li.ingredient").first).to_be_visible()
    studio.loc("#stop").click()

    expect(studio.loc("#status-stopped")).to_be_visible()
    record = fake.wait_closed(timeout=5)
    assert record.client_closed and not record.completed
    expect(studio.loc("#recipe-title")).to_have_text(TITLE)
    expect(studio.loc("#recipe-ingredients li.ingredient").first).to_be_visible()
    expect(studio.loc("#stop")).to_have_count(0)
    expect(studio.loc("#regenerate")).to_be_visible()
    expect(studio.loc("#generate")).to_be_enabled()
    kept = studio.card_text()
    assert "Chickpea" in kept
    assert "Serve hot with rice" not in kept  # the end of the recipe never came
    assert fake.request_count == 1


# ---- 4. provider failures -------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("first", "notice"),
    [
        (Reply(status=503), "Retrying (2/3)"),
        (Reply(status=429, headers={"Retry-After": "1"}), "The AI service is busy, retrying in 1s"),
    ],
    ids=["503", "429-retry-after"],
)
def test_a_failed_first_attempt_shows_the_retry_notice_then_the_recipe(
    studio: Studio, fake: FakeOpenAI, first: Reply, notice: str
) -> None:
    # The second attempt keeps the cook waiting for a second before its first text.
    fake.script(first, Reply(content=RECIPE_TEXT, ttft=1.0))
    studio.add_chips("ingredients", "chickpeas")
    studio.generate()

    expect(studio.loc("#retry-notice")).to_contain_text(notice)
    studio.wait_done()
    expect(studio.loc("#retry-notice")).to_have_count(0)
    expect(studio.loc("#recipe-title")).to_have_text(TITLE)
    expect(studio.loc("#recipe-steps li.step")).to_have_count(5)
    expect(studio.loc("#error-message")).to_have_count(0)
    assert fake.request_count == 2


def test_rejected_credentials_say_what_the_cook_can_do_and_offer_no_futile_button(studio: Studio, fake: FakeOpenAI) -> None:
    fake.script(Reply(status=401))
    studio.add_chips("ingredients", "chickpeas")
    studio.generate()

    expect(studio.loc("#status-error")).to_be_visible()
    expect(studio.loc("#error-message")).to_contain_text("The studio can't sign in to its AI service right now. Please let the site owner know.")
    expect(studio.loc("#try-again")).to_have_count(0)  # pressing it would repeat the same failure
    expect(studio.loc("#continue")).to_have_count(0)
    assert fake.request_count == 1  # a 401 is not retried

    studio.generate()  # the site owner fixed the key meanwhile: Generate works again
    studio.wait_done()
    expect(studio.loc("#error-message")).to_have_count(0)
    expect(studio.loc("#recipe-title")).to_have_text(TITLE)
    assert fake.request_count == 2


def test_a_stop_before_any_text_says_so(studio: Studio, fake: FakeOpenAI) -> None:
    fake.script(Reply(content=RECIPE_TEXT, ttft=60))
    studio.add_chips("ingredients", "chickpeas")
    studio.generate()
    expect(studio.loc("#status-waiting")).to_be_visible()
    fake.wait_for_requests(1)
    studio.loc("#stop").click()
    expect(studio.loc("#status-stopped")).to_have_text("Stopped before the AI wrote anything")
    assert fake.wait_closed().client_closed
    expect(studio.loc("#generate")).to_be_enabled()


def test_a_stalled_stream_keeps_the_partial_and_continue_finishes_it(studio: Studio, fake: FakeOpenAI) -> None:
    pieces_before_stall = 150
    sent = RECIPE_TEXT[: 4 * pieces_before_stall]
    fake.script(Reply(content=RECIPE_TEXT, stall_after=pieces_before_stall), Reply(content=RECIPE_TEXT[len(sent):]))
    studio.add_chips("ingredients", "chickpeas")
    studio.generate()

    expect(studio.loc("#error-message")).to_contain_text("The AI stopped responding.")
    expect(studio.loc("#status-error")).to_be_visible()
    expect(studio.loc("#continue")).to_be_visible()
    expect(studio.loc("#recipe-title")).to_have_text(TITLE)
    expect(studio.loc("#recipe-ingredients li.ingredient").first).to_be_visible()
    assert "Serve hot with rice" not in studio.card_text()
    assert fake.wait_closed(0).client_closed  # the app hung up on the silent stream

    studio.loc("#continue").click()
    studio.wait_done()
    expect(studio.loc("#error-message")).to_have_count(0)
    expect(studio.loc("#recipe-ingredients li.ingredient")).to_have_count(8)
    expect(studio.loc("#recipe-steps li.step")).to_have_count(5)
    assert fake.request_count == 2
    assert sent in user_prompt(fake)  # the continuation carried what was already written


# ---- 5. invalid input -----------------------------------------------------------------------------
def test_generate_with_an_empty_form_asks_for_ingredients_and_calls_nobody(studio: Studio, fake: FakeOpenAI) -> None:
    studio.generate()
    expect(studio.loc("#ingredients-error")).to_contain_text("Add at least one ingredient or a dish idea.")
    expect(studio.loc("#status-waiting")).to_have_count(0)
    expect(studio.loc("#recipe-card")).to_contain_text("Your recipe will appear here")
    assert fake.request_count == 0


def test_a_huge_paste_into_ingredients_adds_no_chip(studio: Studio, fake: FakeOpenAI) -> None:
    studio.add_chip("ingredients", "tomato" * 1667)  # 10,002 characters, no comma
    expect(studio.loc("#ingredients-error")).to_contain_text("Keep each entry under 60 characters.")
    expect(studio.loc(".ingredients-chip")).to_have_count(0)
    studio.add_chips("ingredients", "tomatoes")  # the field still works afterwards
    expect(studio.loc("#ingredients-error")).to_have_count(0)
    assert fake.request_count == 0


def test_words_in_max_minutes_are_refused_before_any_upstream_call(studio: Studio, fake: FakeOpenAI) -> None:
    studio.add_chips("ingredients", "chickpeas")
    studio.page.locator("#max-minutes").fill("soon")
    studio.generate()
    expect(studio.loc("#max_minutes-error")).to_have_text("Enter a whole number of minutes.")
    expect(studio.loc("#recipe-card")).to_contain_text("Your recipe will appear here")
    assert fake.request_count == 0


# ---- 6. reload and closed tab -----------------------------------------------------------------------
def test_a_reload_mid_stream_reattaches_to_the_same_generation(studio: Studio, fake: FakeOpenAI) -> None:
    start_streaming(studio, fake, Reply(content=RECIPE_TEXT, tokens_per_s=30))
    expect(studio.loc("#recipe-ingredients li.ingredient").first).to_be_visible()
    before = studio.card_text()

    studio.page.reload()
    expect(studio.loc("#recipe-title")).to_have_text(TITLE)  # the text so far is back without a click
    expect(studio.loc("#status-streaming")).to_be_visible()
    after = studio.samples_while_streaming(2, min_growth=20)
    assert len(after[0]) >= len(before) * 0.9 and "Ingredients" in after[0]
    studio.wait_done()
    expect(studio.loc("#recipe-ingredients li.ingredient")).to_have_count(8)
    expect(studio.loc("#recipe-steps li.step")).to_have_count(5)

    assert fake.request_count == 1  # no second stream was started
    record = fake.wait_closed(0)
    assert record.completed and not record.client_closed


def test_closing_the_tab_mid_stream_stops_the_upstream_stream(studio: Studio, fake: FakeOpenAI) -> None:
    start_streaming(studio, fake, Reply(content=RECIPE_TEXT, tokens_per_s=30))
    closed_tab_at = time.monotonic()
    studio.page.close()

    record = fake.wait_closed(timeout=15)
    assert record.client_closed and not record.completed
    assert record.closed_at is not None
    assert record.closed_at - closed_tab_at < TAB_GRACE_S + 5
    assert fake.request_count == 1


# ---- 9. model output is text, never markup -------------------------------------------------------
HOSTILE_TITLE = '<img src=x onerror="window.__pwned=1">Soup'
HOSTILE_STEP = "<script>window.__pwned=2</script>"
HOSTILE_TIP = "javascript:alert(1)"


def hostile_recipe() -> str:
    recipe: dict[str, Any] = json.loads(RECIPE_TEXT)
    recipe["name"] = HOSTILE_TITLE
    recipe["recipeInstructions"][1] = {"text": HOSTILE_STEP}
    recipe["tips"] = [HOSTILE_TIP, *recipe["tips"]]
    return json.dumps(recipe)


def test_html_and_script_from_the_model_are_shown_as_text_and_never_run(studio: Studio, fake: FakeOpenAI) -> None:
    fake.script(Reply(content=hostile_recipe(), tokens_per_s=200))
    studio.add_chips("ingredients", "soup")
    studio.generate()
    studio.wait_done()

    expect(studio.loc("#recipe-title")).to_have_text(HOSTILE_TITLE)
    expect(studio.loc("#recipe-steps li.step").nth(1)).to_have_text(HOSTILE_STEP)
    expect(studio.loc("#recipe-tips")).to_contain_text(HOSTILE_TIP)
    # The one image on the card is the app's own drawing (colours only, no recipe text in it).
    expect(studio.loc("#card-picture")).to_have_attribute("src", re.compile(r"^data:image/svg\+xml;base64,"))
    expect(studio.loc("#recipe-card img:not(#card-picture), #recipe-card script, #recipe-card a")).to_have_count(0)
    assert studio.page.evaluate("typeof window.__pwned") == "undefined"
    assert studio.dialogs == []
    assert studio.page_errors == []


# ---- 10. layout -----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("name", "width", "height", "mobile"),
    [("mobile", 390, 844, True), ("desktop", 1440, 900, False)],
    ids=["mobile-390", "desktop-1440"],
)
def test_a_finished_recipe_fits_the_screen_without_sideways_scrolling(
    new_studio: Any, name: str, width: int, height: int, mobile: bool
) -> None:
    studio: Studio = new_studio(viewport={"width": width, "height": height}, is_mobile=mobile, has_touch=mobile)
    studio.add_chips("ingredients", "chickpeas", "spinach")
    studio.add_chips("allergies", "peanuts")
    studio.generate()
    studio.wait_done()
    expect(studio.loc("#recipe-steps li.step")).to_have_count(5)

    overflow = studio.page.evaluate(
        "() => ({scroll: document.documentElement.scrollWidth, inner: window.innerWidth})"
    )
    assert overflow["scroll"] <= overflow["inner"], f"horizontal scroll at {width}px: {overflow}"
    for selector in ("#generate", "#recipe-card", "#recipe-title"):
        target = studio.loc(selector)
        expect(target).to_be_visible()
        target.scroll_into_view_if_needed()
        expect(target).to_be_in_viewport()
    box = studio.loc("#generate").bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= width
    path = studio.screenshot(f"studio-{name}-{width}x{height}.png")
    assert path.stat().st_size > 10_000
    assert studio.console_errors == []


# ---- 11. allergies as cooks type them ---------------------------------------------------------------
def test_the_card_flags_hidden_allergens_and_says_which_allergies_it_cannot_check(
    studio: Studio, fake: FakeOpenAI
) -> None:
    risky = dict(RECIPE, recipeIngredient=[*RECIPE["recipeIngredient"], {"quantity": 2, "unit": "tbsp", "item": "basil pesto", "note": ""}])
    fake.script(Reply(content=json.dumps(risky), tokens_per_s=150))
    studio.add_chips("ingredients", "chickpeas")
    studio.add_chips("allergies", "tree-nut allergy", "moonflower seeds")
    studio.generate()
    # The allergy nobody can check is said while the recipe is still being written.
    expect(studio.loc("#status-streaming")).to_be_visible()
    expect(studio.loc("#allergy-unchecked")).to_contain_text("moonflower seeds")
    expect(studio.loc("#allergy-unchecked")).to_contain_text("read the ingredients")
    studio.wait_done()
    expect(studio.loc("#allergen-warning")).to_contain_text("Basil pesto may contain tree nuts")
    assert studio.console_errors == []
