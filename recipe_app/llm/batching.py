"""Coalesce a stream of small text pieces into time-driven batches.

The first piece is delivered at once (the cook sees something as soon as the model answers). After
that a batch goes out at most once per interval, driven by a clock rather than by arrivals: when the
server is slow to consume, pieces pile up into fewer, larger batches instead of more small ones.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator


class Pace:
    """The flush clock of one coalesced stream.

    ``hurry()`` lets the next piece out at once: a batch that showed the cook nothing (JSON keys and
    punctuation, e.g. the ``{"`` that opens every answer) should not make the first visible text wait
    a whole interval.
    """

    def __init__(self) -> None:
        self.next_flush = 0.0
        self.followed = False  # set by a source that waits for this clock itself (stream.py's bulk reader)

    def hurry(self) -> None:
        self.next_flush = 0.0

    async def due(self) -> None:
        """Sleep until the next batch may go out (at once when it already may)."""
        wait = self.next_flush - asyncio.get_running_loop().time()
        if wait > 0:
            await asyncio.sleep(wait)


async def coalesce(source: AsyncIterator[str], interval_s: float, pace: Pace | None = None) -> AsyncIterator[str]:
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
    tick: list[asyncio.Future[None]] = []  # the consumer's sleep to the next flush, while it sleeps

    def wake() -> None:
        if tick and not tick[0].done():
            tick[0].set_result(None)

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
            wake()  # the end of the stream cuts the consumer's sleep short

    reader = asyncio.create_task(read())
    pace = pace or Pace()
    try:
        while True:
            await arrived.wait()
            wait = pace.next_flush - loop.time()
            if wait > 0 and not finished.is_set():
                # Sleep to the tick; the reader cuts it short when the stream ends. A bare future and
                # one timer: wait_for() would create and cancel a task on every batch.
                tick.append(loop.create_future())
                timer = loop.call_later(wait, wake)
                try:
                    await tick[0]
                finally:
                    timer.cancel()
                    tick.clear()
            arrived.clear()
            if pending:
                batch = "".join(pending)
                pending.clear()
                pace.next_flush = loop.time() + interval_s  # before the yield: the consumer may hurry()
                yield batch
            if finished.is_set() and not pending:
                if failure:
                    raise failure[0]
                return
    finally:
        if not reader.done():
            reader.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await reader
