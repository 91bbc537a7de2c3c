"""The generation lifecycle without Reflex: every ending is true, whatever fails and whenever a cancel lands.

A "tab" here is a dict behind an asyncio lock, fed exactly as the studio page feeds its state: each
change set under the lock, then the session's final change set. The upstream is the real fake
provider over HTTP, the database real SQLite.
"""

from __future__ import annotations

import asyncio
import gc
import sys
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from sqlmodel import select

from recipe_app.core.settings import Settings
from recipe_app.db import generations
from recipe_app.db.models import Generation
from recipe_app.db.session import new_session as db_session
from recipe_app.domain.card import EMPTY_CARD
from recipe_app.domain.request import RecipeRequest
from recipe_app.generation import recording, run as run_module, session
from recipe_app.generation.session import GenerationSession
from tests.fake_openai import FakeOpenAI, Reply
from tests.recipes import RECIPE, RECIPE_TEXT

REQUEST = RecipeRequest(ingredients=["chickpeas", "spinach"], allergies=["peanuts"])
TERMINAL = {"done", "stopped", "error"}


class Tab:
    """What a browser tab would show, updated the way the page state is."""

    def __init__(self) -> None:
        self.lock = asyncio.Lock()
        self.card: dict[str, Any] = {**EMPTY_CARD, "status": "waiting", "is_streaming": True}
        self.history: list[dict[str, Any]] = []
        self.apply_hook: Callable[[], Any] | None = None

    async def apply(self, changes: dict[str, Any]) -> None:
        async with self.lock:
            if self.apply_hook is not None:
                await self.apply_hook()
            self.card.update(changes)
            self.history.append(dict(self.card))


async def drive(generation: GenerationSession, tab: Tab) -> None:
    """The page handler's few lines."""
    try:
        async with generation:
            async for changes in generation.updates():
                await tab.apply(changes)
    finally:
        await tab.apply(generation.final)


def new_session(settings: Settings, tab: Tab, **kwargs: Any) -> GenerationSession:
    return GenerationSession(
        settings, REQUEST, token="tab-1", run_id=session.new_run_id(), notify=tab.apply, **kwargs
    )


def rows() -> list[Generation]:
    with db_session() as db:
        return list(db.exec(select(Generation).order_by(Generation.id)))


def assert_ended_true(tab: Tab, generation: GenerationSession, *, status: str | None = None) -> Generation | None:
    """The invariants of every ending."""
    assert tab.card["status"] in TERMINAL and tab.card["is_streaming"] is False, tab.card
    if tab.card["status"] == "error":
        assert tab.card["error"], "an error ends with a message for the cook"
    if status is not None:
        assert tab.card["status"] == status
    assert session.running("tab-1") is None
    assert generation._watchdog is None or generation._watchdog.done()
    found = rows()
    for row in found:
        assert row.finished_at is not None and row.status not in ("streaming", ""), (row.status, row.finished_at)
        if tab.card["status"] != "done":
            assert row.status != "complete", "only a shown, validated recipe is recorded complete"
    return found[-1] if found else None


@pytest.fixture(autouse=True)
def _fast_watchdog(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(session, "POLL_S", 0.05)


async def test_a_recipe_streams_and_ends_done_with_a_complete_row(settings: Settings, fake: FakeOpenAI) -> None:
    fake.default = Reply(content=RECIPE_TEXT, tokens_per_s=2000)
    tab = Tab()
    generation = new_session(settings, tab)
    await drive(generation, tab)
    row = assert_ended_true(tab, generation, status="done")
    assert tab.card["title"] == RECIPE["name"] and len(tab.card["steps"]) == len(RECIPE["recipeInstructions"])
    assert row is not None and row.status == "complete" and row.id == tab.card["_generation_id"]
    assert tab.card["usage"].startswith(f"{row.prompt_tokens} tokens in")


async def test_an_exception_in_card_building_ends_failed_not_complete(
    settings: Settings, fake: FakeOpenAI, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    fake.default = Reply(content=RECIPE_TEXT, tokens_per_s=100)
    real, calls = run_module.card_fields, {"n": 0}

    def breaks_on_the_third_batch(*args: Any, **kwargs: Any) -> dict[str, Any]:
        calls["n"] += 1
        if calls["n"] == 3:
            raise OverflowError("cannot convert float infinity to integer")
        return real(*args, **kwargs)

    monkeypatch.setattr(run_module, "card_fields", breaks_on_the_third_batch)
    tab = Tab()
    generation = new_session(settings, tab)
    await drive(generation, tab)
    row = assert_ended_true(tab, generation, status="error")
    assert row is not None and (row.status, row.error_type) == ("failed", "UnexpectedFailure")
    assert "What was shown is kept" in tab.card["error"] and tab.card["can_retry"]
    assert "OverflowError" in caplog.text, "the operator gets the traceback"
    assert (await fake.await_closed()).client_closed, "the upstream is closed, not left streaming"


async def test_a_model_writing_infinity_ends_with_a_message(settings: Settings, fake: FakeOpenAI) -> None:
    hostile = RECIPE_TEXT.replace('"calories": 420', '"calories": 1e999').replace('"recipeYield": 4', '"recipeYield": 83888')
    assert hostile != RECIPE_TEXT
    fake.default = Reply(content=hostile, tokens_per_s=3000)
    tab = Tab()
    generation = new_session(settings, tab)
    await drive(generation, tab)
    row = assert_ended_true(tab, generation, status="error")
    assert row is not None and row.status == "failed" and row.error_type == "UnreadableRecipe"
    assert tab.card["title"] == RECIPE["name"] and tab.card["serves"] == 0  # shown, but never 83 888


async def test_a_failing_row_insert_ends_with_a_message_and_calls_no_provider(
    settings: Settings, fake: FakeOpenAI, monkeypatch: pytest.MonkeyPatch
) -> None:
    def locked(*args: Any, **kwargs: Any) -> int:
        raise RuntimeError("database is locked")

    monkeypatch.setattr(generations, "start_generation", locked)
    tab = Tab()
    generation = new_session(settings, tab)
    await drive(generation, tab)
    assert_ended_true(tab, generation, status="error")
    assert tab.card["error"] == session.StorageUnavailable.user_message and fake.request_count == 0


async def test_a_failing_final_write_is_retried_and_the_tab_ends_anyway(
    settings: Settings, fake: FakeOpenAI, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake.default = Reply(content=RECIPE_TEXT, tokens_per_s=3000)
    real, calls = recording.record_outcome, {"n": 0}

    def locked_once(*args: Any, **kwargs: Any) -> None:
        calls["n"] += 1
        if calls["n"] == 1:
            raise RuntimeError("database is locked")
        real(*args, **kwargs)

    monkeypatch.setattr(session, "record_outcome", locked_once)
    tab = Tab()
    generation = new_session(settings, tab)
    await drive(generation, tab)
    row = assert_ended_true(tab, generation, status="done")
    assert row is not None and row.status == "complete" and calls["n"] == 2


async def test_a_database_that_stays_down_still_ends_the_tab(
    settings: Settings, fake: FakeOpenAI, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake.default = Reply(content=RECIPE_TEXT, tokens_per_s=3000)

    def down(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("database is down")

    monkeypatch.setattr(session, "record_outcome", down)
    tab = Tab()
    generation = new_session(settings, tab)
    await drive(generation, tab)
    assert tab.card["status"] == "done" and not tab.card["is_streaming"] and session.running("tab-1") is None


async def test_stop_before_any_text_says_so_and_bills_the_prompt(settings: Settings, fake: FakeOpenAI) -> None:
    fake.default = Reply(content=RECIPE_TEXT, ttft=30)
    tab = Tab()
    generation = new_session(settings, tab)
    task = asyncio.create_task(drive(generation, tab))
    await fake.await_requests(1)
    assert session.stop("tab-1", generation.run_id)
    await asyncio.wait_for(task, 5)
    row = assert_ended_true(tab, generation, status="stopped")
    assert tab.card["title"] == "" and row is not None and row.status == "stopped"
    assert (await fake.await_closed()).client_closed


class _Gate:
    """A blocking point inside the lifecycle that a test opens when it likes."""

    def __init__(self) -> None:
        self.reached = asyncio.Event()
        self.opened = asyncio.Event()

    async def wait(self) -> None:
        self.reached.set()
        await self.opened.wait()


CANCEL_POINTS = ["row_insert", "first_token", "mid_stream", "state_lock", "final_write", "retry_notice"]


@pytest.mark.parametrize("how", ["stop", "outside"])
@pytest.mark.parametrize("point", CANCEL_POINTS)
async def test_a_cancel_at_each_await_ends_true(
    settings: Settings, fake: FakeOpenAI, monkeypatch: pytest.MonkeyPatch, configure: Callable[..., Settings],
    point: str, how: str,
) -> None:
    """Stop (ours) or a cancel from outside (shutdown) at each await of the lifecycle."""
    loop = asyncio.get_running_loop()
    gate = _Gate()
    fake.default = Reply(content=RECIPE_TEXT, tokens_per_s=200)
    if point == "row_insert":
        real_start = generations.start_generation

        def slow_insert(*args: Any, **kwargs: Any) -> int:
            asyncio.run_coroutine_threadsafe(gate.wait(), loop).result(10)
            return real_start(*args, **kwargs)

        monkeypatch.setattr(generations, "start_generation", slow_insert)
    elif point == "first_token":
        fake.default = Reply(content=RECIPE_TEXT, ttft=30)
    elif point == "final_write":
        real_record = recording.record_outcome

        def slow_record(*args: Any, **kwargs: Any) -> None:
            asyncio.run_coroutine_threadsafe(gate.wait(), loop).result(10)
            real_record(*args, **kwargs)

        monkeypatch.setattr(session, "record_outcome", slow_record)
    elif point == "retry_notice":
        settings = configure(OPENAI_MAX_RETRIES="2", RETRY_BACKOFF_S="30")
        fake.script(Reply(status=503), Reply(content=RECIPE_TEXT))
    tab = Tab()
    if point == "state_lock":
        tab.apply_hook = gate.wait if len(tab.history) == 0 else None
    generation = new_session(settings, tab)
    task = asyncio.create_task(drive(generation, tab))
    if point in ("row_insert", "state_lock", "final_write"):
        await asyncio.wait_for(gate.reached.wait(), 5)
    elif point == "retry_notice":
        await asyncio.wait_for(_until(lambda: bool(tab.card.get("notice"))), 5)
    elif point == "first_token":
        await fake.await_requests(1)
    else:  # mid_stream
        await asyncio.wait_for(_until(lambda: len(tab.card["ingredients"]) > 0), 5)

    if how == "stop":
        generation.end("stopped")
    else:
        task.cancel()
    gate.opened.set()
    tab.apply_hook = None
    try:
        await asyncio.wait_for(task, 10)
    except asyncio.CancelledError:
        assert how == "outside", "our own Stop never escapes as a cancel"
    row = assert_ended_true(tab, generation)
    if how == "stop" and point != "final_write":
        assert tab.card["status"] == "stopped" and row is not None and row.status == "stopped"
    if how == "outside" and point not in ("final_write",):
        assert tab.card["status"] in ("error", "stopped", "done")
    for index, record in enumerate(fake.requests):
        if record.status == 200:  # every stream that opened was read to its end or closed by us
            record = await fake.await_closed(index)
            assert record.completed or record.client_closed


async def _until(predicate: Callable[[], bool]) -> None:
    while not predicate():
        await asyncio.sleep(0.01)


@pytest.fixture
def no_collector() -> Iterator[None]:
    """Nothing is closed by the garbage collector: abandoned async generators are never finalised."""
    hooks = sys.get_asyncgen_hooks()
    gc.disable()
    sys.set_asyncgen_hooks(firstiter=hooks.firstiter, finalizer=lambda agen: None)
    try:
        yield
    finally:
        sys.set_asyncgen_hooks(*hooks)
        gc.enable()


async def test_stop_closes_the_upstream_without_the_garbage_collector(
    settings: Settings, fake: FakeOpenAI, no_collector: None
) -> None:
    fake.default = Reply(content=RECIPE_TEXT, tokens_per_s=150)
    tab = Tab()
    generation = new_session(settings, tab)
    task = asyncio.create_task(drive(generation, tab))
    await asyncio.wait_for(_until(lambda: len(tab.card["ingredients"]) > 0), 5)
    generation.end("stopped")
    await asyncio.wait_for(task, 5)
    record = await fake.await_closed()
    assert record.client_closed and not record.completed


async def test_a_stop_between_updates_closes_the_upstream_without_the_garbage_collector(
    settings: Settings, fake: FakeOpenAI, no_collector: None
) -> None:
    """The cross-worker Stop: noticed while a change set is applied, ending the loop early."""
    fake.default = Reply(content=RECIPE_TEXT, tokens_per_s=150)
    tab = Tab()
    generation = new_session(settings, tab)

    async def stopped_while_applying() -> None:
        if tab.card["ingredients"]:
            generation.end("stopped")

    tab.apply_hook = stopped_while_applying
    await asyncio.wait_for(drive(generation, tab), 5)
    assert tab.card["status"] == "stopped"
    record = await fake.await_closed()
    assert record.client_closed and not record.completed


async def test_a_presence_check_that_cannot_run_still_ends_a_closed_tab(
    settings: Settings, fake: FakeOpenAI, configure: Callable[..., Settings], caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    settings = configure(TAB_GRACE_S="0.05")
    monkeypatch.setattr(session, "UNKNOWN_PRESENCE_MIN_S", 0.3)
    fake.default = Reply(content=RECIPE_TEXT, tokens_per_s=20)

    async def broken(token: str) -> bool:
        raise AttributeError("'EventNamespace' object has no attribute '_token_manager'")

    tab = Tab()
    generation = new_session(settings, tab, presence=broken)
    await asyncio.wait_for(drive(generation, tab), 10)
    row = assert_ended_true(tab, generation, status="stopped")
    assert row is not None and row.error_type == "TabClosed"
    assert caplog.text.count("presence check failed") == 1, "logged once, counted every time"


@pytest.mark.parametrize("how", ["stop", "outside"])
@pytest.mark.parametrize("ticks", [1, 2, 3, 5, 8, 13, 21, 34, 55, 89, 144])
async def test_a_cancel_after_any_number_of_loop_steps_ends_true(
    settings: Settings, fake: FakeOpenAI, ticks: int, how: str
) -> None:
    """A sweep over the lifecycle's await points: cancel after ``ticks`` turns of the event loop (from 1:
    a task cancelled before it ever ran has no lifecycle; the page recovers such a tab on reload)."""
    fake.default = Reply(content=RECIPE_TEXT, tokens_per_s=400)
    tab = Tab()
    generation = new_session(settings, tab)
    task = asyncio.create_task(drive(generation, tab))
    for _ in range(ticks):
        await asyncio.sleep(0)
    if how == "stop":
        generation.end("stopped")
    else:
        task.cancel()
    try:
        await asyncio.wait_for(task, 10)
    except asyncio.CancelledError:
        assert how == "outside"
    assert_ended_true(tab, generation)
    for index, record in enumerate(fake.requests):
        record = await fake.await_closed(index)
        assert record.completed or record.client_closed


async def test_a_handled_stop_leaves_the_handler_task_uncancelled(settings: Settings, fake: FakeOpenAI) -> None:
    """After a Stop the handler goes on (its final state update); a timeout in it must still work."""
    fake.default = Reply(content=RECIPE_TEXT, ttft=30)
    tab = Tab()
    generation = new_session(settings, tab)

    async def handler() -> int:
        await drive(generation, tab)
        async with asyncio.timeout(5):
            await asyncio.sleep(0)
        return asyncio.current_task().cancelling()  # type: ignore[union-attr]

    task = asyncio.create_task(handler())
    await fake.await_requests(1)
    generation.end("stopped")
    assert await asyncio.wait_for(task, 5) == 0
    assert tab.card["status"] == "stopped"
