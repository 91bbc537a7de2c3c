"""Both upstream transports read the same recipe, however the provider cuts and encodes its bytes."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable

import pytest

from recipe_app.llm.batching import Pace
from recipe_app.llm.client import get_client
from recipe_app.llm.errors import Interrupted
from recipe_app.domain.request import RecipeRequest
from recipe_app.generation.run import RecipeRun
from recipe_app.llm.stream import StreamMeta, stream_recipe_text
from recipe_app.core.settings import Settings
from tests.fake_openai import FakeOpenAI, Reply
from tests.recipes import RECIPE

REQUEST = RecipeRequest(ingredients=["chickpeas", "spinach"], servings=4)
# Accents and an emoji: multi-byte UTF-8 that a split write cuts in the middle of a character.
ACCENTED = json.dumps({**RECIPE, "name": "Crème brûlée de pois chiches 🥘"}, ensure_ascii=False)


@pytest.mark.parametrize("transport", ["aiohttp", "httpx"])
@pytest.mark.parametrize("faults", [{}, {"split_events": True}, {"gzip": True}, {"gzip": True, "split_events": True}])
async def test_the_recipe_arrives_whole_over_either_transport(
    fake: FakeOpenAI, settings: Settings, configure: Callable[..., Settings], transport: str, faults: dict
) -> None:
    settings = configure(UPSTREAM_HTTP=transport)
    fake.script(Reply(content=ACCENTED, tokens_per_s=600, **faults))
    run = RecipeRun(get_client(settings), settings, REQUEST)
    updates = [changes async for changes in run.updates()]
    run.finish()
    assert run.text == ACCENTED
    assert run.card["title"] == "Crème brûlée de pois chiches 🥘"
    assert run.meta.completion_tokens == fake.requests[0].chunks_sent
    assert 3 <= len(updates) < fake.requests[0].chunks_sent / 4


async def test_reading_in_bulk_wakes_once_per_flush_not_once_per_token(
    fake: FakeOpenAI, settings: Settings
) -> None:
    """Over aiohttp, the reader sleeps until the consumer's next flush and takes all that arrived."""
    fake.script(Reply(content=ACCENTED, tokens_per_s=500))
    pace = Pace()
    loop = asyncio.get_running_loop()
    pieces = []
    async for piece in stream_recipe_text(get_client(settings), settings, REQUEST, StreamMeta(), pace=pace):
        pieces.append(piece)
        pace.next_flush = loop.time() + 0.1
    assert pace.followed
    assert "".join(pieces) == ACCENTED
    chunks = fake.requests[0].chunks_sent  # ~1 s of tokens: about ten reads of ~50 tokens each
    assert chunks > 150 and len(pieces) <= chunks / 10


@pytest.mark.parametrize("fault", ["drop_after", "stall_after"])
async def test_text_that_arrived_before_a_failure_is_kept_while_the_reader_slept(
    fake: FakeOpenAI, settings: Settings, configure: Callable[..., Settings], fault: str
) -> None:
    """The reader sleeps between flushes; bytes buffered when the connection fails are still shown."""
    settings = configure(STALL_TIMEOUT_S="0.5")
    fake.script(Reply(content=ACCENTED, tokens_per_s=1000, **{fault: 60}))
    pace, loop = Pace(), asyncio.get_running_loop()
    pieces = []
    with pytest.raises(Interrupted):
        async for piece in stream_recipe_text(get_client(settings), settings, REQUEST, StreamMeta(), pace=pace):
            pieces.append(piece)
            pace.next_flush = loop.time() + 0.3  # asleep while the last chunks and the failure arrive
    assert "".join(pieces) == "".join(Reply(content=ACCENTED).pieces()[:60])
