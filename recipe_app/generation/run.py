"""One recipe generation: upstream -> batches -> card changes -> validated recipe.

Free of UI and storage so it can be tested and benchmarked alone. The caller (the page state)
applies each batch of card changes in one state update and records the outcome.

Retries (connection errors, 429, 5xx) happen only until the first text arrives: a retry after text
was shown would put a second, different recipe under the first.
"""

from __future__ import annotations

import asyncio
import contextlib
import secrets
import time
from collections.abc import AsyncGenerator, AsyncIterator, Awaitable, Callable
from typing import Any

from openai import AsyncOpenAI
from pydantic import ValidationError
from tenacity import AsyncRetrying, RetryCallState, retry_if_exception, stop_after_attempt, wait_exponential_jitter

from recipe_app.llm.batching import Pace, coalesce
from recipe_app.domain.card import EMPTY_CARD, card_changes
from recipe_app.kitchen.card import PartialObject, card_fields, grown_fields, parse_partial
from recipe_app.llm.errors import (
    ContextTooSmall,
    GenerationError,
    Interrupted,
    RateLimited,
    Refused,
    Truncated,
    UnreadableRecipe,
)
from recipe_app.domain.request import RecipeRequest
from recipe_app.domain.recipe import Recipe
from recipe_app.llm.stream import StreamMeta, stream_recipe_text
from recipe_app.core.settings import Settings

#: Called with a short message for the cook before each retry wait ("Retrying (2/3)…").
RetryNotice = Callable[[str], Awaitable[None]]


def _retryable(exc: BaseException) -> bool:
    return isinstance(exc, GenerationError) and exc.retryable


async def _prepend(first: str, rest: AsyncGenerator[str, None]) -> AsyncIterator[str]:
    async with contextlib.aclosing(rest):  # closing this closes the upstream at once
        yield first
        async for piece in rest:
            yield piece


class RecipeRun:
    """Streams one recipe. Iterate :meth:`updates`, then call :meth:`finish` (or :meth:`settle`).

    With ``prefix`` (text already shown by an interrupted run) the model is asked for the rest;
    pass that run's ``seed`` too.
    """

    #: The run writes a recipe card (generation/kinds.py has runs that write an answer or swaps).
    writes_recipe = True

    def __init__(
        self,
        client: AsyncOpenAI,
        settings: Settings,
        request: RecipeRequest,
        *,
        prefix: str = "",
        seed: int | None = None,
        on_retry: RetryNotice | None = None,
    ) -> None:
        self.client = client
        self.settings = settings
        self.request = request
        self.prefix = prefix
        self.kind = "version" if request.base_recipe else "recipe"  # what the generation row records
        self.seed = secrets.randbelow(2**31) if seed is None else seed
        self.on_retry = on_retry
        self.meta = StreamMeta()
        self.text = prefix
        self.card: dict[str, Any] = card_fields(parse_partial(prefix)) if prefix else dict(EMPTY_CARD)
        self.recipe: Recipe | None = None
        self.attempts = 0
        self.started = time.monotonic()
        self.first_token_at: float | None = None
        self.ended_at: float | None = None
        self.batches = 0
        self.went_backwards = False  # some text did not extend the card shown (it was kept)
        self._shown = False  # some batch changed the card
        self._parsed = PartialObject()  # the text so far as an object, parsed from its last value on
        self._keyed_card: dict[str, Any] | None = None  # the card built from a parse, and that parse's keys
        self._card_keys: tuple[str, ...] = ()

    @property
    def max_attempts(self) -> int:
        """Attempts in total, the first included."""
        return self.settings.openai_max_retries + 1

    def _wait(self, state: RetryCallState) -> float:
        exc = state.outcome.exception() if state.outcome else None
        if isinstance(exc, RateLimited) and exc.retry_after is not None:
            return min(exc.retry_after, self.settings.retry_after_cap_s)
        initial = self.settings.retry_backoff_s
        return wait_exponential_jitter(initial=initial, max=max(initial, 8), jitter=initial)(state)

    async def _announce(self, state: RetryCallState) -> None:
        if self.on_retry is None:
            return
        exc = state.outcome.exception() if state.outcome else None
        wait = state.upcoming_sleep
        if isinstance(exc, RateLimited):
            message = f"The AI service is busy, retrying in {max(1, round(wait))}s…"
        else:
            message = f"Retrying ({state.attempt_number + 1}/{self.max_attempts})…"
        await self.on_retry(message)

    async def _open(self, pace: Pace) -> AsyncIterator[str]:
        """The upstream text, opened with retries up to (and including) its first piece."""
        first, source = await self._open_first(pace)
        return _prepend(first, source)

    async def _open_first(self, pace: Pace) -> tuple[str, AsyncGenerator[str, None]]:
        """The first piece of the upstream text (retried up to it) and the source of the rest."""
        retrying = AsyncRetrying(
            stop=stop_after_attempt(self.max_attempts),
            wait=self._wait,
            retry=retry_if_exception(_retryable),
            before_sleep=self._announce,
            reraise=True,
        )
        async for attempt in retrying:
            with attempt:
                self.attempts = attempt.retry_state.attempt_number
                source = self._source(pace)
                try:
                    first = await anext(source)
                except StopAsyncIteration:
                    first = ""
                except BaseException:
                    await source.aclose()
                    raise
        return first, source

    def _source(self, pace: Pace) -> AsyncGenerator[str, None]:
        """One attempt at the upstream text (kinds other than a recipe ask their own messages)."""
        return stream_recipe_text(self.client, self.settings, self.request, self.meta, self.prefix, self.seed, pace)

    def describe(self) -> str:
        """What was asked, as JSON for the generation row."""
        return self.request.model_dump_json()

    async def updates(self) -> AsyncIterator[dict[str, Any]]:
        """Card changes, one dict per batch; the first batch comes as soon as text arrives."""
        interval = self.settings.stream_flush_ms / 1000
        pace = Pace()
        try:
            first, source = await self._open_first(pace)
            if not pace.followed:  # a source that does not wait for the clock: a reader task batches it
                batches = coalesce(_prepend(first, source), interval, pace)
                async with contextlib.aclosing(batches):  # any exit below closes the upstream now
                    async for batch in batches:
                        if (changes := self._take(batch, pace)) is not None:
                            yield changes
                return
            # The source waits for the clock itself and yields whole batches: no layer between.
            now = asyncio.get_running_loop().time
            async with contextlib.aclosing(source):  # any exit below closes the upstream now
                pace.next_flush = now() + interval  # before the card: it may hurry()
                if (changes := self._take(first, pace)) is not None:
                    yield changes
                async for batch in source:
                    pace.next_flush = now() + interval
                    if (changes := self._take(batch, pace)) is not None:
                        yield changes
        finally:
            self.ended_at = time.monotonic()

    def _take(self, batch: str, pace: Pace) -> dict[str, Any] | None:
        """The card changes of one more batch of text; None when there is nothing to send."""
        if self.first_token_at is None:
            self.first_token_at = time.monotonic()
        self.text += batch
        self.batches += 1
        changes = self._changes()
        if changes:
            self._shown = True
            return changes
        if not self._shown:
            # Nothing visible yet (the `{"` that opens every answer): the first text need not wait
            # for the clock. Later, a batch of JSON keys waits like any other: hurrying there cost
            # a read and a card per recipe line (bench/BENCHMARKS.md) for no text the cook would
            # see sooner.
            pace.hurry()
        return changes if self.batches == 1 else None

    def _changes(self) -> dict[str, Any]:
        """What the text so far changes on the card (nothing when it would take something away)."""
        recipe = self._parsed.feed(self.text)
        keys = self._parsed.keys
        if keys and self._keyed_card is self.card and keys == self._card_keys:
            # The same keys as the parse that built the card (not one set from outside, as a
            # continuation's shown card is): only the last key's fields can have changed.
            card = self.card
            changes = {k: v for k, v in grown_fields(recipe, keys[-1], card).items() if card[k] != v}
            if changes and not self._takes_away(changes):
                self.card = self._keyed_card = {**card, **changes}
            return changes if self.card is not card else {}
        card = card_fields(recipe, previous=self.card)
        changes = self._move_to(card)
        if self.card is card:
            self._keyed_card, self._card_keys = card, keys
        return changes

    def _takes_away(self, changes: dict[str, Any]) -> bool:
        if changes_take_away(self.card, changes):
            # What the cook has seen stays: text that no longer parses as the same document (a
            # stray character, a continuation that starts a fresh object) does not blank the card.
            self.went_backwards = True
            return True
        return False

    def _move_to(self, card: dict[str, Any]) -> dict[str, Any]:
        changes = card_changes(self.card, card)
        if changes and self._takes_away(changes):
            return {}
        self.card = card
        return changes

    def finish(self) -> dict[str, Any]:
        """Validate the ended stream. Returns the last card changes; raises if it is no recipe.

        A stream that ended without a finish reason (``[DONE]`` or the end of the body: another
        request took the server, it restarted) is :class:`Interrupted` unless its text is already
        a whole recipe; ``length`` below the requested ``max_tokens`` is :class:`ContextTooSmall`.
        """
        self.meta.estimate_missing_usage()
        if self.meta.refusal:
            raise Refused(f"The AI declined to write this recipe: {self.meta.refusal[:300]}")
        if self.meta.finish_reason == "length":
            raise self._cut_off()
        if self.meta.finish_reason == "content_filter":
            raise Refused("The AI service's content filter stopped this recipe.")
        try:
            self.recipe = Recipe.model_validate_json(self.text)
        except ValidationError as exc:
            self.recipe = self._restarted_recipe()
            if self.recipe is None and self.meta.finish_reason is None:
                raise Interrupted(
                    "The AI service ended the answer before the recipe was finished.",
                    detail=f"stream ended without a finish reason ({'[DONE]' if self.meta.done else 'end of body'})",
                ) from exc
            if self.recipe is None:
                raise UnreadableRecipe(
                    "The AI could not finish this recipe. What was shown is kept." if self.prefix else None,
                    detail=f"{exc.error_count()} validation errors",
                ) from exc
        return self._move_to(card_fields(self.recipe.model_dump(), final=True))

    def _restarted_recipe(self) -> Recipe | None:
        """A continuation that wrote the whole recipe again instead of its rest: kept when it is the
        same recipe (same title) and complete, so the card only grows."""
        new = self.new_text
        start = new.find("{")
        if not self.prefix or start < 0:
            return None
        try:
            recipe = Recipe.model_validate_json(new[start:])
        except ValidationError:
            return None
        if self.card["title"] and recipe.name.strip() != self.card["title"].strip():
            return None
        return recipe

    def _cut_off(self) -> GenerationError:
        """Why the answer stopped at its length limit: ours (max_tokens) or the server's context."""
        limit, written = self.settings.openai_max_tokens, self.meta.billed_out
        # Counted chunks can fall a little short of tokens (a token that is half a character).
        below = written < (limit if self.meta.completion_tokens else 0.9 * limit)
        if below:
            return ContextTooSmall(
                detail=f"finish_reason=length after {written} tokens, below OPENAI_MAX_TOKENS={limit}: the "
                "server's context must hold the prompt plus OPENAI_MAX_TOKENS"
            )
        return Truncated(detail=f"finish_reason=length at OPENAI_MAX_TOKENS={limit}")

    def settle(self) -> dict[str, Any]:
        """Card changes that keep everything shown so far as finished text (stop or failure)."""
        self.meta.estimate_missing_usage()
        return self._move_to(card_fields(parse_partial(self.text), final=True))

    @property
    def new_text(self) -> str:
        """Text this run received (without the prefix it continued)."""
        return self.text[len(self.prefix) :]

    @property
    def ttft_ms(self) -> int | None:
        """Milliseconds from start to the first text."""
        return None if self.first_token_at is None else int((self.first_token_at - self.started) * 1000)

    @property
    def duration_ms(self) -> int:
        """Milliseconds from start to the end of the stream (or now)."""
        return int(((self.ended_at or time.monotonic()) - self.started) * 1000)


def goes_backwards(before: dict[str, Any], after: dict[str, Any]) -> bool:
    """Whether showing ``after`` would take away something ``before`` showed.

    One move is not backwards: the last finished step or tip becoming the live one again with the
    same text growing (a continuation picks up the item the interruption cut).
    """
    return changes_take_away(before, card_changes(before, after))


_LISTS = (("ingredients", "ingredient_live"), ("steps", "step_live"), ("tips", "tip_live"))
_KEPT = ("serves", "prep_time", "cook_time", "total_time", "cuisine")


def changes_take_away(before: dict[str, Any], changes: dict[str, Any]) -> bool:
    """:func:`goes_backwards` for the fields that differ (``changes``: what :func:`card_changes` gives).

    A field that does not change takes nothing away, so only the changed ones are looked at.
    """
    for field, live in _LISTS:
        if field not in changes:
            continue
        shown, now = before[field], changes[field]
        if len(now) >= len(shown):
            continue
        resumed = len(now) == len(shown) - 1 and now == shown[:-1] and _resumes(shown[-1], changes.get(live, before[live]))
        if not resumed:
            return True
    if "nutrition" in changes and len(changes["nutrition"]) < len(before["nutrition"]):
        return True
    for field in ("title", "description"):
        if field in changes and not changes[field].startswith(before[field]):
            return True
    return any(before[field] and not changes[field] for field in _KEPT if field in changes)


def _resumes(item: Any, live: str) -> bool:
    text = " ".join(p for p in (item.get("amount", ""), item.get("item", "")) if p) if isinstance(item, dict) else str(item)
    return bool(text) and live.startswith(text)
