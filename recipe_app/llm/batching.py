"""Coalesce a stream of small text pieces into time-driven batches.

The first piece is delivered at once (the cook sees something as soon as the model answers). After
that a batch goes out at most once per interval, driven by a clock rather than by arrivals: when the
server is slow to consume, pieces pile up into fewer, larger batches instead of more small ones.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator


async def coalesce(source: AsyncIterator[str], interval_s: float) -> AsyncIterator[str]:
    """Yield the concatenation of the pieces of ``source`` that arrived since the last batch.

    A reader task drains ``source`` while the consumer sleeps, so upstream reading never waits for
    the consumer. Closing this generator (break, cancel) cancels the reader, which closes the
    upstream. An error raised by ``source`` is re-raised here after the text before it was yielded.
    """
    loop = asyncio.get_running_loop()
    pending: list[str] = []
    arrived = asyncio.Event()
    finished = asyncio.Event()
    failure: list[BaseException] = []

    async def read() -> None:
        try:
            async for piece in source:
                if piece:
                    pending.append(piece)
                    arrived.set()
        except Exception as exc:  # noqa: BLE001 - handed to the consumer
            failure.append(exc)
        finally:
            finished.set()
            arrived.set()

    reader = asyncio.create_task(read())
    next_flush = 0.0
    try:
        while True:
            await arrived.wait()
            wait = next_flush - loop.time()
            if wait > 0 and not finished.is_set():
                # Sleep to the tick, but let the end of the stream cut the wait short.
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(finished.wait(), wait)
            arrived.clear()
            if pending:
                batch = "".join(pending)
                pending.clear()
                yield batch
                next_flush = loop.time() + interval_s
            if finished.is_set() and not pending:
                if failure:
                    raise failure[0]
                return
    finally:
        if not reader.done():
            reader.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await reader
