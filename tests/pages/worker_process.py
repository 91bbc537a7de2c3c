"""A backend worker in its own process, for the worker-crash test: it starts one tab's generation.

Run as ``python -m tests.pages.worker_process TOKEN``, with the environment of a Redis deployment
(REFLEX_REDIS_URL, the database, the provider). It prints ``STREAMING`` once the tab's card shows
ingredients, then keeps streaming until it is killed.
"""

from __future__ import annotations

import asyncio
import sys

from redis.asyncio import Redis
from reflex.istate.manager.redis import StateManagerRedis
from reflex_base.event.processor.base_state_processor import BaseStateEventProcessor

from recipe_app.core.settings import get_settings
from recipe_app.db.session import create_tables
from recipe_app.pages.studio.state import StudioState
from tests.pages.harness import Browser, DeltaRecorder


async def main(token: str) -> None:
    settings = get_settings()
    create_tables()
    manager = StateManagerRedis(redis=Redis.from_url(str(settings.redis_url)))
    processor = BaseStateEventProcessor().configure(state_manager=manager, event_namespace=DeltaRecorder())
    async with processor:
        tab = Browser(processor, token=token)
        await (await tab.send(StudioState.add_item, field="ingredients", form={"item": "chickpeas"}))
        await tab.send(StudioState.generate)
        while not (await tab.state(StudioState)).ingredient_lines:
            await asyncio.sleep(0.05)
        print("STREAMING", flush=True)
        await asyncio.Event().wait()  # until killed


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1]))
