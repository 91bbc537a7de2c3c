"""The studio state driven through Reflex's event processor, against the fake provider."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

import pytest
from sqlmodel import select

from recipe_app.components.recipe_view import CARD_TO_VAR
from recipe_app.core.settings import get_settings
from recipe_app.db.models import Generation
from recipe_app.db.session import new_session
from recipe_app.domain.card import EMPTY_CARD
from recipe_app.domain.recipe import Recipe
from recipe_app.kitchen.card import card_fields, parse_partial
from recipe_app.pages.studio.state import StudioState
from recipe_app.core.settings import Settings
from tests.fake_openai import FakeOpenAI, Reply
from tests.pages.harness import Browser, DeltaRecorder, make_processor
from tests.recipes import RECIPE_TEXT

NAME = StudioState.get_full_name()


@pytest.fixture
async def tab(settings: Settings) -> AsyncIterator[tuple[Browser, DeltaRecorder]]:
    recorder = DeltaRecorder()
    processor = make_processor(recorder)
    async with processor:
        browser = Browser(processor)
        await (await browser.send(StudioState.add_item, field="ingredients", form={"item": "chickpeas, spinach"}))
        yield browser, recorder


def studio(recorder: DeltaRecorder, since: int = 0) -> list[dict]:
    """The studio deltas after the first ``since`` updates (the tab's hydration and form events)."""
    return DeltaRecorder.values_of(recorder.updates[since:], NAME)


def seen(recorder: DeltaRecorder, var: str, since: int = 0) -> list:
    return [d[var] for d in studio(recorder, since) if var in d]


async def test_generate_streams_into_the_card_in_a_few_small_deltas(
    tab: tuple[Browser, DeltaRecorder], fake: FakeOpenAI
) -> None:
    browser, recorder = tab
    fake.script(Reply(content=RECIPE_TEXT, tokens_per_s=300, ttft=0.1))
    start = len(recorder.updates)
    await (await browser.send(StudioState.generate))
    record = fake.requests[0]
    deltas = studio(recorder, start)
    assert seen(recorder, "status", start) == ["waiting", "streaming", "done"]
    assert seen(recorder, "is_streaming", start) == [True, False]
    # The card grew over many deltas, far fewer than the chunks the provider sent.
    titles = seen(recorder, "title", start)
    assert titles[-1] == "Chickpea & Spinach Curry"
    steps = seen(recorder, "step_live", start)
    assert len(steps) >= 5
    assert len(deltas) < record.chunks_sent / 5
    # Finished text is not re-sent with each flush: the steps list goes out once per finished step,
    # and once more at each sync of the tab's state on the server (one a second, and the last).
    with new_session() as session:
        syncs = 2 + session.exec(select(Generation)).one().duration_ms // get_settings().stream_sync_ms
    assert len(seen(recorder, "steps", start)) <= 6 + syncs < len(steps)
    state = await browser.state(StudioState)
    assert state.status == "done" and state.error == ""
    assert [line["item"] for line in state.ingredient_lines][:2] == ["vegetable oil", "onion"]
    assert len(state.steps) == 5 and state.serves == 4 and state.total_time == "35 min"
    assert record.body["messages"][1]["content"].startswith('{"ingredients": ["chickpeas", "spinach"]')
    with new_session() as session:
        row = session.exec(select(Generation)).one()
    assert row.status == "complete" and row.completion_tokens == record.chunks_sent and row.model == "gpt-test"
    assert row.ttft_ms is not None and row.ttft_ms >= 100 and row.duration_ms >= row.ttft_ms


async def test_stop_closes_the_upstream_and_keeps_the_partial_recipe(
    tab: tuple[Browser, DeltaRecorder], fake: FakeOpenAI
) -> None:
    browser, recorder = tab
    fake.script(Reply(content=RECIPE_TEXT, tokens_per_s=100))
    generation = await browser.send(StudioState.generate)
    start = len(recorder.updates)
    await recorder.wait_for(lambda: any(seen(recorder, "ingredient_lines", start)))
    await (await browser.send(StudioState.stop))
    await asyncio.wait_for(generation, 5)
    record = await fake.await_closed()
    assert record.client_closed and not record.completed
    state = await browser.state(StudioState)
    assert state.status == "stopped" and not state.is_streaming
    assert state.title == "Chickpea & Spinach Curry" and state.ingredient_lines
    assert state.steps == [] or len(state.steps) < 5
    with new_session() as session:
        assert session.exec(select(Generation)).one().status == "stopped"


async def test_a_second_click_does_not_start_a_second_stream(
    tab: tuple[Browser, DeltaRecorder], fake: FakeOpenAI
) -> None:
    browser, _ = tab
    fake.default = Reply(content=RECIPE_TEXT, tokens_per_s=500)
    first = await browser.send(StudioState.generate)
    second = await browser.send(StudioState.generate)
    await asyncio.gather(first, second)
    assert fake.request_count == 1


async def test_invalid_form_shows_field_messages_and_calls_nobody(settings: Settings, fake: FakeOpenAI) -> None:
    recorder = DeltaRecorder()
    async with make_processor(recorder) as processor:
        browser = Browser(processor, token="empty-tab")
        await (await browser.send(StudioState.set_max_minutes, value="soon"))
        await (await browser.send(StudioState.generate))
        state = await browser.state(StudioState)
    assert state.field_errors == {
        "max_minutes": "Enter a whole number of minutes.",
        "ingredients": "Add at least one ingredient or a dish idea.",
    }
    assert state.status == "idle" and fake.request_count == 0


async def test_an_upstream_error_is_a_message_not_a_crash(tab: tuple[Browser, DeltaRecorder], fake: FakeOpenAI) -> None:
    browser, _ = tab
    fake.script(Reply(status=401))
    await (await browser.send(StudioState.generate))
    state = await browser.state(StudioState)
    assert state.status == "error" and state.error == "The studio can't sign in to its AI service right now. Please let the site owner know."
    assert not state.is_streaming


async def test_a_generation_orphaned_by_a_restart_is_ended_on_reload(tab: tuple[Browser, DeltaRecorder]) -> None:
    browser, _ = tab
    state = await browser.state(StudioState)
    state.is_streaming, state.status, state.title = True, "streaming", "Half a soup"  # as saved before a restart
    await (await browser.send(StudioState.on_page_load))
    state = await browser.state(StudioState)
    assert (state.status, state.is_streaming, state.title) == ("error", False, "Half a soup")
    assert state.error.startswith("The recipe was interrupted because the studio restarted.")


async def test_a_restart_before_the_tab_was_saved_recovers_from_the_generation_row(
    tab: tuple[Browser, DeltaRecorder]
) -> None:
    """The tab's saved state predates its generation (states are written to disk lazily): the row's
    saved text is what is left, and the reload shows it, interrupted, with Continue offered."""
    from recipe_app.db import generations
    from recipe_app.domain.request import RecipeRequest
    from tests.recipes import RECIPE_TEXT

    browser, _ = tab
    request = RecipeRequest(ingredients=["leeks"], servings=3)
    gid = generations.start_generation(browser.token, request.model_dump_json(), "gpt-test")
    generations.save_progress({gid: RECIPE_TEXT[:700]})  # the last progress write before the restart
    await (await browser.send(StudioState.on_page_load))
    state = await browser.state(StudioState)
    assert (state.status, state.is_streaming) == ("error", False) and state.can_continue
    assert state.title == "Chickpea & Spinach Curry" and state.ingredient_lines
    assert state.ingredients == ["leeks"] and state.servings == 3, "the form shows what was asked"
    with new_session() as db:
        row = db.get(Generation, gid)
        assert (row.status, row.error_type) == ("interrupted", "WorkerLost") and row.finished_at is not None
    await (await browser.send(StudioState.on_page_load))  # a second reload finds nothing left to end
    assert (await browser.state(StudioState)).status == "error"


async def test_a_streaming_recipe_is_persisted_every_few_seconds(
    tab: tuple[Browser, DeltaRecorder], fake: FakeOpenAI, monkeypatch: pytest.MonkeyPatch
) -> None:
    from recipe_app.db.generations import recent_generations
    from recipe_app.generation import recording

    monkeypatch.setattr(recording, "PROGRESS_EVERY_S", 0.2)
    browser, _ = tab
    fake.script(Reply(content=RECIPE_TEXT, tokens_per_s=100))
    generation = await browser.send(StudioState.generate)
    await fake.await_requests(1)
    saved: list[str] = []

    async def watch_row() -> None:  # the row, while the stream is still running
        while not saved or len(saved[-1]) < 200:
            await asyncio.sleep(0.1)
            text = recent_generations(1)[0].recipe_json
            if text and (not saved or text != saved[-1]):
                saved.append(text)

    await asyncio.wait_for(watch_row(), 10)
    assert not fake.requests[0].completed and len(saved) >= 2
    assert all(RECIPE_TEXT.startswith(text) for text in saved)
    await (await browser.send(StudioState.stop))
    await generation
    row = recent_generations(1)[0]
    assert row.status == "stopped" and RECIPE_TEXT.startswith(row.recipe_json) and len(row.recipe_json) >= len(saved[-1])


# ---- updates between syncs: sent without the tab's lock, the state catching up ----------------------


def sync_every(monkeypatch: pytest.MonkeyPatch, ms: int) -> None:
    monkeypatch.setenv("STREAM_SYNC_MS", str(ms))
    get_settings.cache_clear()


def prefix_cards(pieces: list[str]) -> list[str]:
    """Every card the answer shows at some prefix of its pieces, and the finished recipe's, as keys."""
    text, keys = "", [card_key(card_fields(parse_partial("")))]
    for piece in pieces:
        text += piece
        keys.append(card_key(card_fields(parse_partial(text))))
    keys.append(card_key(card_fields(Recipe.model_validate_json(text).model_dump(), final=True)))
    return keys


async def streaming(
    tab: tuple[Browser, DeltaRecorder], fake: FakeOpenAI, monkeypatch: pytest.MonkeyPatch, sync_ms: int, tokens_per_s: float
) -> tuple[Browser, DeltaRecorder, int, Any]:
    """A recipe started with syncs every ``sync_ms``: the tab, its deltas, where its own begin, the event."""
    browser, recorder = tab
    sync_every(monkeypatch, sync_ms)
    fake.script(Reply(content=RECIPE_TEXT, tokens_per_s=tokens_per_s))
    start = len(recorder.updates)
    return browser, recorder, start, await browser.send(StudioState.generate)


def tab_lock(browser: Browser) -> Any:
    """The tab's state lock, held as another event of the same tab would hold it (yields the root state)."""
    from reflex.istate.manager.token import BaseStateToken
    from reflex.state import State

    manager = browser.processor._root_context.state_manager
    return manager.modify_state(BaseStateToken(ident=browser.token, cls=State))


def card_key(card: dict) -> str:
    return json.dumps(card, sort_keys=True)


def view_card(view: dict) -> dict:
    """The card a browser shows from the studio vars it has received."""
    return {key: view.get(CARD_TO_VAR.get(key, key), empty) for key, empty in EMPTY_CARD.items()}


@pytest.mark.parametrize("sync_ms", [0, 150, 10_000])
async def test_every_delta_leaves_the_browser_a_card_the_answer_had_and_the_last_one_is_the_recipe(
    tab: tuple[Browser, DeltaRecorder], fake: FakeOpenAI, monkeypatch: pytest.MonkeyPatch, sync_ms: int
) -> None:
    """Whether an update took the lock (0), some did (150 ms) or only the first and the last (10 s)."""
    browser, recorder = tab
    sync_every(monkeypatch, sync_ms)
    reply = Reply(content=RECIPE_TEXT, tokens_per_s=400)
    fake.script(reply)
    start = len(recorder.updates)
    await (await browser.send(StudioState.generate))
    cards = set(prefix_cards(reply.pieces()))
    view: dict = {}
    for number, delta in enumerate(studio(recorder, start)):
        view.update(delta)
        assert card_key(view_card(view)) in cards, f"delta {number} leaves a card no prefix of the answer had"
    state = await browser.state(StudioState)
    assert view_card(view) == state._card() and state.status == view["status"] == "done"
    assert [line["item"] for line in view["ingredient_lines"]][:2] == ["vegetable oil", "onion"]
    assert view["step_live"] == "" and len(view["steps"]) == 5


async def test_the_card_keeps_streaming_while_another_event_holds_the_tab(
    tab: tuple[Browser, DeltaRecorder], fake: FakeOpenAI, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A long event of the same tab (a save, a question) does not freeze the card between syncs."""
    browser, recorder, start, generation = await streaming(tab, fake, monkeypatch, 10_000, tokens_per_s=100)
    await recorder.wait_for(lambda: "streaming" in seen(recorder, "status", start))
    async with tab_lock(browser):
        held = len(recorder.updates)
        await recorder.wait_for(lambda: len(studio(recorder, held)) >= 3)
        assert not fake.requests[0].completed
    await (await browser.send(StudioState.stop))
    await asyncio.wait_for(generation, 5)


async def test_the_state_on_the_server_catches_up_while_the_recipe_streams(
    tab: tuple[Browser, DeltaRecorder], fake: FakeOpenAI, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What a reload would hydrate: one sync behind at most, then brought up to date by deltas."""
    browser, recorder, start, generation = await streaming(tab, fake, monkeypatch, 150, tokens_per_s=120)
    await recorder.wait_for(lambda: any(seen(recorder, "ingredient_lines", start)))
    reloaded = len(recorder.updates)
    snapshot = await browser.state(StudioState)  # a reload now hydrates from this
    view = {name: getattr(snapshot, name) for name in map(lambda k: CARD_TO_VAR.get(k, k), EMPTY_CARD)}
    assert snapshot.is_streaming and snapshot.title == "Chickpea & Spinach Curry"
    await asyncio.wait_for(generation, 15)
    for delta in studio(recorder, reloaded):
        view.update(delta)
    assert view_card(view) == (await browser.state(StudioState))._card()
    assert len(view["steps"]) == 5 and view["step_live"] == ""


async def test_a_sync_sends_a_field_that_went_back_to_what_the_last_sync_left(tab: tuple[Browser, DeltaRecorder]) -> None:
    """The live step was empty at the last sync, then sent as "Serve" without the lock; the batch of
    the sync empties it again (the step finished). The browser must get the empty value."""
    browser, _ = tab
    async with tab_lock(browser) as root:
        state = await root.get_state(StudioState)
        assert state.step_live == ""
        root._clean()
        state._catch_up({"step_live": "Serve"}, {"step_live": "", "section": "tips"})
        delta = DeltaRecorder.values_of([root.get_delta()], NAME)[0]
        root._clean()
    assert delta["step_live"] == "" and delta["section"] == "tips"


async def test_a_reload_between_syncs_shows_what_the_tab_was_sent(
    tab: tuple[Browser, DeltaRecorder], fake: FakeOpenAI, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On the worker running the recipe, the page load of a reload sets what was sent since the last
    sync, so the reloaded card is not older than the one the cook saw (no sync is due for 10 s)."""
    browser, recorder, start, generation = await streaming(tab, fake, monkeypatch, 10_000, tokens_per_s=100)
    await recorder.wait_for(lambda: any(seen(recorder, "ingredient_lines", start)))
    shown = {}
    for delta in studio(recorder, start):
        shown.update(delta)
    await (await browser.send(StudioState.on_page_load))
    state = await browser.state(StudioState)
    assert state.is_streaming and state.title == shown["title"] == "Chickpea & Spinach Curry"
    assert [line["item"] for line in state.ingredient_lines][: len(shown["ingredient_lines"])] == [
        line["item"] for line in shown["ingredient_lines"]
    ]
    await (await browser.send(StudioState.stop))
    await asyncio.wait_for(generation, 5)
