"""Generations around a recipe on the same core: an answer to a question, a list of swaps.

Each is a :class:`~recipe_app.generation.run.RecipeRun` with its own messages, max tokens and
output parser, so it inherits retries before the first text, time-driven batches, Stop, the
tab-presence watchdog, the lease, progress saving and the outcome record of
:class:`~recipe_app.generation.session.GenerationSession`::

    run = AnswerRun(client, settings, request, question_messages(...))
    generation = GenerationSession(settings, request, token=..., run_id=..., run=run)

The fields they write: ``answer`` and ``change`` (the change the answer implies, '' when none)
for a question; ``swaps`` (each checked by ``kitchen/swaps.py``) for a swap.
"""

from __future__ import annotations

import contextlib
import json
import time
from collections.abc import AsyncIterator
from typing import Any

import jiter
from openai import AsyncOpenAI

from recipe_app.core.settings import Settings
from recipe_app.domain.recipe import Recipe
from recipe_app.domain.request import RecipeRequest
from recipe_app.generation.run import RecipeRun
from recipe_app.kitchen.swaps import checked_swaps
from recipe_app.llm.answers import MAX_ANSWER_CHARS, split_answer
from recipe_app.llm.batching import Pace
from recipe_app.llm.errors import Interrupted, Refused, Truncated, UnreadableRecipe
from recipe_app.llm.images import IMAGE_FORMAT, picture_prompt, stream_picture
from recipe_app.llm.stream import PlainAsk, stream_recipe_text


class AnswerCutOff(Truncated):
    """The answer reached its length limit: what was written is kept."""

    user_message = "The answer was cut off at its length limit. What was written is kept."


class NoSwaps(UnreadableRecipe):
    """The model's answer held no readable substitution."""

    user_message = "The AI did not suggest a usable substitution. Please try again."


class AnswerRun(RecipeRun):
    """Streams a plain-text answer about a recipe. The recipe's ``request`` carries diet and allergies."""

    writes_recipe = False
    max_tokens_setting = "question_max_tokens"

    def __init__(
        self,
        client: AsyncOpenAI,
        settings: Settings,
        request: RecipeRequest,
        messages: list[dict[str, str]],
        *,
        kind: str = "question",
    ) -> None:
        super().__init__(client, settings, request)
        self.kind = kind
        self.ask = PlainAsk(messages, getattr(settings, self.max_tokens_setting))
        self.card = self._empty()

    def _empty(self) -> dict[str, Any]:
        return {"answer": "", "change": ""}

    def _source(self, pace: Pace) -> Any:
        return stream_recipe_text(
            self.client, self.settings, self.request, self.meta, "", self.seed, pace, plain=self.ask
        )

    def describe(self) -> str:
        """The messages' data part (the question or the line to swap, with the recipe)."""
        return self.ask.messages[-1]["content"]

    def _fields(self, final: bool) -> dict[str, Any]:
        text = self.text[:MAX_ANSWER_CHARS]
        if not final:
            return {"answer": text.strip(), "change": ""}
        answer, change = split_answer(text)
        return {"answer": answer, "change": change}

    def _changes(self) -> dict[str, Any]:
        return self._move_to(self._fields(final=False))

    def _move_to(self, card: dict[str, Any]) -> dict[str, Any]:
        changes = {k: v for k, v in card.items() if self.card.get(k) != v}
        self.card = {**self.card, **card}
        return changes

    def _ended(self) -> None:
        """The stream's own endings: a refusal, a filter, the length limit."""
        self.meta.estimate_missing_usage()
        if self.meta.refusal:
            raise Refused(f"The AI declined to answer: {self.meta.refusal[:300]}")
        if self.meta.finish_reason == "content_filter":
            raise Refused("The AI service's content filter stopped this answer.")
        if self.meta.finish_reason == "length":
            raise AnswerCutOff(detail=f"finish_reason=length at {self.ask.max_tokens} tokens")

    def finish(self) -> dict[str, Any]:
        """The whole answer (and the change it implies). Raises :class:`GenerationError` when it ended badly."""
        self._ended()
        if not self.text.strip():
            raise UnreadableRecipe("The AI sent an empty answer. Please try again.", detail="no text")
        return self._move_to(self._fields(final=True))

    def settle(self) -> dict[str, Any]:
        """What was written so far, kept as it is (Stop or a failure)."""
        self.meta.estimate_missing_usage()
        return self._move_to(self._fields(final=False))


class SwapRun(AnswerRun):
    """Streams 2-3 substitutions for one ingredient line, each re-checked against allergies and diet."""

    max_tokens_setting = "swap_max_tokens"

    def __init__(
        self, client: AsyncOpenAI, settings: Settings, request: RecipeRequest, messages: list[dict[str, str]]
    ) -> None:
        super().__init__(client, settings, request, messages, kind="swap")

    def _empty(self) -> dict[str, Any]:
        return {"swaps": []}

    def _fields(self, final: bool) -> dict[str, Any]:
        text = self.text[self.text.find("{") :] if "{" in self.text else ""
        try:
            data = jiter.from_json(text.encode(), partial_mode="off" if final else "on")
        except ValueError:
            data = None
        if final and data is None:
            data = self._salvaged(text)
        swaps = checked_swaps(data, self.request.allergies, self.request.diet)
        return {"swaps": swaps or self.card.get("swaps", [])}  # a garbled tail never removes a shown swap

    @staticmethod
    def _salvaged(text: str) -> Any:
        """The JSON object at the start of an answer with something after it (prose, a fence)."""
        try:
            return json.JSONDecoder().raw_decode(text)[0]
        except ValueError:
            try:
                return jiter.from_json(text.encode(), partial_mode="trailing-strings")
            except ValueError:
                return None

    def finish(self) -> dict[str, Any]:
        """The checked substitutions; raises :class:`NoSwaps` when there is none."""
        self._ended()
        changes = self._move_to(self._fields(final=True))
        if not self.card["swaps"]:
            raise NoSwaps(detail="no readable substitution")
        return changes



class PictureRun(AnswerRun):
    """Streams a picture of a recipe from the Images API: each partial image replaces the last.

    The final image is not a change set: it waits in :attr:`final_uri` for the caller, which keeps
    it and shows it by URL (or as a data URI where it cannot be kept), so a multi-megabyte image
    crosses the websocket only as the partial previews. ``settings`` name the image model as
    ``OPENAI_MODEL`` (the row, the cost and the card's usage then speak of it).
    """

    def __init__(self, client: AsyncOpenAI, settings: Settings, request: RecipeRequest, recipe: Recipe) -> None:
        RecipeRun.__init__(self, client, settings, request)
        self.kind = "image"
        self.prompt = picture_prompt(recipe)
        self.card = {"picture": ""}
        self.final_uri = ""  # the completed image, once it came

    def _source(self, pace: Pace) -> Any:
        return stream_picture(self.client, self.settings, self.prompt, self.meta)

    def describe(self) -> str:
        """The prompt and the model."""
        return json.dumps({"prompt": self.prompt, "model": self.settings.model_name})

    async def updates(self) -> AsyncIterator[dict[str, Any]]:
        """One change per partial image as it sharpens; the final one goes to :attr:`final_uri`."""
        try:
            source = await self._open(Pace())
            async with contextlib.aclosing(source):
                async for b64 in source:
                    if self.first_token_at is None:
                        self.first_token_at = time.monotonic()
                    uri = f"data:image/{IMAGE_FORMAT};base64,{b64}"
                    self.batches += 1  # the final one is shown once too, by the caller
                    if self.meta.done:
                        self.final_uri = uri
                        continue
                    yield self._move_to({"picture": uri})
        finally:
            self.ended_at = time.monotonic()

    def finish(self) -> dict[str, Any]:
        """Nothing more to show; raises :class:`Interrupted` when the final image never came."""
        self.meta.estimate_missing_usage()
        if not self.meta.done:
            raise Interrupted("The picture was not finished. The drawing stays.", detail="no completed event")
        return {}

    def settle(self) -> dict[str, Any]:
        """A stopped or failed picture: the last partial image stays on screen but is not kept."""
        self.meta.estimate_missing_usage()
        return {}
