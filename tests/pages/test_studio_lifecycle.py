"""Stuck-tab regressions through the page state: whatever broke, Stop and Generate work afterwards."""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
from sqlmodel import select

from recipe_app.core.settings import Settings
from recipe_app.db import generations
from recipe_app.db.models import Generation
from recipe_app.db.session import new_session
from recipe_app.generation import run as run_module, session
from recipe_app.pages.studio.state import StudioState
from tests.fake_openai import FakeOpenAI, Reply
from tests.pages.harness import Browser, DeltaRecorder, make_processor
from tests.recipes import RECIPE, RECIPE_TEXT

NAME = StudioState.get_full_name()


@pytest.fixture
async def tab(settings: Settings, configure: Callable[..., Settings]) -> AsyncIterator[tuple[Browser, DeltaRecorder]]:
    configure(STALL_TIMEOUT_S="0.5")
    recorder = DeltaRecorder()
    async with make_processor(recorder) as processor:
        browser = Browser(processor)
        await (await browser.send(StudioState.add_item, field="ingredients", form={"item": "chickpeas"}))
        yield browser, recorder


def rows() -> list[Generation]:
    with new_session() as db:
        return list(db.exec(select(Generation).order_by(Generation.id)))


async def generate_again_works(browser: Browser, fake: FakeOpenAI) -> None:
    fake.script(Reply(content=RECIPE_TEXT))
    await (await browser.send(StudioState.generate))
    state = await browser.state(StudioState)
    assert state.status == "done" and not state.is_streaming and state.title == RECIPE["name"]
    assert rows()[-1].status == "complete"


async def test_a_crash_in_card_building_ends_the_tab_and_generate_works_again(
    tab: tuple[Browser, DeltaRecorder], fake: FakeOpenAI, monkeypatch: pytest.MonkeyPatch
) -> None:
    browser, _ = tab
    real, calls = run_module.card_fields, {"n": 0}

    def overflow_on_the_third_batch(*args: Any, **kwargs: Any) -> dict[str, Any]:
        calls["n"] += 1
        if calls["n"] == 3:
            raise OverflowError("cannot convert float infinity to integer")
        return real(*args, **kwargs)

    monkeypatch.setattr(run_module, "card_fields", overflow_on_the_third_batch)
    fake.script(Reply(content=RECIPE_TEXT, tokens_per_s=200))
    await (await browser.send(StudioState.generate))
    state = await browser.state(StudioState)
    assert state.status == "error" and not state.is_streaming and "What was shown is kept" in state.error
    assert (rows()[-1].status, rows()[-1].error_type) == ("failed", "UnexpectedFailure")
    assert rows()[-1].finished_at is not None
    monkeypatch.setattr(run_module, "card_fields", real)
    await generate_again_works(browser, fake)


async def test_a_model_writing_infinity_is_a_message_and_the_row_says_failed(
    tab: tuple[Browser, DeltaRecorder], fake: FakeOpenAI
) -> None:
    browser, _ = tab
    fake.script(Reply(content=RECIPE_TEXT.replace('"calories": 420', '"calories": 1e999')))
    await (await browser.send(StudioState.generate))
    state = await browser.state(StudioState)
    assert state.status == "error" and not state.is_streaming and state.error
    assert rows()[-1].status == "failed"
    await generate_again_works(browser, fake)


async def test_stop_during_the_row_insert_ends_stopped_and_calls_no_provider(
    tab: tuple[Browser, DeltaRecorder], fake: FakeOpenAI, monkeypatch: pytest.MonkeyPatch
) -> None:
    browser, _ = tab
    inserting, release = threading.Event(), threading.Event()
    real = generations.start_generation

    def slow_insert(*args: Any, **kwargs: Any) -> int:
        inserting.set()
        release.wait(10)
        return real(*args, **kwargs)

    monkeypatch.setattr(generations, "start_generation", slow_insert)
    generation = await browser.send(StudioState.generate)
    assert await asyncio.to_thread(inserting.wait, 5)
    await (await browser.send(StudioState.stop))
    release.set()
    await asyncio.wait_for(generation, 10)
    state = await browser.state(StudioState)
    assert state.status == "stopped" and not state.is_streaming and fake.request_count == 0
    row = rows()[-1]
    assert row.status == "stopped" and row.finished_at is not None
    assert session.running(browser.token) is None
    monkeypatch.setattr(generations, "start_generation", real)
    await generate_again_works(browser, fake)


async def test_a_database_error_at_the_insert_is_a_message_not_a_stuck_tab(
    tab: tuple[Browser, DeltaRecorder], fake: FakeOpenAI, monkeypatch: pytest.MonkeyPatch
) -> None:
    browser, _ = tab
    real = generations.start_generation

    def locked(*args: Any, **kwargs: Any) -> int:
        raise RuntimeError("database is locked")

    monkeypatch.setattr(generations, "start_generation", locked)
    await (await browser.send(StudioState.generate))
    state = await browser.state(StudioState)
    assert state.status == "error" and not state.is_streaming and state.can_retry
    assert state.error == session.StorageUnavailable.user_message and fake.request_count == 0
    monkeypatch.setattr(generations, "start_generation", real)
    await generate_again_works(browser, fake)


async def interrupted_part_way(browser: Browser, fake: FakeOpenAI) -> tuple[list[str], str]:
    fake.script(Reply(content=RECIPE_TEXT, drop_after=260))
    await (await browser.send(StudioState.generate))
    state = await browser.state(StudioState)
    assert state.can_continue and state.title and len(state.steps) > 1
    return list(state.steps), state.title


async def test_continue_that_writes_the_whole_recipe_again_is_merged(
    tab: tuple[Browser, DeltaRecorder], fake: FakeOpenAI
) -> None:
    browser, recorder = tab
    steps, title = await interrupted_part_way(browser, fake)
    fake.script(Reply(content=RECIPE_TEXT))  # a fresh JSON object instead of the rest
    start = len(recorder.updates)
    await (await browser.send(StudioState.continue_recipe))
    state = await browser.state(StudioState)
    assert state.status == "done" and state.title == title and len(state.steps) == len(RECIPE["recipeInstructions"])
    for shown in cards_seen(recorder, start, {"steps": steps, "step_live": "", "title": title}):
        visible = shown["steps"] + ([shown["step_live"]] if shown["step_live"] else [])
        assert len(visible) >= len(steps) and all(v.startswith(s) for v, s in zip(visible, steps)), "never backwards"
        assert shown["title"] == title


def cards_seen(recorder: DeltaRecorder, start: int, card: dict[str, Any]) -> list[dict[str, Any]]:
    """The card (the fields of ``card``) after each delta from ``start`` on, as the browser shows it."""
    card, seen = dict(card), []
    for delta in DeltaRecorder.values_of(recorder.updates[start:], NAME):
        card.update({k: v for k, v in delta.items() if k in card})
        seen.append(dict(card))
    return seen


async def test_continue_that_answers_garbage_keeps_the_card_and_says_so(
    tab: tuple[Browser, DeltaRecorder], fake: FakeOpenAI
) -> None:
    browser, recorder = tab
    steps, title = await interrupted_part_way(browser, fake)
    other = json.dumps({**RECIPE, "name": "Something else entirely"})
    fake.script(Reply(content="}" + other[: len(other) // 2]))  # a stray character, then a new document
    start = len(recorder.updates)
    await (await browser.send(StudioState.continue_recipe))
    state = await browser.state(StudioState)
    assert state.status == "error" and state.title == title and list(state.steps) == steps
    assert state.error and "What was shown is kept" in state.error
    seen = DeltaRecorder.values_of(recorder.updates[start:], NAME)
    assert not any(d.get("title") == "" or d.get("steps") == [] for d in seen), "nothing the cook saw was blanked"


async def test_a_stopped_recipe_shows_the_tokens_it_cost(tab: tuple[Browser, DeltaRecorder], fake: FakeOpenAI) -> None:
    browser, _ = tab
    fake.script(Reply(content=RECIPE_TEXT, tokens_per_s=100))
    generation = await browser.send(StudioState.generate)
    while not (await browser.state(StudioState)).ingredient_lines:
        await asyncio.sleep(0.02)
    await (await browser.send(StudioState.stop))
    await asyncio.wait_for(generation, 5)
    state = await browser.state(StudioState)
    row = rows()[-1]
    assert state.status == "stopped" and row.status == "stopped"
    assert row.prompt_tokens > 0 and row.completion_tokens > 0, "the prompt is billed even when stopped"
    assert f"{row.prompt_tokens} tokens in" in state.usage
