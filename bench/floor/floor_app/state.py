"""The floor's state: once per flush interval, take the state lock and set one small string var.

What every Recipe Studio card update must do at least, and nothing more: a background task, one
``async with self`` per flush interval, one string var changed (``tail``: the last
``FLOOR_TAIL_CHARS`` characters of the text so far, about the size of one of the app's updates, so
bytes and deflate work are alike), then the status at the end. Two sources (``FLOOR_SOURCE``):

* ``upstream``: the same upstream through the app's bulk reader (``recipe_app.llm.stream`` with a
  :class:`~recipe_app.llm.batching.Pace`), one update per batch, as ``bench/reader.py``'s ``bulk``;
* ``timer``: no upstream at all; the recipe's tokens (``FLOOR_RECIPE``, a JSON file) fall due on the
  upstream's schedule (``FLOOR_TTFT`` then ``FLOOR_TPS``) from ``t0``, which the first update sends
  so the load generator can time them.

``FLOOR_SYNC_MS`` > 0 (design ``floor-direct``): the app's scheme since round 7 (pages/studio/state.py
``_LiveCard``): between syncs, one per that interval, ``tail`` goes to the browser with
``recipe_app.web.compat.delta_sender``, without the lock; a sync takes the lock and sets it.
"""

from __future__ import annotations

import asyncio
import json
import os
import time

import reflex as rx

TAIL_CHARS = int(os.environ.get("FLOOR_TAIL_CHARS", "150"))
SOURCE = os.environ.get("FLOOR_SOURCE", "upstream")
SYNC_S = int(os.environ.get("FLOOR_SYNC_MS", "0")) / 1000


def _flush_s() -> float:
    return int(os.environ.get("STREAM_FLUSH_MS", "65")) / 1000


class FloorState(rx.State):
    """One tab of the floor app."""

    tail: str = ""
    status: str = "idle"
    t0: float = 0.0

    @rx.event(background=True)
    async def generate(self, tag: str) -> None:
        """Stream one recipe's text into ``tail``, one update per flush interval."""
        t0 = time.monotonic()
        async with self:
            self.tail, self.status, self.t0 = "", "streaming", t0
        try:
            text = await (self._from_timer(t0) if SOURCE == "timer" else self._from_upstream(tag))
            async with self:
                self.tail, self.status = text[-TAIL_CHARS:], "done"
        except Exception as exc:  # noqa: BLE001 - the tab must end
            async with self:
                self.status = f"error: {type(exc).__name__}"

    async def _from_upstream(self, tag: str) -> str:
        from recipe_app.core.settings import get_settings
        from recipe_app.domain.request import RecipeRequest
        from recipe_app.llm.batching import Pace
        from recipe_app.llm.client import get_client
        from recipe_app.llm.stream import StreamMeta, stream_recipe_text
        from recipe_app.web.compat import delta_sender

        settings = get_settings()
        pace, loop, text = Pace(), asyncio.get_running_loop(), ""
        send, next_sync = (delta_sender(FloorState, {"tail": "tail"}) if SYNC_S else None), 0.0
        request = RecipeRequest(ingredients=[tag, "spinach"], servings=4)
        async for piece in stream_recipe_text(get_client(settings), settings, request, StreamMeta(), pace=pace):
            text += piece
            if send is not None and loop.time() < next_sync:
                await send({"tail": text[-TAIL_CHARS:]})
            else:
                async with self:
                    self.tail = text[-TAIL_CHARS:]
                next_sync = loop.time() + SYNC_S
            pace.next_flush = loop.time() + _flush_s()
        return text

    async def _from_timer(self, t0: float) -> str:
        with open(os.environ["FLOOR_RECIPE"]) as handle:
            tokens: list[str] = json.load(handle)["tokens"]
        ttft, tps, flush = float(os.environ.get("FLOOR_TTFT", "0.25")), float(os.environ.get("FLOOR_TPS", "60")), _flush_s()
        text, shown, next_tick = "", 0, t0
        while shown < len(tokens):
            # the next tick, but not before the next token is due (no empty updates)
            await asyncio.sleep(max(0.0, next_tick - time.monotonic(), t0 + ttft + shown / tps - time.monotonic()))
            now = time.monotonic()
            count = min(len(tokens), int((now - t0 - ttft) * tps) + 1)
            text += "".join(tokens[shown:count])
            async with self:
                self.tail = text[-TAIL_CHARS:]
            shown, next_tick = count, now + flush
        return text
