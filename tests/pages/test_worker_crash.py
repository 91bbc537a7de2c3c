"""A worker process killed while it streams: its tab recovers on another worker, nothing shown is lost.

Two real backend processes share a real redis-server: this test process is worker B, and
tests/pages/worker_process.py (worker A) runs the generation until it is killed with SIGKILL.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import redis
from redis.asyncio import Redis
from reflex.istate.manager.redis import StateManagerRedis
from reflex_base.event.processor.base_state_processor import BaseStateEventProcessor
from sqlmodel import select

from recipe_app.core.settings import Settings
from recipe_app.db.models import Generation
from recipe_app.db.session import new_session
from recipe_app.generation.session import StudioRestarted
from recipe_app.pages.studio.state import StudioState
from tests.fake_openai import FakeOpenAI, Reply
from tests.pages.harness import Browser, DeltaRecorder
from tests.recipes import RECIPE_TEXT

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def redis_deployment(settings: Settings, redis_url: str, configure: Callable[..., Settings]) -> Settings:
    redis.Redis.from_url(redis_url).flushdb()
    # Production's opportunistic lock: worker A keeps the tab's state in memory while it streams.
    return configure(REFLEX_REDIS_URL=redis_url, REFLEX_OPLOCK_ENABLED="1", STREAM_FLUSH_MS="50")


@pytest.fixture
def worker_a(redis_deployment: Settings, fake: FakeOpenAI) -> Iterator[Callable[[str], subprocess.Popen[str]]]:
    started: list[subprocess.Popen[str]] = []

    def start(token: str) -> subprocess.Popen[str]:
        proc = subprocess.Popen(
            [sys.executable, "-m", "tests.pages.worker_process", token],
            cwd=ROOT, env=dict(os.environ), stdout=subprocess.PIPE, text=True,
        )
        started.append(proc)
        return proc

    yield start
    for proc in started:
        if proc.poll() is None:
            proc.kill()
        proc.wait(10)


async def wait_streaming(proc: subprocess.Popen[str]) -> None:
    line = await asyncio.wait_for(asyncio.to_thread(proc.stdout.readline), 30)  # type: ignore[union-attr]
    assert line.strip() == "STREAMING", f"worker A did not start streaming: {line!r}"


def worker_b(settings: Settings) -> BaseStateEventProcessor:
    return BaseStateEventProcessor().configure(
        state_manager=StateManagerRedis(redis=Redis.from_url(str(settings.redis_url))), event_namespace=DeltaRecorder()
    )


async def saved_progress() -> None:
    while not (await asyncio.to_thread(the_row_or_none)) or not the_row().recipe_json:
        await asyncio.sleep(0.1)


def the_row_or_none() -> Generation | None:
    with new_session() as db:
        return db.exec(select(Generation)).first()


def the_row() -> Generation:
    with new_session() as db:
        return db.exec(select(Generation)).one()


@pytest.mark.parametrize("door", ["reload", "stop"])
async def test_a_tab_whose_worker_died_recovers_on_a_reload_or_a_stop(
    redis_deployment: Settings, fake: FakeOpenAI, worker_a: Callable[[str], subprocess.Popen[str]], door: str
) -> None:
    fake.default = Reply(content=RECIPE_TEXT, tokens_per_s=40)
    proc = worker_a("tab-crash")
    await wait_streaming(proc)
    await asyncio.wait_for(saved_progress(), 30)  # the durable point: text saved every few seconds
    async with worker_b(redis_deployment) as processor:
        tab = Browser(processor, token="tab-crash")
        if door == "stop":
            # The cook's tab reconnected to worker B, which read the tab (worker A wrote it back).
            assert (await tab.state(StudioState)).is_streaming
        os.kill(proc.pid, signal.SIGKILL)  # mid-stream, no cleanup of any kind
        await asyncio.to_thread(proc.wait, 10)
        handler = StudioState.on_page_load if door == "reload" else StudioState.stop
        # Worker A's hold on the tab's state lock and its lease expire within seconds.
        await asyncio.wait_for(await tab.send(handler), 30)
        state = await tab.state(StudioState)
        assert not state.is_streaming and state.status == "error"
        assert state.error == StudioRestarted.user_message
        assert state.title and state.ingredient_lines, "what the cook saw is kept"
        assert state.can_continue
        row = the_row()
        assert (row.status, row.error_type) == ("interrupted", "WorkerLost") and row.finished_at is not None
        # The cook finishes the recipe on the worker that is left.
        fake.default = Reply(content=RECIPE_TEXT[len(state._partial_text):])
        await asyncio.wait_for(await tab.send(StudioState.continue_recipe), 30)
        state = await tab.state(StudioState)
        assert state.status == "done" and len(state.steps) == 5


async def test_a_reload_while_the_other_worker_still_streams_leaves_it_running(
    redis_deployment: Settings, fake: FakeOpenAI, worker_a: Callable[[str], subprocess.Popen[str]]
) -> None:
    fake.default = Reply(content=RECIPE_TEXT, tokens_per_s=40)
    proc = worker_a("tab-alive")
    await wait_streaming(proc)
    async with worker_b(redis_deployment) as processor:
        tab = Browser(processor, token="tab-alive")
        await asyncio.wait_for(await tab.send(StudioState.on_page_load), 30)
        state = await tab.state(StudioState)
        assert state.is_streaming and state.status == "streaming" and not state.error
        assert proc.poll() is None and the_row().status == "streaming"
