"""Ask a recipe and swap its ingredients, at state level, on the real streaming core.

The upstream is the real fake provider over HTTP (or the built-in demo model), the database real
SQLite; events go through Reflex's own processor, so the deltas are the ones a browser would get.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable
from urllib.parse import quote

import pytest
from sqlmodel import select

from recipe_app.core import metrics
from recipe_app.core.settings import Settings
from recipe_app.db.models import Generation, SavedRecipe
from recipe_app.db.session import new_session
from recipe_app.pages.recipe.ask import RecipeAskState
from recipe_app.pages.studio import StudioState
from recipe_app.pages.studio.ask import StudioAskState
from tests.fake_openai import FakeOpenAI, Reply
from tests.pages.harness import Browser, DeltaRecorder, make_processor
from tests.recipes import RECIPE, RECIPE_TEXT

ASK = RecipeAskState.get_full_name()
ANSWER = (
    "Yes. Brown the onion and garlic in a large skillet, add the chickpeas and coconut milk, cover and "
    "simmer gently for 15 minutes instead of baking.\nChange: Cook it in a covered skillet on the hob"
)
SWAPS = {
    "substitutions": [
        {"item": "oat milk", "quantity": 400, "unit": "ml", "note": "lighter, still creamy"},
        {"item": "double cream", "quantity": 300, "unit": "ml", "note": "richer"},
        {"item": "cashew cream", "quantity": 350, "unit": "ml", "note": "blend soaked cashews"},
    ]
}


def rows(kind: str | None = None) -> list[Generation]:
    with new_session() as db:
        found = list(db.exec(select(Generation).order_by(Generation.id)))
    return [r for r in found if kind is None or r.kind == kind]


async def saved_recipe(tab: Browser, fake: FakeOpenAI, allergies: str = "milk") -> tuple[int, str]:
    """Generate and save the test recipe as a cook with these allergies; the saved page's URL."""
    fake.script(Reply(content=RECIPE_TEXT))
    await (await tab.send(StudioState.add_item, field="ingredients", form={"item": "chickpeas, spinach"}))
    await (await tab.send(StudioState.add_item, field="allergies", form={"item": allergies}))
    await (await tab.send(StudioState.generate))
    await (await tab.send(StudioState.save_recipe))
    recipe_id = (await tab.state(StudioState)).saved_recipe_id
    url = f"/recipes/{recipe_id}"
    await (await tab.send(RecipeAskState.load, url=url))
    return recipe_id, url


@pytest.fixture
async def tab(settings: Settings) -> AsyncIterator[tuple[Browser, DeltaRecorder]]:
    recorder = DeltaRecorder()
    async with make_processor(recorder) as processor:
        yield Browser(processor), recorder


async def test_a_question_streams_an_answer_grounded_in_the_recipe_and_is_kept_with_it(
    tab: tuple[Browser, DeltaRecorder], fake: FakeOpenAI
) -> None:
    browser, recorder = tab
    recipe_id, url = await saved_recipe(browser, fake)
    fake.script(Reply(content=ANSWER, tokens_per_s=200))
    start = len(recorder.updates)
    await (await browser.send(RecipeAskState.ask, form={"question": "Can I make this without an oven?"}, url=url))
    state = await browser.state(RecipeAskState)
    assert state.ask_status == "done" and not state.asking, state.ask_error
    assert state.answer.startswith("Yes. Brown the onion") and "Change:" not in state.answer
    assert state.change == "Cook it in a covered skillet on the hob"
    # It streamed: the answer grew over several updates before it was done.
    answers = [d["answer"] for d in DeltaRecorder.values_of(recorder.updates[start:], ASK) if "answer" in d]
    assert len(answers) >= 3 and all(a.startswith(b) or b.startswith(a[: len(b)]) for a, b in zip(answers[1:], answers))
    # Grounded: the recipe, diet and allergies travel as data with the question; its own max tokens.
    body = fake.requests[-1].body
    data = json.loads(body["messages"][-1]["content"])
    assert data["recipe"]["name"] == RECIPE["name"] and data["allergies"] == ["milk"]
    assert data["question"] == "Can I make this without an oven?"
    assert body["max_tokens"] == 500 and "response_format" not in body
    # Kept with the saved recipe: a fresh load (another visit) shows the thread.
    with new_session() as db:
        kept = json.loads(db.get(SavedRecipe, recipe_id).thread_json)
    assert kept == [{"q": "Can I make this without an oven?", "a": state.answer}]
    await (await browser.send(RecipeAskState.load, url=url))
    assert (await browser.state(RecipeAskState)).thread == kept
    row = rows("question")[-1]
    assert row.status == "complete" and row.completion_tokens > 0 and row.finished_at is not None
    # The next question carries the thread.
    fake.script(Reply(content="About 35 minutes in all."))
    await (await browser.send(RecipeAskState.ask, form={"question": "How long does it take?"}, url=url))
    assert json.loads(fake.requests[-1].body["messages"][-1]["content"])["thread"][0]["q"].startswith("Can I make")


async def test_stop_mid_answer_keeps_what_was_written_and_closes_the_upstream(
    tab: tuple[Browser, DeltaRecorder], fake: FakeOpenAI
) -> None:
    browser, recorder = tab
    _, url = await saved_recipe(browser, fake)
    fake.script(Reply(content=ANSWER * 5, tokens_per_s=40))
    running = await browser.send(RecipeAskState.ask, form={"question": "No oven?"}, url=url)
    await recorder.wait_for(lambda: any(len(d.get("answer", "")) > 20 for d in DeltaRecorder.values_of(recorder.updates, ASK)))
    await (await browser.send(RecipeAskState.stop_asking, url=url))
    await running
    state = await browser.state(RecipeAskState)
    assert state.ask_status == "stopped" and not state.asking and len(state.answer) > 20
    assert state.thread == []  # a stopped answer is not kept as if it were whole
    record = await fake.await_closed()
    assert record.client_closed and not record.completed
    assert rows("question")[-1].status == "stopped"


async def test_a_provider_fault_mid_answer_is_a_message_and_the_text_stays(
    tab: tuple[Browser, DeltaRecorder], fake: FakeOpenAI
) -> None:
    browser, _ = tab
    _, url = await saved_recipe(browser, fake)
    fake.script(Reply(content=ANSWER, drop_after=6))
    await (await browser.send(RecipeAskState.ask, form={"question": "No oven?"}, url=url))
    state = await browser.state(RecipeAskState)
    assert state.ask_status == "error" and state.ask_error and not state.asking
    assert state.answer == ANSWER[:24].strip()
    assert rows("question")[-1].status == "interrupted"
    # A 503 before any text is retried by the core, like a recipe.
    fake.script(Reply(status=503), Reply(content="Yes, it freezes well."))
    await (await browser.send(RecipeAskState.ask, form={"question": "Freeze?"}, url=url))
    assert (await browser.state(RecipeAskState)).ask_status == "error"  # OPENAI_MAX_RETRIES=0 in these settings


async def test_closing_the_tab_cancels_the_answer(
    tab: tuple[Browser, DeltaRecorder], fake: FakeOpenAI, configure: Callable[..., Settings]
) -> None:
    browser, _ = tab
    _, url = await saved_recipe(browser, fake)
    configure(TAB_GRACE_S="0.3")  # the harness has no websocket: the tab looks gone from the start
    fake.script(Reply(content=ANSWER * 20, tokens_per_s=20))
    await (await browser.send(RecipeAskState.ask, form={"question": "No oven?"}, url=url))
    record = await fake.await_closed()
    assert record.client_closed and not record.completed
    row = rows("question")[-1]
    assert row.status == "stopped" and row.error_type == "TabClosed"


async def test_bad_questions_are_said_and_nothing_is_asked(tab: tuple[Browser, DeltaRecorder], fake: FakeOpenAI) -> None:
    browser, _ = tab
    _, url = await saved_recipe(browser, fake)
    before = fake.request_count
    await (await browser.send(RecipeAskState.ask, form={"question": "  \u200b "}, url=url))
    assert (await browser.state(RecipeAskState)).ask_error == "Type a question about this recipe first."
    await (await browser.send(RecipeAskState.ask, form={"question": "why " * 100}, url=url))
    assert (await browser.state(RecipeAskState)).ask_error == "Keep the question under 300 characters."
    await (await browser.send(RecipeAskState.find_swaps, line="plutonium", url=url))
    assert (await browser.state(RecipeAskState)).swap_error == "Pick an ingredient of this recipe to swap."
    assert fake.request_count == before


async def test_questions_have_their_own_rate_limit(
    tab: tuple[Browser, DeltaRecorder], fake: FakeOpenAI, configure: Callable[..., Settings]
) -> None:
    browser, _ = tab
    _, url = await saved_recipe(browser, fake)
    configure(RATE_LIMIT_QUESTIONS_PER_BROWSER="1/minute")
    fake.default = Reply(content="Yes.")
    await (await browser.send(RecipeAskState.ask, form={"question": "Freeze?"}, url=url))
    before = fake.request_count
    await (await browser.send(RecipeAskState.ask, form={"question": "Again?"}, url=url))
    state = await browser.state(RecipeAskState)
    assert state.ask_limit.startswith("You have reached the limit of questions for now") and not state.asking
    assert fake.request_count == before


async def test_swaps_stream_in_each_checked_against_the_allergies(
    tab: tuple[Browser, DeltaRecorder], fake: FakeOpenAI
) -> None:
    browser, recorder = tab
    recipe_id, url = await saved_recipe(browser, fake, allergies="dairy")
    fake.script(Reply(content=json.dumps(SWAPS), tokens_per_s=150))
    start = len(recorder.updates)
    await (await browser.send(RecipeAskState.find_swaps, line="coconut milk", url=url))
    state = await browser.state(RecipeAskState)
    assert state.swap_status == "done", state.swap_error
    assert [s["item"] for s in state.swaps] == ["oat milk", "double cream", "cashew cream"]
    assert state.swaps[0]["amount"] == "400 ml" and state.swaps[0]["problem"] == ""
    assert state.swaps[1]["problem"] == "Not safe: may contain dairy"  # never silently offered
    counts = [len(d["swaps"]) for d in DeltaRecorder.values_of(recorder.updates[start:], ASK) if "swaps" in d]
    assert counts[0] < 3 and counts[-1] == 3  # they arrived one by one
    assert json.loads(fake.requests[-1].body["messages"][-1]["content"])["ingredient"] == "coconut milk"
    assert rows("swap")[-1].status == "complete"
    # The failing one cannot be picked; a passing one streams the recipe as a new version.
    await (await browser.send(RecipeAskState.pick_swap, index=1, url=url))
    await (await browser.send(RecipeAskState.pick_swap, index=0, url=url))
    change = "Use 400 ml oat milk instead of coconut milk; adjust the quantities and the steps that mention it"
    vegan = dict(RECIPE, name="Oat Chickpea Curry", recipeIngredient=[
        *RECIPE["recipeIngredient"][:5], {"quantity": 400, "unit": "ml", "item": "oat milk", "note": ""},
        *RECIPE["recipeIngredient"][6:]])
    fake.script(Reply(content=json.dumps(vegan)))
    studio_url = f"/?from={recipe_id}&change={quote(change)}&go=abc"
    await (await browser.send(StudioState.on_page_load, url=studio_url)).wait_all()  # load, then the stream
    studio = await browser.state(StudioState)
    assert studio.status == "done" and studio.base_recipe_id == recipe_id and studio.title == "Oat Chickpea Curry"
    sent = json.loads(fake.requests[-1].body["messages"][1]["content"])
    assert sent["changes"] == change and json.loads(sent["base_recipe"])["name"] == RECIPE["name"]
    assert rows()[-1].kind == "version"
    before = fake.request_count
    await (await browser.send(StudioState.on_page_load, url=studio_url)).wait_all()  # a reload: not again
    assert fake.request_count == before
    await (await browser.send(StudioState.save_recipe, url=studio_url))
    new_id = (await browser.state(StudioState)).saved_recipe_id
    await (await browser.send(RecipeAskState.load, url=f"/recipes/{new_id}"))
    diff = (await browser.state(RecipeAskState)).diff
    assert diff["added"] == ["400 ml oat milk"] and diff["removed"] == ["400 ml coconut milk"]


async def test_a_question_on_the_studio_card_and_apply_as_a_new_version(
    tab: tuple[Browser, DeltaRecorder], fake: FakeOpenAI
) -> None:
    browser, _ = tab
    fake.script(Reply(content=RECIPE_TEXT))
    await (await browser.send(StudioState.add_item, field="ingredients", form={"item": "chickpeas"}))
    await (await browser.send(StudioState.generate))
    await (await browser.send(StudioAskState.prepare))
    card = await browser.state(StudioAskState)
    assert card.picture_uri.startswith("data:image/svg+xml;base64,") and "coconut milk" in card.ingredient_items
    fake.script(Reply(content=ANSWER))
    await (await browser.send(StudioAskState.ask, form={"question": "No oven?"}))
    card = await browser.state(StudioAskState)
    assert card.ask_status == "done" and card.change and len(card.thread) == 1
    before = fake.request_count
    await (await browser.send(StudioAskState.apply_change)).wait_all()  # not saved yet: says so
    assert fake.request_count == before
    await (await browser.send(StudioState.save_recipe))
    await (await browser.send(StudioAskState.keep_with_saved))  # the Save button sends both
    saved_id = (await browser.state(StudioState)).saved_recipe_id
    await (await browser.send(RecipeAskState.load, url=f"/recipes/{saved_id}"))
    assert [t["q"] for t in (await browser.state(RecipeAskState)).thread] == ["No oven?"]  # went with it
    fake.script(Reply(content=json.dumps(dict(RECIPE, name="Skillet Chickpea Curry"))))
    await (await browser.send(StudioAskState.apply_change)).wait_all()
    studio = await browser.state(StudioState)
    assert studio.status == "done" and studio.title == "Skillet Chickpea Curry" and studio.base_recipe_id > 0
    assert json.loads(fake.requests[-1].body["messages"][1]["content"])["changes"] == card.change
    assert metrics.GENERATIONS_BY_KIND.labels("question", "complete")._value.get() >= 1


@pytest.fixture
async def demo_tab(
    database: str, monkeypatch: pytest.MonkeyPatch, configure: Callable[..., Settings]
) -> AsyncIterator[Browser]:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    monkeypatch.delenv("OPENAI_BASE_URL", raising=False)
    assert configure(DEMO_TOKENS_PER_S="3000", TAB_GRACE_S="3600").demo_mode
    async with make_processor(DeltaRecorder()) as processor:
        yield Browser(processor)


@pytest.mark.parametrize(
    ("question", "answer_has", "change_has"),
    [
        ("Can I make this without an oven?", "hob", "without an oven"),
        ("Make it vegan", "vegan", "vegan"),
        ("Can I freeze it?", "freezes well", ""),
        ("Can I make it ahead?", "day ahead", ""),
        ("Double it please", "Double every quantity", "servings"),
        ("What can I use instead of the spinach?", "instead of the", "instead of"),
    ],
)
async def test_the_demo_model_answers_common_questions_offline(
    demo_tab: Browser, question: str, answer_has: str, change_has: str
) -> None:
    await (await demo_tab.send(StudioState.add_item, field="ingredients", form={"item": "chicken, spinach, rice"}))
    await (await demo_tab.send(StudioState.generate))
    await (await demo_tab.send(StudioAskState.ask, form={"question": question}))
    card = await demo_tab.state(StudioAskState)
    assert card.ask_status == "done", card.ask_error
    assert answer_has.lower() in card.answer.lower()
    assert (change_has.lower() in card.change.lower()) if change_has else card.change == ""


async def test_demo_swaps_are_checked_like_a_real_model_s(demo_tab: Browser) -> None:
    await (await demo_tab.send(StudioState.add_item, field="ingredients", form={"item": "pasta, tomatoes"}))
    await (await demo_tab.send(StudioState.generate))
    card = await demo_tab.state(StudioState)
    line = next(i["item"] for i in card.ingredient_lines if "spaghetti" in i["item"] or "pasta" in i["item"])
    await (await demo_tab.send(StudioAskState.find_swaps, line=line))
    swaps = (await demo_tab.state(StudioAskState)).swaps
    assert 2 <= len(swaps) <= 3 and all(s["item"] for s in swaps)


async def test_a_flow_whose_worker_is_gone_ends_on_the_next_load_and_stop_ends_it_too(
    tab: tuple[Browser, DeltaRecorder], fake: FakeOpenAI
) -> None:
    browser, _ = tab
    _, url = await saved_recipe(browser, fake)
    from reflex.istate.manager.token import BaseStateToken
    from reflex.state import State

    manager = browser.processor._root_context.state_manager
    async with manager.modify_state(BaseStateToken(ident=browser.token, cls=State)) as root:
        state = await root.get_state(RecipeAskState)  # as a dead worker left it: running, with no session
        state.asking, state.ask_status, state._ask_run, state.answer = True, "streaming", "lost-run", "Brown the"
        state.swapping, state.swap_status, state._swap_run = True, "streaming", "lost-swap"
    await (await browser.send(RecipeAskState.load, url=url))
    state = await browser.state(RecipeAskState)
    assert (state.asking, state.ask_status, state.answer) == (False, "error", "Brown the")
    assert state.ask_error.startswith("This was interrupted because the studio restarted")
    assert not state.swapping and state.swap_status == "error"
    async with manager.modify_state(BaseStateToken(ident=browser.token, cls=State)) as root:
        state = await root.get_state(RecipeAskState)
        state.asking, state.ask_status, state._ask_run = True, "streaming", "lost-again"
    await (await browser.send(RecipeAskState.stop_asking, url=url))
    state = await browser.state(RecipeAskState)
    assert (state.asking, state.ask_status) == (False, "stopped")
