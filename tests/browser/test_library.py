"""The recipe library in headless Chromium: save, find, open, scale, shop (flow 7); share (flow 8).

A module of its own: its app starts with an empty library, so lists and counts are exact.
"""

from __future__ import annotations

from tests.browser.studio import Studio, expect
from tests.fake_openai import FakeOpenAI, Reply
from tests.recipes import RECIPE, RECIPE_TEXT

TITLE = RECIPE["name"]


def generate_and_save(studio: Studio, fake: FakeOpenAI) -> None:
    fake.script(Reply(content=RECIPE_TEXT, tokens_per_s=2000))
    studio.add_chips("ingredients", "chickpeas", "spinach")
    studio.generate()
    studio.wait_done()
    expect(studio.loc("#recipe-usage")).to_contain_text("tokens in")
    studio.loc("#save").click()
    expect(studio.loc("#open-saved")).to_be_visible()


def test_save_find_open_scale_and_add_to_the_shopping_list(studio: Studio, fake: FakeOpenAI) -> None:
    generate_and_save(studio, fake)
    page = studio.page
    page.locator("#nav-recipes").click()
    expect(page.locator(".recipe-row")).to_have_count(1)
    page.locator("#search").fill("coconut")  # an ingredient, not in the title
    expect(page.locator(".recipe-row")).to_have_count(1)
    page.locator("#search").fill("lasagne")
    expect(page.locator("#no-recipes")).to_be_visible()
    page.locator("#search").fill("spinach")
    expect(page.locator(".recipe-row")).to_have_count(1)
    expect(page.locator("#history")).to_contain_text("complete")

    page.locator(".recipe-link").first.click()
    expect(page.locator("#recipe-title")).to_have_text(TITLE)
    ingredients = page.locator("#recipe-ingredients")
    expect(ingredients).to_contain_text("800 g chickpeas")
    studio.choose("scale-servings", "8")
    expect(page.locator("#recipe-serves")).to_have_text("8")
    expect(ingredients).to_contain_text("1.6 kg chickpeas")
    expect(ingredients).to_contain_text("3 tbsp vegetable oil")
    studio.choose("units", "us")
    expect(ingredients).to_contain_text("3 lb 8 oz chickpeas")  # US masses as pounds and ounces

    page.locator("#add-to-shopping").click()
    page.locator("#nav-shopping").click()
    expect(page.locator(".picked-recipe")).to_have_count(1)
    expect(page.locator("#shopping-list")).to_contain_text("1.6 kg chickpeas")
    first_item = page.locator(".shopping-item").first
    first_item.get_by_role("checkbox").click()
    expect(first_item.get_by_role("checkbox")).to_be_checked()
    page.reload()  # picks and ticks are kept by the browser
    expect(page.locator(".shopping-item").first.get_by_role("checkbox")).to_be_checked()
    studio.screenshot("library-shopping-list.png")


def test_a_share_link_opens_in_another_browser_without_the_library(
    studio: Studio, new_studio, fake: FakeOpenAI
) -> None:
    generate_and_save(studio, fake)
    page = studio.page
    page.locator("#open-saved").click()
    expect(page.locator("#recipe-title")).to_have_text(TITLE)
    page.locator("#share").click()
    link = page.locator("#share-link")
    expect(link).to_be_visible()
    share_path = link.inner_text()
    assert share_path.startswith("/r/")
    recipe_url = page.url

    other = new_studio(viewport={"width": 1280, "height": 900})  # a fresh browser: no cookies
    other.page.goto(studio.base_url + share_path)
    expect(other.page.locator("#recipe-title")).to_have_text(TITLE)
    expect(other.page.locator("#recipe-steps li")).to_have_count(5)
    other.page.goto(studio.base_url + "/recipes")
    expect(other.page.locator("#no-recipes")).to_be_visible()  # the owner's library stays private
    other.page.goto(recipe_url)
    expect(other.page.locator("#not-found")).to_be_visible()  # so does the recipe page itself

    page.locator("#revoke-share").click()
    expect(page.locator("#share")).to_be_visible()
    other.page.goto(studio.base_url + share_path)
    expect(other.page.locator("#not-found")).to_be_visible()


def test_delete_asks_first_and_undo_brings_it_back(studio: Studio, fake: FakeOpenAI) -> None:
    generate_and_save(studio, fake)
    page = studio.page
    page.locator("#open-saved").click()
    page.emulate_media(media="print")  # the print view: the recipe, without the page's controls
    expect(page.locator("#recipe-title")).to_be_visible()
    expect(page.locator("#delete")).to_be_hidden()
    expect(page.locator("#nav-recipes")).to_be_hidden()
    page.emulate_media(media="screen")
    page.locator("#delete").click()
    page.locator("#confirm-delete").click()
    expect(page.locator("#deleted-banner")).to_be_visible()
    page.locator("#undo-delete").click()
    expect(page.locator("#deleted-banner")).to_have_count(0)
    page.locator("#nav-recipes").click()
    expect(page.locator(".recipe-row").first).to_be_visible()
