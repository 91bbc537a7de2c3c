"""The recipe library end to end at state level: generate, save, find, scale, shop, share, version."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator

import pytest
from hypothesis import given
from hypothesis import strategies as st

from recipe_app.pages.library import LibraryState
from recipe_app.pages.recipe import RecipeState
from recipe_app.pages.shared import SharedState
from recipe_app.pages.shopping import ShoppingState
from recipe_app.pages.studio import StudioState
from recipe_app.core.settings import Settings
from tests.fake_openai import FakeOpenAI, Reply
from tests.pages.harness import Browser, DeltaRecorder, make_processor
from tests.recipes import RECIPE, RECIPE_TEXT


@pytest.fixture
async def browsers(settings: Settings, fake: FakeOpenAI) -> AsyncIterator[tuple[Browser, Browser]]:
    """Two different browsers (each its own cookie, so its own library)."""
    fake.default = Reply(content=RECIPE_TEXT)
    async with make_processor(DeltaRecorder()) as processor:
        yield Browser(processor, token="browser-a"), Browser(processor, token="browser-b")


async def generate_and_save(tab: Browser) -> int:
    await (await tab.send(StudioState.add_item, field="ingredients", form={"item": "chickpeas, spinach"}))
    await (await tab.send(StudioState.generate))
    await (await tab.send(StudioState.save_recipe))
    saved = (await tab.state(StudioState)).saved_recipe_id
    assert saved > 0
    return saved


async def test_save_find_scale_convert_and_shop(browsers: tuple[Browser, Browser]) -> None:
    tab, _ = browsers
    recipe_id = await generate_and_save(tab)
    await (await tab.send(StudioState.save_recipe))  # a second click saves nothing more

    await (await tab.send(LibraryState.load, url="/recipes"))
    library = await tab.state(LibraryState)
    assert library.total == 1 and library.rows[0]["title"] == "Chickpea & Spinach Curry"
    assert library.rows[0]["href"] == f"/recipes/{recipe_id}"
    await (await tab.send(LibraryState.set_search, value="COCONUT"))  # an ingredient, any case
    assert (await tab.state(LibraryState)).total == 1
    await (await tab.send(LibraryState.set_search, value="lasagne"))
    assert (await tab.state(LibraryState)).total == 0
    assert [h["status"] for h in (await tab.state(LibraryState)).history] == ["complete"]

    url = f"/recipes/{recipe_id}"
    await (await tab.send(RecipeState.load, url=url))
    detail = await tab.state(RecipeState)
    assert detail.found and detail.serves == 4
    chickpeas = next(line for line in detail.ingredient_lines if line["item"] == "chickpeas")
    assert chickpeas["amount"] == "800 g"
    await (await tab.send(RecipeState.set_servings_choice, value="2", url=url))
    detail = await tab.state(RecipeState)
    assert detail.serves == 2
    assert {line["item"]: line["amount"] for line in detail.ingredient_lines}["chickpeas"] == "400 g"
    assert {line["item"]: line["amount"] for line in detail.ingredient_lines}["vegetable oil"] == "2 1/4 tsp"
    await (await tab.send(RecipeState.set_units, value="us", url=url))
    amounts = {line["item"]: line["amount"] for line in (await tab.state(RecipeState)).ingredient_lines}
    assert amounts["chickpeas"] == "14 oz" and amounts["coconut milk"].endswith("cup")

    await (await tab.send(ShoppingState.add_recipe, recipe_id=recipe_id, servings=8))
    await (await tab.send(ShoppingState.load, url="/shopping"))
    shopping = await tab.state(ShoppingState)
    assert shopping.picked == [{"id": recipe_id, "title": "Chickpea & Spinach Curry", "servings": 8}]
    lines = [item["text"] for group in shopping.groups for item in group["items"]]
    assert any("1.6 kg chickpeas" in text for text in lines), lines
    assert "chickpeas" in shopping.text and "- [ ]" in shopping.text


async def test_another_browser_sees_only_what_is_shared(browsers: tuple[Browser, Browser]) -> None:
    owner, stranger = browsers
    recipe_id = await generate_and_save(owner)
    url = f"/recipes/{recipe_id}"
    await (await stranger.send(RecipeState.load, url=url))
    assert not (await stranger.state(RecipeState)).found  # guessing the id gives nothing
    await (await stranger.send(LibraryState.load, url="/recipes"))
    assert (await stranger.state(LibraryState)).total == 0
    await (await stranger.send(ShoppingState.add_recipe, recipe_id=recipe_id, servings=2))
    await (await stranger.send(ShoppingState.load, url="/shopping"))
    assert (await stranger.state(ShoppingState)).groups == []  # not someone else's recipe

    await (await owner.send(RecipeState.load, url=url))
    await (await owner.send(RecipeState.share, url=url))
    link = (await owner.state(RecipeState)).share_path
    assert link.startswith("/r/") and len(link) >= 25  # 128 random bits
    await (await stranger.send(SharedState.load, url=link))
    shared = await stranger.state(SharedState)
    assert shared.found and shared.title == "Chickpea & Spinach Curry" and len(shared.steps) == 5
    assert not hasattr(shared, "notes")  # the owner's notes are not part of a shared page

    await (await owner.send(RecipeState.revoke_share, url=url))
    await (await stranger.send(SharedState.load, url=link))
    assert not (await stranger.state(SharedState)).found


async def test_delete_asks_then_undo_brings_it_back(browsers: tuple[Browser, Browser]) -> None:
    tab, _ = browsers
    recipe_id = await generate_and_save(tab)
    url = f"/recipes/{recipe_id}"
    await (await tab.send(RecipeState.load, url=url))
    await (await tab.send(RecipeState.delete, url=url))
    assert (await tab.state(RecipeState)).deleted
    await (await tab.send(LibraryState.load, url="/recipes"))
    assert (await tab.state(LibraryState)).total == 0
    await (await tab.send(RecipeState.undo_delete, url=url))
    await (await tab.send(LibraryState.load, url="/recipes"))
    assert (await tab.state(LibraryState)).total == 1


async def test_notes_rating_favourite_and_edit(browsers: tuple[Browser, Browser]) -> None:
    tab, _ = browsers
    recipe_id = await generate_and_save(tab)
    url = f"/recipes/{recipe_id}"
    await (await tab.send(RecipeState.load, url=url))
    await (await tab.send(RecipeState.save_notes, value="Less chilli next time", url=url))
    await (await tab.send(RecipeState.set_rating, value=4, url=url))
    await (await tab.send(RecipeState.toggle_favourite, url=url))
    await (await tab.send(RecipeState.save_edit, form={"title": "", "ingredients": "", "steps": ""}, url=url))
    assert (await tab.state(RecipeState)).edit_error.startswith("A recipe needs a title")
    form = {
        "title": "Weeknight Curry",
        "ingredients": "For the curry:\n2 1/2 cups chickpeas, drained\na pinch of salt\n3 eggs",
        "steps": "Warm everything.\nServe.",
    }
    await (await tab.send(RecipeState.save_edit, form=form, url=url))
    await (await tab.send(RecipeState.load, url=url))  # as after a reload
    detail = await tab.state(RecipeState)
    assert (detail.title, detail.notes, detail.rating, detail.favourite) == ("Weeknight Curry", "Less chilli next time", 4, True)
    assert [line["amount"] + " " + line["item"] for line in detail.ingredient_lines][0] == "2 1/2 cups chickpeas"
    assert len(detail.ingredient_lines) == 3, "the pasted heading is no ingredient"
    assert detail.steps == ["Warm everything.", "Serve."]
    await (await tab.send(LibraryState.set_favourites_only, value=True, url="/recipes"))
    assert (await tab.state(LibraryState)).rows[0]["rating"] == 4


async def test_regenerate_with_changes_streams_a_new_version_kept_beside_the_old(
    browsers: tuple[Browser, Browser], fake: FakeOpenAI
) -> None:
    tab, _ = browsers
    recipe_id = await generate_and_save(tab)
    url = f"/recipes/{recipe_id}"
    await (await tab.send(RecipeState.load, url=url))
    await (await tab.send(RecipeState.set_change_request, value="make it vegan", url=url))
    await (await tab.send(RecipeState.regenerate_with_changes, url=url))
    studio_url = f"/?from={recipe_id}&change=make%20it%20vegan"
    await (await tab.send(StudioState.on_page_load, url=studio_url))
    studio = await tab.state(StudioState)
    assert (studio.base_recipe_id, studio.change_request, studio.diet) == (recipe_id, "make it vegan", "vegan")
    vegan = dict(RECIPE, name="Vegan Chickpea & Spinach Curry")
    fake.default = Reply(content=json.dumps(vegan))
    await (await tab.send(StudioState.generate, url=studio_url))
    sent = json.loads(fake.requests[-1].body["messages"][1]["content"])
    assert sent["changes"] == "make it vegan" and json.loads(sent["base_recipe"])["name"] == "Chickpea & Spinach Curry"
    await (await tab.send(StudioState.save_recipe, url=studio_url))
    new_id = (await tab.state(StudioState)).saved_recipe_id
    await (await tab.send(RecipeState.load, url=f"/recipes/{new_id}"))
    versions = (await tab.state(RecipeState)).versions
    assert [(v["id"], v["note"]) for v in versions] == [(recipe_id, "original"), (new_id, "make it vegan")]


# --- inputs that arrive by other doors: route segments, browser storage, form text -------------------


async def _set_storage(tab: Browser, **values: str) -> None:
    """What a tampered local storage hands the page on its next load."""
    from reflex.istate.manager.token import BaseStateToken
    from reflex.state import State

    manager = tab.processor._root_context.state_manager
    async with manager.modify_state(BaseStateToken(ident=tab.token, cls=State)) as root:
        shopping = await root.get_state(ShoppingState)
        for name, value in values.items():
            setattr(shopping, name, value)


@pytest.mark.parametrize(
    "segment", ["²", "٣", "0", "-1", "abc", "1.5", "99999999999999999999", "2147483648", "9" * 5000, "1%00"]
)
async def test_a_bad_recipe_id_in_the_address_is_the_not_found_page(
    browsers: tuple[Browser, Browser], segment: str
) -> None:
    tab, _ = browsers
    await (await tab.send(RecipeState.load, url=f"/recipes/{segment}"))
    detail = await tab.state(RecipeState)
    assert detail.loaded and not detail.found
    await (await tab.send(RecipeState.set_servings_choice, value="3", url=f"/recipes/{segment}"))  # nothing to scale
    await (await tab.send(SharedState.load, url=f"/r/{segment}\x00"))
    assert not (await tab.state(SharedState)).found


async def test_tampered_shopping_storage_is_bounded_and_read_in_one_query(browsers: tuple[Browser, Browser]) -> None:
    from sqlalchemy import event

    from recipe_app.db.session import get_engine

    tab, _ = browsers
    recipe_id = await generate_and_save(tab)
    picks = {str(recipe_id): "999", "²": 2, "abc": 1, "7": "x", "8": None, "9": [1], "10": True}
    picks |= {str(n): 2 for n in range(100, 3_100)}  # 3 000 picks of recipes that do not exist
    await _set_storage(tab, picks_json=json.dumps(picks), ticked_json=json.dumps(["a" * 10_000, 5, "Pantry:x:"]))
    selects: list[str] = []

    def count(_conn: object, _cursor: object, statement: str, *_: object) -> None:
        if "saved_recipe" in statement:
            selects.append(statement)

    event.listen(get_engine(), "before_cursor_execute", count)
    try:
        await (await tab.send(ShoppingState.load, url="/shopping"))
    finally:
        event.remove(get_engine(), "before_cursor_execute", count)
    shopping = await tab.state(ShoppingState)
    assert shopping.picked == [{"id": recipe_id, "title": "Chickpea & Spinach Curry", "servings": 24}]
    assert shopping.groups and shopping.ticked == ["Pantry:x:"]
    assert len(selects) == 1
    oversized = json.dumps({str(recipe_id): 2, "pad": "x" * 100_000})
    for broken in ("[", "[]", '"text"', "1e999", "{" * 100_000, "[" * 50_000, oversized):
        await _set_storage(tab, picks_json=broken, ticked_json=broken)
        await (await tab.send(ShoppingState.load, url="/shopping"))
        assert (await tab.state(ShoppingState)).picked == []
    await (await tab.send(ShoppingState.add_recipe, recipe_id="²", servings="x", url="/shopping"))
    await (await tab.send(ShoppingState.set_servings, recipe_id=recipe_id, value="1e9", url="/shopping"))
    await (await tab.send(ShoppingState.toggle, key="k" * 1000, url="/shopping"))
    assert (await tab.state(ShoppingState)).ticked == []


async def test_every_text_field_of_the_library_and_recipe_pages_is_cleaned(browsers: tuple[Browser, Browser]) -> None:
    """Control characters and runs of spaces never reach state, database or model (clean_text)."""
    tab, _ = browsers
    recipe_id = await generate_and_save(tab)
    url = f"/recipes/{recipe_id}"
    await (await tab.send(LibraryState.set_search, value="\x00chick\x1bpea   ", url="/recipes"))
    assert (await tab.state(LibraryState)).search == "chickpea "  # one trailing space kept while typing
    await (await tab.send(LibraryState.set_search, value="spin\x07ach", url="/recipes"))
    assert (await tab.state(LibraryState)).total == 1
    await (await tab.send(LibraryState.set_cuisine_filter, value="\x00\x00", url="/recipes"))
    assert (await tab.state(LibraryState)).cuisine_filter == "all"
    await (await tab.send(LibraryState.go_to_page, page="two", url="/recipes"))
    assert (await tab.state(LibraryState)).page == 1

    await (await tab.send(RecipeState.load, url=url))
    await (await tab.send(RecipeState.save_notes, value="Less\x00 chilli\r\n\r\n\r\n\x7fnext  time\x1b", url=url))
    form = {
        "title": "  Weeknight\x00 Curry\x07 ",
        "ingredients": "2 cups\x00 chickpeas\n\x1b\n a pinch   of salt",
        "steps": "Warm\x08 everything.\r\n\x0cServe.",
    }
    await (await tab.send(RecipeState.save_edit, form=form, url=url))
    await (await tab.send(RecipeState.set_rating, value="five", url=url))  # a tampered event: ignored
    await (await tab.send(RecipeState.set_rating, value=99, url=url))
    await (await tab.send(RecipeState.load, url=url))
    detail = await tab.state(RecipeState)
    assert detail.notes == "Less chilli\n\nnext time"
    assert detail.title == "Weeknight Curry" and detail.steps == ["Warm everything.", "Serve."]
    assert [line["item"] for line in detail.ingredient_lines] == ["chickpeas", "salt"]
    assert detail.rating == 5
    await (await tab.send(RecipeState.set_change_request, value="make\x00 it\u0085 vegan", url=url))
    assert (await tab.state(RecipeState)).change_request == "make it vegan"


@given(st.one_of(st.text(max_size=30), st.integers(), st.floats(), st.none(), st.booleans(), st.lists(st.integers())))
def test_ids_and_counts_from_the_browser_are_bounded_or_absent(value: object) -> None:
    from recipe_app.pages.inputs import MAX_ID, bounded_int, parse_id

    parsed = parse_id(value)
    assert parsed is None or (isinstance(parsed, int) and 1 <= parsed <= MAX_ID)
    count = bounded_int(value, 1, 24)
    assert count is None or 1 <= count <= 24
    if isinstance(value, str) and value.isascii() and value.isdigit() and 1 <= int(value) <= MAX_ID:
        assert parsed == int(value)


async def test_the_shared_page_ignores_tampered_servings(browsers: tuple[Browser, Browser]) -> None:
    tab, stranger = browsers
    recipe_id = await generate_and_save(tab)
    url = f"/recipes/{recipe_id}"
    await (await tab.send(RecipeState.load, url=url))
    await (await tab.send(RecipeState.share, url=url))
    share = (await tab.state(RecipeState)).share_path
    for value in ("abc", "", "1e9", "²", None, "-5"):
        await (await stranger.send(SharedState.set_servings_choice, value=value, url=share))
    await (await stranger.send(SharedState.load, url=share))
    await (await stranger.send(SharedState.set_servings_choice, value="99", url=share))
    shared = await stranger.state(SharedState)
    assert shared.found and shared.servings_choice == 24
