"""The studio state driven through Reflex's event processor, against the fake provider."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from sqlmodel import select

from recipe_app.db.models import Generation
from recipe_app.db.session import new_session
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
    # Finished text is not re-sent with each flush: the steps list goes out once per finished step.
    assert len(seen(recorder, "steps", start)) <= 6 < len(steps)
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
