"""The recipe's picture: drawn offline always; from the Images API (partial images first) with
IMAGE_MODEL, kept with the saved recipe (also when it finishes after Save), shown by the URL the app
serves it at, and not asked for again. The fake serves the images endpoint."""

from __future__ import annotations

import base64
import re
import threading
from collections.abc import AsyncIterator, Callable

import pytest
from sqlmodel import select

from recipe_app.core.settings import Settings
from recipe_app.db import pictures, recipes
from recipe_app.db.models import Generation, RecipePicture
from recipe_app.db.session import new_session
from recipe_app.pages.recipe.ask import RecipeAskState
from recipe_app.pages.shared import SharedState
from recipe_app.pages.studio import StudioState
from recipe_app.pages.studio.ask import StudioAskState
from recipe_app.state import BrowserState
from tests.fake_openai import IMAGES_PATH, FakeOpenAI, Reply
from tests.pages.harness import Browser, DeltaRecorder, make_processor
from tests.recipes import RECIPE_TEXT

ASK = RecipeAskState.get_full_name()
CARD = StudioAskState.get_full_name()
PARTIAL_1, PARTIAL_2, FINAL = (base64.b64encode(f"jpeg {n}".encode() * 40).decode() for n in ("blurry", "sharper", "final"))
JPEG = "data:image/jpeg;base64,"


def image_requests(fake: FakeOpenAI) -> list:
    return [r for r in fake.requests if "prompt" in r.body]


def served_at(recipe_id: int) -> re.Pattern[str]:
    """The URL the app serves a kept picture at, with its version."""
    return re.compile(rf"/pictures/{recipe_id}\?v=[0-9]+")


@pytest.fixture
async def card(settings: Settings, fake: FakeOpenAI) -> AsyncIterator[tuple[Browser, DeltaRecorder]]:
    """A finished studio card, not saved."""
    recorder = DeltaRecorder()
    async with make_processor(recorder) as processor:
        browser = Browser(processor)
        fake.script(Reply(content=RECIPE_TEXT))
        await (await browser.send(StudioState.add_item, field="ingredients", form={"item": "chickpeas"}))
        await (await browser.send(StudioState.generate))
        yield browser, recorder


@pytest.fixture
async def tab(card: tuple[Browser, DeltaRecorder]) -> AsyncIterator[tuple[Browser, DeltaRecorder, str]]:
    """The card saved; the saved recipe page's URL."""
    browser, recorder = card
    await (await browser.send(StudioState.save_recipe))
    yield browser, recorder, f"/recipes/{(await browser.state(StudioState)).saved_recipe_id}"


async def test_without_an_image_model_no_image_call_is_made_and_the_card_has_a_drawing(
    tab: tuple[Browser, DeltaRecorder, str], fake: FakeOpenAI
) -> None:
    browser, _, url = tab
    await (await browser.send(RecipeAskState.load, url=url)).wait_all()
    await (await browser.send(StudioAskState.prepare)).wait_all()
    await (await browser.send(RecipeAskState.draw_picture, url=url)).wait_all()  # even asked directly
    assert image_requests(fake) == []
    for state in (await browser.state(RecipeAskState), await browser.state(StudioAskState)):
        assert state.picture_uri.startswith("data:image/svg+xml;base64,") and not state.can_draw


async def test_with_an_image_model_the_picture_sharpens_is_kept_and_not_asked_for_again(
    tab: tuple[Browser, DeltaRecorder, str], fake: FakeOpenAI, configure: Callable[..., Settings]
) -> None:
    browser, recorder, url = tab
    configure(IMAGE_MODEL="gpt-image-1", PRICE_TABLE='{"gpt-image-1": [5.0, 40.0]}')
    fake.script(Reply(tokens=[PARTIAL_1, PARTIAL_2], content=FINAL, tokens_per_s=20))
    start = len(recorder.updates)
    await (await browser.send(RecipeAskState.load, url=url)).wait_all()  # the load asks for it
    shown = [d["picture_uri"] for d in DeltaRecorder.values_of(recorder.updates[start:], ASK) if "picture_uri" in d]
    state = await browser.state(RecipeAskState)
    assert shown[-3:-1] == [JPEG + PARTIAL_1, JPEG + PARTIAL_2]  # it sharpened as it arrived
    assert served_at(state.recipe_id).fullmatch(shown[-1])  # then the kept one, by URL
    assert not any(FINAL in update for update in map(str, recorder.updates[start:]))  # never in state
    assert state.picture_status == "done" and state.picture_usage == "50 tokens in · 272 out · ~$0.0111"
    (request,) = image_requests(fake)
    assert request.body["model"] == "gpt-image-1" and request.body["stream"] and request.body["partial_images"] == 2
    assert "Chickpea" in request.body["prompt"]
    with new_session() as db:
        assert db.get(RecipePicture, state.recipe_id).data_uri == JPEG + FINAL
        row = db.exec(select(Generation).where(Generation.kind == "image")).one()
    assert (row.status, row.model, row.prompt_tokens, row.completion_tokens) == ("complete", "gpt-image-1", 50, 272)
    kept_url = state.picture_uri
    await (await browser.send(RecipeAskState.load, url=url)).wait_all()  # a reload shows the kept one
    assert len(image_requests(fake)) == 1 and (await browser.state(RecipeAskState)).picture_uri == kept_url
    fake.script(Reply(tokens=[PARTIAL_1], content=PARTIAL_2))
    await (await browser.send(RecipeAskState.draw_picture, url=url)).wait_all()  # New picture
    new_url = (await browser.state(RecipeAskState)).picture_uri
    assert served_at(state.recipe_id).fullmatch(new_url) and new_url != kept_url  # a new version: no stale cache
    assert len(image_requests(fake)) == 2
    with new_session() as db:
        assert db.get(RecipePicture, state.recipe_id).data_uri == JPEG + PARTIAL_2


async def test_a_fault_stop_and_a_picture_too_large_leave_the_drawing_and_keep_nothing(
    tab: tuple[Browser, DeltaRecorder, str], fake: FakeOpenAI, configure: Callable[..., Settings]
) -> None:
    browser, recorder, url = tab
    configure(IMAGE_MODEL="gpt-image-1")
    fake.script(Reply(tokens=[PARTIAL_1, PARTIAL_2], content=FINAL, drop_after=1))
    await (await browser.send(RecipeAskState.load, url=url)).wait_all()
    state = await browser.state(RecipeAskState)
    assert state.picture_status == "error" and state.picture_error and state.picture_uri.startswith("data:image/svg+xml")

    fake.script(Reply(tokens=[PARTIAL_1, PARTIAL_2], content=FINAL, stall_after=1))
    start, before = len(recorder.updates), fake.request_count
    drawing = await browser.send(RecipeAskState.draw_picture, url=url)
    await recorder.wait_for(lambda: any(
        d.get("picture_uri") == JPEG + PARTIAL_1 for d in DeltaRecorder.values_of(recorder.updates[start:], ASK)))
    await (await browser.send(RecipeAskState.stop_picture, url=url))
    await drawing
    assert (await browser.state(RecipeAskState)).picture_status == "stopped"
    assert fake.request_count == before + 1 and (await fake.await_closed()).client_closed

    configure(IMAGE_MAX_BYTES="10000")
    fake.script(Reply(tokens=[], content="A" * 20_000))
    await (await browser.send(RecipeAskState.draw_picture, url=url)).wait_all()
    state = await browser.state(RecipeAskState)
    assert state.picture_error == "The picture came out too large to keep. The drawing stays."
    assert state.picture_uri.startswith("data:image/svg+xml")
    with new_session() as db:
        assert db.exec(select(RecipePicture)).all() == []


async def test_the_studio_card_asks_for_its_picture_once_and_save_keeps_it(
    card: tuple[Browser, DeltaRecorder], fake: FakeOpenAI, configure: Callable[..., Settings]
) -> None:
    browser, _ = card
    configure(IMAGE_MODEL="gpt-image-1")
    fake.script(Reply(tokens=[PARTIAL_1], content=FINAL))
    await (await browser.send(StudioAskState.prepare)).wait_all()
    assert (await browser.state(StudioAskState)).picture_uri == JPEG + FINAL  # unsaved: nowhere to serve it from
    await (await browser.send(StudioAskState.prepare)).wait_all()  # the card mounted again (a reload)
    assert len(image_requests(fake)) == 1
    await (await browser.send(StudioState.save_recipe))
    await (await browser.send(StudioAskState.keep_with_saved))  # Save keeps it with the recipe
    saved_id = (await browser.state(StudioState)).saved_recipe_id
    card_url = (await browser.state(StudioAskState)).picture_uri
    assert served_at(saved_id).fullmatch(card_url)  # and the card now shows it by URL
    await (await browser.send(RecipeAskState.load, url=f"/recipes/{saved_id}")).wait_all()
    assert (await browser.state(RecipeAskState)).picture_uri == card_url and len(image_requests(fake)) == 1
    assert IMAGES_PATH == "/v1/images/generations"


async def test_a_picture_that_finishes_after_save_is_kept_with_the_saved_recipe(
    card: tuple[Browser, DeltaRecorder], fake: FakeOpenAI, configure: Callable[..., Settings]
) -> None:
    browser, recorder = card
    configure(IMAGE_MODEL="gpt-image-1")
    final_sent = threading.Event()
    fake.script(Reply(tokens=[PARTIAL_1], content=FINAL, stall_after=1, resume=final_sent))  # holds the final back
    start = len(recorder.updates)
    drawing = await browser.send(StudioAskState.prepare)
    await recorder.wait_for(lambda: any(
        d.get("picture_uri") == JPEG + PARTIAL_1 for d in DeltaRecorder.values_of(recorder.updates[start:], CARD)))
    await (await browser.send(StudioState.save_recipe))  # Save while the picture is still drawn
    await (await browser.send(StudioAskState.keep_with_saved))
    saved_id = (await browser.state(StudioState)).saved_recipe_id
    assert (await browser.state(StudioAskState)).drawing and saved_id
    with new_session() as db:
        assert db.get(RecipePicture, saved_id) is None  # nothing finished to keep yet
    final_sent.set()  # the final image arrives after Save
    await drawing.wait_all()
    card_state = await browser.state(StudioAskState)
    assert card_state.picture_status == "done" and served_at(saved_id).fullmatch(card_state.picture_uri)
    with new_session() as db:
        assert db.get(RecipePicture, saved_id).data_uri == JPEG + FINAL
    await (await browser.send(RecipeAskState.load, url=f"/recipes/{saved_id}")).wait_all()
    assert (await browser.state(RecipeAskState)).picture_uri == card_state.picture_uri
    assert len(image_requests(fake)) == 1  # the saved page did not ask again


async def test_a_stopped_picture_is_not_kept_by_save(
    card: tuple[Browser, DeltaRecorder], fake: FakeOpenAI, configure: Callable[..., Settings]
) -> None:
    browser, recorder = card
    configure(IMAGE_MODEL="gpt-image-1")
    fake.script(Reply(tokens=[PARTIAL_1], content=FINAL, stall_after=1))
    start = len(recorder.updates)
    drawing = await browser.send(StudioAskState.prepare)
    await recorder.wait_for(lambda: any(
        d.get("picture_uri") == JPEG + PARTIAL_1 for d in DeltaRecorder.values_of(recorder.updates[start:], CARD)))
    await (await browser.send(StudioAskState.stop_picture))
    await drawing.wait_all()
    await (await browser.send(StudioState.save_recipe))
    await (await browser.send(StudioAskState.keep_with_saved))
    card_state = await browser.state(StudioAskState)
    assert card_state.picture_status == "stopped" and card_state.picture_uri == JPEG + PARTIAL_1  # still shown
    with new_session() as db:
        assert db.exec(select(RecipePicture)).all() == []  # but a half-drawn picture is not kept


async def test_the_shared_page_shows_the_kept_picture_through_its_link_until_revoked(
    tab: tuple[Browser, DeltaRecorder, str], fake: FakeOpenAI
) -> None:
    browser, _, url = tab
    recipe_id = int(url.rsplit("/", 1)[-1])
    owner = (await browser.state(BrowserState)).owner_id()
    slug = recipes.share_recipe(owner, recipe_id)
    await (await browser.send(SharedState.load, url=f"/r/{slug}"))
    assert (await browser.state(SharedState)).picture_uri.startswith("data:image/svg+xml;base64,")  # the drawing
    version = pictures.keep_picture(owner, recipe_id, JPEG + FINAL, "gpt-image-1")
    await (await browser.send(SharedState.load, url=f"/r/{slug}"))
    assert (await browser.state(SharedState)).picture_uri == f"/pictures/shared/{slug}?v={version}"
    recipes.revoke_share(owner, recipe_id)
    await (await browser.send(SharedState.load, url=f"/r/{slug}"))
    shared = await browser.state(SharedState)
    assert not shared.found and shared.picture_uri == ""
    assert image_requests(fake) == []  # a shared page never asks the image model
