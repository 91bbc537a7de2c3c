"""Two backend workers sharing tab state through a real Redis, as with REFLEX_REDIS_URL.

Each "worker" is its own Reflex event processor with its own Redis state manager. A tab that
reconnects lands on the other worker: its Stop must still stop the stream running on the first.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import pytest
import redis
from redis.asyncio import Redis
from reflex.istate.manager.redis import StateManagerRedis
from reflex_base.event.processor.base_state_processor import BaseStateEventProcessor

from recipe_app.generation import session
from recipe_app.pages.studio.state import StudioState
from recipe_app.core.settings import Settings
from tests.fake_openai import FakeOpenAI, Reply
from tests.pages.harness import Browser, DeltaRecorder
from tests.recipes import RECIPE_TEXT


def worker(redis_url: str, recorder: DeltaRecorder) -> BaseStateEventProcessor:
    return BaseStateEventProcessor().configure(
        state_manager=StateManagerRedis(redis=Redis.from_url(redis_url)), event_namespace=recorder
    )


async def card_has_ingredients(tab: Browser) -> None:
    """Until the shared state shows the first ingredients (read through the other worker)."""
    while not (await tab.state(StudioState)).ingredient_lines:
        await asyncio.sleep(0.05)


async def test_stop_sent_to_another_worker_stops_the_stream(
    settings: Settings, fake: FakeOpenAI, redis_url: str, monkeypatch: pytest.MonkeyPatch,
    configure: Callable[..., Settings],
) -> None:
    redis.Redis.from_url(redis_url).flushdb()
    configure(REFLEX_REDIS_URL=redis_url)
    fake.default = Reply(content=RECIPE_TEXT, tokens_per_s=80)
    first, second = DeltaRecorder(), DeltaRecorder()
    async with worker(redis_url, first) as worker_a, worker(redis_url, second) as worker_b:
        on_a, on_b = Browser(worker_a, token="tab-x"), Browser(worker_b, token="tab-x")
        await (await on_a.send(StudioState.add_item, field="ingredients", form={"item": "rice"}))
        generation = await on_a.send(StudioState.generate)
        await asyncio.wait_for(card_has_ingredients(on_b), 10)
        # Worker B does not run this generation: it only knows it through the shared state.
        monkeypatch.setattr(session, "_running", {})
        await (await on_b.send(StudioState.stop))
        await asyncio.wait_for(generation, 10)
        record = await fake.await_closed()
        assert record.client_closed and not record.completed
        state = await on_b.state(StudioState)
        assert state.status == "stopped" and state.title and not state.is_streaming


async def test_the_card_is_shared_state_a_reconnecting_tab_sees_it_on_the_other_worker(
    settings: Settings, fake: FakeOpenAI, redis_url: str, configure: Callable[..., Settings]
) -> None:
    redis.Redis.from_url(redis_url).flushdb()
    configure(REFLEX_REDIS_URL=redis_url)
    fake.default = Reply(content=RECIPE_TEXT, tokens_per_s=2000)
    async with worker(redis_url, DeltaRecorder()) as worker_a, worker(redis_url, DeltaRecorder()) as worker_b:
        on_a, on_b = Browser(worker_a, token="tab-y"), Browser(worker_b, token="tab-y")
        await (await on_a.send(StudioState.add_item, field="ingredients", form={"item": "rice"}))
        await (await on_a.send(StudioState.generate))
        state = await on_b.state(StudioState)  # after a reload that reconnected to worker B
        assert state.status == "done" and state.title == "Chickpea & Spinach Curry" and len(state.steps) == 5


async def test_stop_through_another_worker_lands_while_the_provider_is_still_silent(
    settings: Settings, fake: FakeOpenAI, redis_url: str, monkeypatch: pytest.MonkeyPatch,
    configure: Callable[..., Settings],
) -> None:
    """No card update is coming to carry the Stop: the running worker's watchdog reads it from Redis."""
    redis.Redis.from_url(redis_url).flushdb()
    configure(REFLEX_REDIS_URL=redis_url)
    fake.default = Reply(content=RECIPE_TEXT, ttft=60)
    async with worker(redis_url, DeltaRecorder()) as worker_a, worker(redis_url, DeltaRecorder()) as worker_b:
        on_a, on_b = Browser(worker_a, token="tab-z"), Browser(worker_b, token="tab-z")
        await (await on_a.send(StudioState.add_item, field="ingredients", form={"item": "rice"}))
        generation = await on_a.send(StudioState.generate)
        await fake.await_requests(1)
        monkeypatch.setattr(session, "_running", {})  # worker B does not run it
        await (await on_b.send(StudioState.stop))
        await asyncio.wait_for(generation, 10)
        record = await fake.await_closed()
        assert record.client_closed and record.chunks_sent == 0
        state = await on_b.state(StudioState)
        assert state.status == "stopped" and not state.is_streaming
