"""One recipe generation: upstream -> batches -> card changes -> validated recipe.

Free of UI and storage so it can be tested and benchmarked alone. The caller (the page state)
applies each batch of card changes in one state update and records the outcome.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from typing import Any

from openai import AsyncOpenAI
from pydantic import ValidationError

from recipe_app.llm.batching import coalesce
from recipe_app.llm.card import EMPTY_CARD, card_changes, card_fields, parse_partial
from recipe_app.llm.errors import Refused, Truncated, UnreadableRecipe
from recipe_app.llm.prompts import RecipeRequest
from recipe_app.llm.schema import Recipe
from recipe_app.llm.stream import StreamMeta, stream_recipe_text
from recipe_app.settings import Settings


class RecipeRun:
    """Streams one recipe. Iterate :meth:`updates`, then call :meth:`finish` (or :meth:`settle`)."""

    def __init__(self, client: AsyncOpenAI, settings: Settings, request: RecipeRequest) -> None:
        self.client = client
        self.settings = settings
        self.request = request
        self.meta = StreamMeta()
        self.text = ""
        self.card: dict[str, Any] = dict(EMPTY_CARD)
        self.recipe: Recipe | None = None
        self.started = time.monotonic()
        self.first_token_at: float | None = None
        self.ended_at: float | None = None
        self.batches = 0

    async def updates(self) -> AsyncIterator[dict[str, Any]]:
        """Card changes, one dict per batch; the first batch comes as soon as text arrives."""
        source = stream_recipe_text(self.client, self.settings, self.request, self.meta)
        interval = self.settings.stream_flush_ms / 1000
        try:
            async for batch in coalesce(source, interval):
                if self.first_token_at is None:
                    self.first_token_at = time.monotonic()
                self.text += batch
                self.batches += 1
                changes = self._move_to(card_fields(parse_partial(self.text)))
                if changes or self.batches == 1:
                    yield changes
        finally:
            self.ended_at = time.monotonic()

    def _move_to(self, card: dict[str, Any]) -> dict[str, Any]:
        changes = card_changes(self.card, card)
        self.card = card
        return changes

    def finish(self) -> dict[str, Any]:
        """Validate the ended stream. Returns the last card changes; raises if it is no recipe."""
        if self.meta.refusal:
            raise Refused(f"The AI declined to write this recipe: {self.meta.refusal[:300]}")
        if self.meta.finish_reason == "length":
            raise Truncated(detail=f"max_tokens={self.settings.openai_max_tokens}")
        if self.meta.finish_reason == "content_filter":
            raise Refused("The AI service's content filter stopped this recipe.")
        try:
            self.recipe = Recipe.model_validate_json(self.text)
        except ValidationError as exc:
            raise UnreadableRecipe(detail=f"{exc.error_count()} validation errors") from exc
        return self._move_to(card_fields(self.recipe.model_dump(), final=True))

    def settle(self) -> dict[str, Any]:
        """Card changes that keep everything shown so far as finished text (stop or failure)."""
        return self._move_to(card_fields(parse_partial(self.text), final=True))

    @property
    def ttft_ms(self) -> int | None:
        """Milliseconds from start to the first text."""
        return None if self.first_token_at is None else int((self.first_token_at - self.started) * 1000)

    @property
    def duration_ms(self) -> int:
        """Milliseconds from start to the end of the stream (or now)."""
        return int(((self.ended_at or time.monotonic()) - self.started) * 1000)
