"""Time-driven batching: first text at once, then at most one batch per interval."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator

import pytest

from recipe_app.llm.batching import Pace, coalesce


async def paced(pieces: int, every_s: float, fail: Exception | None = None) -> AsyncIterator[str]:
    for i in range(pieces):
        await asyncio.sleep(every_s)
        yield f"t{i} "
    if fail:
        raise fail


async def test_first_piece_is_flushed_at_once_then_batches_follow_the_clock() -> None:
    started = time.monotonic()
    stamps: list[float] = []
    batches: list[str] = []
    # 100 pieces over ~0.5 s with a 50 ms interval: about 10 batches, not 100.
    async for batch in coalesce(paced(100, 0.005), 0.05):
        stamps.append(time.monotonic() - started)
        batches.append(batch)
    assert "".join(batches) == "".join(f"t{i} " for i in range(100))
    assert batches[0] == "t0 "
    assert stamps[0] < 0.03
    assert 5 <= len(batches) <= 16
    gaps = [b - a for a, b in zip(stamps, stamps[1:])]
    assert min(gaps[:-1]) >= 0.045  # the last batch may come early: the end of the stream flushes


async def test_a_batch_that_showed_nothing_lets_the_next_piece_out_at_once() -> None:
    """The answer opens with punctuation (``{"``): the first visible text must not wait a whole interval."""
    stamps: list[float] = []
    pace = Pace()
    started = time.monotonic()
    async for batch in coalesce(paced(3, 0.02), 0.5, pace):
        stamps.append(time.monotonic() - started)
        if batch == "t0 ":
            pace.hurry()  # the consumer found nothing to show in it
    assert len(stamps) >= 2
    assert stamps[1] < 0.2  # not held back to the 0.5 s tick

    held: list[float] = []
    started = time.monotonic()
    async for _batch in coalesce(paced(3, 0.02), 0.5):
        held.append(time.monotonic() - started)
    assert held[1] >= 0.05  # without hurry(): the rest waits for the stream's end (or the tick)


async def test_a_slow_consumer_gets_fewer_larger_batches() -> None:
    fast, slow = [], []
    async for batch in coalesce(paced(60, 0.004), 0.02):
        fast.append(batch)
    async for batch in coalesce(paced(60, 0.004), 0.02):
        slow.append(batch)
        await asyncio.sleep(0.06)  # a busy server: each flush takes longer than the interval
    assert "".join(slow) == "".join(fast)
    assert len(slow) < len(fast)


async def test_an_upstream_error_comes_after_the_text_before_it() -> None:
    got: list[str] = []
    with pytest.raises(RuntimeError, match="boom"):
        async for batch in coalesce(paced(5, 0.001, RuntimeError("boom")), 0.01):
            got.append(batch)
    assert "".join(got) == "t0 t1 t2 t3 t4 "


async def test_closing_the_batches_closes_the_source() -> None:
    closed = asyncio.Event()

    async def endless() -> AsyncIterator[str]:
        try:
            while True:
                await asyncio.sleep(0.001)
                yield "x"
        finally:
            closed.set()

    batches = coalesce(endless(), 0.01)
    async for _ in batches:
        break
    await batches.aclose()
    await asyncio.wait_for(closed.wait(), 1)
