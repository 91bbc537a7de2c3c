"""Drive page states through Reflex's own event processor, recording every delta it emits.

Background handlers cannot be called directly; going through the processor also lets a test count
and inspect the deltas a browser would receive. Internal API: reflex is pinned exactly.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable
from typing import Any

import recipe_app.recipe_app  # noqa: F401 - registers the app, whose pages the processor looks up
from reflex.istate.manager.memory import StateManagerMemory
from reflex.state import State
from reflex_base.constants import RouteVar
from reflex_base.event import Event
from reflex_base.event.processor.base_state_processor import BaseStateEventProcessor
from reflex_base.event.processor.future import EventFuture
from reflex_base.utils.format import format_event_handler


class DeltaRecorder:
    """Stands in for the websocket namespace: keeps each update with its size in bytes."""

    def __init__(self) -> None:
        self.updates: list[dict[str, Any]] = []
        self.bytes = 0
        self.changed = asyncio.Event()

    async def emit_update(self, update: Any, token: str) -> None:
        delta = {name: dict(values) for name, values in (update.delta or {}).items()}
        if delta:
            self.updates.append(delta)
            self.bytes += len(json.dumps(delta, default=str))
            self.changed.set()

    @staticmethod
    def values_of(updates: list[dict[str, Any]], state_name: str) -> list[dict[str, Any]]:
        """Each delta's changed vars for one state (names without the '_rx_state_' suffix)."""
        return [
            {k.removesuffix("_rx_state_"): v for k, v in delta[state_name].items()}
            for delta in updates
            if state_name in delta
        ]

    async def wait_for(self, predicate: Callable[[], bool], timeout: float = 5.0) -> None:
        """Wait until ``predicate`` holds after some delta, or fail after ``timeout`` seconds."""
        deadline = time.monotonic() + timeout
        while not predicate():
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError("condition not reached")
            self.changed.clear()
            try:
                await asyncio.wait_for(self.changed.wait(), remaining)
            except TimeoutError:
                pass


class Browser:
    """One tab: a client token and the events it sends."""

    def __init__(self, processor: BaseStateEventProcessor, token: str = "tab-token-1") -> None:
        self.processor = processor
        self.token = token

    async def send(self, handler: Any, *, url: str = "/", **payload: Any) -> EventFuture:
        """Enqueue ``handler`` (e.g. ``StudioState.generate``) as this tab would, from page ``url``."""
        event = Event(
            name=format_event_handler(handler),
            payload=payload,
            router_data={
                RouteVar.PATH: url.split("?", 1)[0],
                RouteVar.ORIGIN: url,
                RouteVar.CLIENT_TOKEN: self.token,
                RouteVar.HEADERS: {},
            },
        )
        return await self.processor.enqueue(self.token, event)

    async def state(self, cls: type) -> Any:
        """The current state instance of ``cls`` for this tab (read-only use).

        Read under the tab's lock, as the next event of a browser would: with Redis, a worker that
        holds the lock opportunistically (rxconfig.py) writes the state back only when asked.
        """
        from reflex.istate.manager.token import BaseStateToken

        manager = self.processor._root_context.state_manager
        async with manager.modify_state(BaseStateToken(ident=self.token, cls=State)) as root:
            return await root.get_state(cls)


def make_processor(recorder: DeltaRecorder) -> BaseStateEventProcessor:
    """A processor with an in-memory state manager whose deltas go to ``recorder``."""
    return BaseStateEventProcessor().configure(state_manager=StateManagerMemory(), event_namespace=recorder)
