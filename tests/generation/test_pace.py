"""The flush clock of a recipe run: only the text before anything is shown may skip it."""

from __future__ import annotations

from collections.abc import AsyncGenerator

from recipe_app.core.settings import Settings
from recipe_app.domain.request import RecipeRequest
from recipe_app.generation.run import RecipeRun
from recipe_app.llm.batching import Pace
from recipe_app.llm.client import get_client

# Batches as a bulk reader hands them over: the answer's opening, a title, then a batch that is
# only the keys between two fields, then the description.
BATCHES = ['{"', 'name": "Lentil soup', '", "', 'description": "Warming']


class _Reader(RecipeRun):
    """A run whose upstream is a list of batches, noting at each read whether the clock was skipped."""

    def __init__(self, settings: Settings) -> None:
        super().__init__(get_client(settings), settings, RecipeRequest(ingredients=["lentils"]))
        self.hurried: list[bool] = []

    async def _source(self, pace: Pace) -> AsyncGenerator[str, None]:
        pace.followed = True  # like the bulk reader: it waits for this clock itself
        for batch in BATCHES:
            self.hurried.append(pace.next_flush == 0.0)
            yield batch


async def test_only_the_opening_of_the_answer_skips_the_clock(settings: Settings) -> None:
    run = _Reader(settings)
    shown = [changes async for changes in run.updates()]
    # the first read is at once; after `{"` (nothing to show) the title comes at once too; after the
    # title, a batch of keys waits for the clock like any other (no extra read and card per line)
    assert run.hurried == [True, True, False, False]
    assert shown[-1]["description"] == "Warming" and any(c.get("title") == "Lentil soup" for c in shown)
