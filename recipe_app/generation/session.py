"""One generation from admission to its recorded outcome, as one unit that imports no Reflex.

The page handler only applies change sets under its state lock::

    async with session:
        async for changes in session.updates():
            async with self:
                self._apply(changes)
    async with self:
        self._apply(session.final)

Whatever happens in between (any exception, a cancel at any await, the database failing, a model
writing garbage), leaving ``async with session`` guarantees a terminal state: :attr:`final` holds
the change set that ends the tab ``done``, ``stopped`` or ``error`` with a cook-facing message, the
generation row gets its true outcome and ``finished_at``, the run registry entry, the lease and the
watchdog are gone, and the upstream response is closed before ``__aexit__`` returns.

Stop never interrupts a state update: while the handler is applying a change set, a Stop only
marks the session, and :meth:`updates` ends at its next step; while the session is waiting for the
provider, Stop cancels that wait.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import json
import logging
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

from openai import AsyncOpenAI

from recipe_app.core import metrics
from recipe_app.core.ratelimit import QuotaBusy, get_quota, wait_text
from recipe_app.core.settings import Settings
from recipe_app.db import generations
from recipe_app.domain.card import card_changes
from recipe_app.domain.request import RecipeRequest
from recipe_app.generation import lease
from recipe_app.generation.recording import record_outcome, track_progress, untrack_progress, usage_text
from recipe_app.generation.run import RecipeRun
from recipe_app.kitchen.allergens import allergy_report
from recipe_app.llm.client import get_client
from recipe_app.llm.errors import GenerationError, Interrupted, Truncated, UnreadableRecipe

logger = logging.getLogger("recipe_app.generation")

#: Is the tab with this client token connected? Raises when it cannot tell.
PresenceCheck = Callable[[str], Awaitable[bool]]
#: Applies a change set to the tab outside the stream of updates (retry notices).
Notify = Callable[[dict[str, Any]], Awaitable[None]]

# A continuation re-sends the text so far: past this size, Try again is the better offer.
MAX_CONTINUE_CHARS = 12_000

POLL_S = 1.0  # the watchdog's round: presence check and lease refresh
UNKNOWN_PRESENCE_MIN_S = 30.0  # a presence check that cannot run ends a generation after this at least

# Generations running in this process, by client token (asyncio tasks cannot live on state).
_running: dict[str, GenerationSession] = {}


class UnexpectedFailure(GenerationError):
    """A bug or an outage on our side (logged with its traceback), recorded as ``failed``."""

    user_message = "Something went wrong on our side while writing the recipe. What was shown is kept."


class StorageUnavailable(GenerationError):
    """The generation could not be recorded at start: nothing was asked of the provider."""

    user_message = "The studio could not start the recipe just now. Please try again in a moment."


class StudioRestarted(GenerationError):
    """The worker running the generation stopped (shutdown, crash): the partial recipe is kept."""

    outcome = "interrupted"
    user_message = "The recipe was interrupted because the studio restarted. What was shown is kept."


def running(token: str) -> GenerationSession | None:
    """The generation this process runs for a tab, if any."""
    return _running.get(token)


def running_count() -> int:
    """Generations running in this process."""
    return len(_running)


def new_run_id() -> str:
    """A fresh id for one press of Generate (Stop and the lease name the run, not the tab)."""
    return uuid.uuid4().hex


BUSY_MESSAGE = "The studio is very busy right now. Please try again in a few seconds."


async def admit(settings: Settings, owner_id: str, client_ip: str, kind: str = "recipe") -> str:
    """The operator's limits, before any upstream call: '' when admitted, else the cook's message.

    ``kind`` "question" takes from the budget of questions, swaps and pictures instead of recipes.
    Called outside the tab's state lock (the quota may be a Redis round trip).
    """
    if running_count() >= settings.max_concurrent_streams:
        metrics.RATE_LIMITED.labels("busy").inc()
        return BUSY_MESSAGE
    try:
        wait = await get_quota(settings, kind).take(owner_id, client_ip)
    except QuotaBusy:  # the admission lock was not had in time: no limit was reached
        metrics.RATE_LIMITED.labels("busy").inc()
        return BUSY_MESSAGE
    if wait is not None:
        metrics.RATE_LIMITED.labels("quota").inc()
        if kind != "recipe":
            return f"You have reached the limit of questions for now. You can ask again in {wait_text(wait)}."
        return f"You have reached the recipe limit for now. You can generate again in {wait_text(wait)}."
    return ""


def stop(token: str, run_id: str) -> bool:
    """Stop the tab's generation ``run_id`` if this process runs it; False when it does not."""
    session = _running.get(token)
    if session is None or session.run_id != run_id:
        return False
    session.end("stopped")
    return True


@dataclasses.dataclass
class _Ending:
    status: str  # the recorded outcome: complete | stopped | failed | interrupted | truncated | ...
    failure: GenerationError | None = None
    card: dict[str, Any] = dataclasses.field(default_factory=dict)


class GenerationSession:
    """One generation of one tab. Use as ``async with``; iterate :meth:`updates`; then apply :attr:`final`.

    ``shown``: the card the tab shows now (a continuation starts from it). ``presence``: how to ask
    whether the tab is still connected (None: never cancelled for a closed tab). ``run``: another
    kind of generation on the same lifecycle (generation/kinds.py: a question, a list of swaps).
    """

    def __init__(
        self,
        settings: Settings,
        request: RecipeRequest,
        *,
        token: str,
        run_id: str,
        owner_id: str = "",
        shown: dict[str, Any] | None = None,
        prefix: str = "",
        seed: int | None = None,
        presence: PresenceCheck | None = None,
        notify: Notify | None = None,
        client: AsyncOpenAI | None = None,
        run: RecipeRun | None = None,
    ) -> None:
        self.settings = settings
        self.request = request
        self.token = token
        self.run_id = run_id
        self.owner_id = owner_id
        self.presence = presence
        self.notify = notify
        self.run = run or RecipeRun(
            client or get_client(settings), settings, request, prefix=prefix, seed=seed, on_retry=self._retrying
        )
        self.run.on_retry = self._retrying
        self._shown = dict(shown) if shown is not None else None
        if self._shown is not None:
            self.run.card = self._shown  # a continuation grows the card the tab shows, never less
        self.generation_id = 0
        self.reason: str | None = None  # why it was ended early: "stopped" | "tab_closed"
        self.final: dict[str, Any] = {}  # the terminal change set, once the session has ended
        self._ending: _Ending | None = None
        self._task: asyncio.Task[Any] | None = None
        self._watchdog: asyncio.Task[None] | None = None
        self._insert: asyncio.Future[int] | None = None
        self._updates: AsyncIterator[dict[str, Any]] | None = None
        self._waiting_upstream = False  # a Stop may cancel the wait (not a state update)
        self._cancelled_by_us = False
        self._streaming = False
        self._counted = [0, 0]  # updates and their bytes not yet added to the metrics (once a second)

    # ---- the unit ---------------------------------------------------------------------------
    async def __aenter__(self) -> GenerationSession:
        self._task = asyncio.current_task()
        previous = _running.get(self.token)
        if previous is not None and previous is not self:
            previous.end("stopped")  # one generation per tab: a newer one replaces an orphan
        _running[self.token] = self
        metrics.ACTIVE_STREAMS.inc()
        self._watchdog = asyncio.create_task(self._watch(), name=f"generation-watchdog-{self.run_id[:8]}")
        return self

    async def __aexit__(self, exc_type: Any, exc: BaseException | None, tb: Any) -> bool:
        foreign_cancel = isinstance(exc, asyncio.CancelledError) and self.reason is None
        try:
            if self._ending is None:
                self._ending = self._ending_for(exc)
        except BaseException:  # noqa: BLE001 - settling must not stop the cleanup below
            logger.exception("settling generation %s failed", self.generation_id)
            self._ending = _Ending("failed", UnexpectedFailure(detail="settle failed"))
        try:
            await self._close_upstream()
        finally:
            await self._clean_up()
        # Our own Stop and handled failures end here; a cancel from outside (shutdown) goes on.
        suppress = not foreign_cancel and (exc is None or isinstance(exc, Exception | asyncio.CancelledError))
        if suppress and self._cancelled_by_us and self._task is not None:
            self._task.uncancel()  # the cancel we asked for is handled: later timeouts in the task work
        return suppress

    def end(self, reason: str) -> None:
        """End the generation early for ``reason`` ("stopped", "tab_closed"); the first reason wins.

        Cancels a wait for the provider at once; a state update in progress finishes first.
        """
        if self.reason is not None or self._ending is not None:
            return
        self.reason = reason
        if self._waiting_upstream and self._task is not None and self._task is not asyncio.current_task():
            self._cancelled_by_us = True
            self._task.cancel()

    # ---- the stream -------------------------------------------------------------------------
    def updates(self) -> AsyncIterator[dict[str, Any]]:
        """Change sets for the tab, one per batch; the session's terminal one is :attr:`final`."""
        self._updates = self._stream()
        return self._updates

    async def _stream(self) -> AsyncIterator[dict[str, Any]]:
        try:
            await self._record_start()
            first: dict[str, Any] = {"_generation_id": self.generation_id}
            if self.reason is not None:
                return
            yield first
            source = self.run.updates()
            try:
                while self.reason is None:
                    self._waiting_upstream = True
                    try:
                        changes = await anext(source)
                    except StopAsyncIteration:
                        break
                    finally:
                        self._waiting_upstream = False
                    if not self._streaming:
                        self._streaming = True
                        changes = {**changes, "status": "streaming", "notice": ""}
                    self._counted[0] += 1
                    self._counted[1] += _size(changes)
                    yield changes
            finally:
                await source.aclose()  # closes the upstream response now, not when collected
            if self.reason is None:
                self._ending = _Ending("complete", card=self.run.finish())
        except UnreadableRecipe as exc:
            if self._shown is not None:  # a continuation that is no rest of the recipe: back to what was shown
                card, self.run.card = card_changes(self.run.card, self._shown), self._shown
            else:
                card = self._settled()
            self._ending = _Ending(exc.outcome, exc, card)
        except GenerationError as exc:
            self._ending = _Ending(exc.outcome, exc, self._settled())
        except (asyncio.CancelledError, GeneratorExit):
            raise
        except Exception as exc:  # noqa: BLE001 - a bug or an outage: logged, recorded, shown as a message
            logger.exception("generation %s failed unexpectedly", self.generation_id)
            self._ending = _Ending("failed", UnexpectedFailure(detail=type(exc).__name__), self._settled())

    async def _retrying(self, message: str) -> None:
        metrics.RETRIES.inc()
        if self.notify is not None:
            waiting, self._waiting_upstream = self._waiting_upstream, False  # a Stop now must not cut the update
            try:
                await self.notify({"notice": message})
            finally:
                self._waiting_upstream = waiting
        if self.reason is not None:
            raise asyncio.CancelledError  # stopped while the notice was shown: no further attempt

    async def _record_start(self) -> None:
        # The insert runs to its end even when a Stop cancels the wait: its id is needed for the outcome.
        self._insert = asyncio.ensure_future(
            asyncio.to_thread(
                generations.start_generation,
                self.token,
                self.run.describe(),
                self.settings.model_name,
                owner_id=self.owner_id,
                kind=self.run.kind,
            )
        )
        try:
            self.generation_id = await asyncio.shield(self._insert)
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            logger.exception("recording the start of a generation failed")
            raise StorageUnavailable(detail=type(exc).__name__) from exc
        track_progress(self.generation_id, self.run)

    # ---- endings ----------------------------------------------------------------------------
    def _settled(self) -> dict[str, Any]:
        """The card changes that keep what was shown as finished text (never raises)."""
        try:
            return self.run.settle()
        except Exception:  # noqa: BLE001 - the last good card stays as it is
            logger.exception("settling the card of generation %s failed", self.generation_id)
            return {}

    def _ending_for(self, exc: BaseException | None) -> _Ending:
        """How the generation ended when :meth:`updates` did not get to say it."""
        if self.reason is not None:
            return _Ending("stopped", card=self._settled())
        if isinstance(exc, asyncio.CancelledError) or exc is None:
            # Cancelled from outside (the server is shutting down), or the handler left early.
            return _Ending("interrupted", StudioRestarted(detail="cancelled"), self._settled())
        logger.error("generation %s failed in its handler", self.generation_id, exc_info=exc)
        return _Ending("failed", UnexpectedFailure(detail=type(exc).__name__), self._settled())

    def _final_changes(self, ending: _Ending) -> dict[str, Any]:
        run, failure = self.run, ending.failure
        status = {"complete": "done", "stopped": "stopped"}.get(ending.status, "error")
        if not run.writes_recipe:  # an answer or a list of swaps: the run's fields and the ending
            return {
                **ending.card,
                "status": status,
                "error": failure.user_message if failure else "",
                "notice": "",
                "is_streaming": False,
                "can_retry": failure is None or failure.cook_can_retry,
                "usage": usage_text(self.settings, run),
                "_generation_id": self.generation_id,
            }
        shown = self.run.card
        lines = [f"{line['item']} {line['note']}" for line in shown.get("ingredients", [])]
        if run.recipe is not None:
            lines = [f"{i.item} {i.note}" for i in run.recipe.recipeIngredient]
        report = allergy_report(lines, self.request.allergies)  # what was shown is checked, finished or not
        return {
            **ending.card,
            "status": status,
            "error": failure.user_message if failure else "",
            "notice": "",
            "is_streaming": False,
            "can_continue": isinstance(failure, (Interrupted, Truncated, StudioRestarted))
            and 0 < len(run.text) <= MAX_CONTINUE_CHARS,
            "can_retry": failure is None or failure.cook_can_retry,
            "allergen_warnings": report.flagged,
            "allergy_unchecked": report.unchecked,
            "usage": usage_text(self.settings, run),
            "_partial_text": run.text if failure else "",
            "_partial_seed": run.seed,
            "_recipe_json": run.recipe.model_dump_json() if run.recipe else "",
            "_generation_id": self.generation_id,
        }

    # ---- cleanup ----------------------------------------------------------------------------
    async def _close_upstream(self) -> None:
        if self._updates is not None:
            try:
                await self._updates.aclose()  # type: ignore[attr-defined]
            except Exception:  # noqa: BLE001 - closing a failed stream must not hide the outcome
                logger.exception("closing the stream of generation %s failed", self.generation_id)

    async def _clean_up(self) -> None:
        ending = self._ending or _Ending("failed", UnexpectedFailure(detail="no ending"))
        if self._watchdog is not None:
            self._watchdog.cancel()
        if _running.get(self.token) is self:
            del _running[self.token]
        metrics.ACTIVE_STREAMS.dec()
        self._count_updates()
        try:
            self.final = self._final_changes(ending)
        except Exception:  # noqa: BLE001 - the tab must end all the same
            logger.exception("building the final card of generation %s failed", self.generation_id)
            self.final = {"status": "error", "is_streaming": False, "notice": "", "error": UnexpectedFailure.user_message}
        # The row and the log line, even while this task is being cancelled (shielded, awaited).
        await _shielded(self._record_end(ending))

    async def _record_end(self, ending: _Ending) -> None:
        if self._insert is not None and not self.generation_id:
            with contextlib.suppress(Exception):
                self.generation_id = await self._insert  # a Stop landed during the insert
        if self.generation_id:
            untrack_progress(self.generation_id)
        failure = ending.failure
        error_type = failure.error_type if failure else ("TabClosed" if self.reason == "tab_closed" else "")
        for attempt in range(3):
            try:
                await asyncio.to_thread(record_outcome, self.generation_id, self.run, ending.status, error_type, failure)
                break
            except Exception:  # noqa: BLE001 - a locked or lost database: try again, then log
                logger.exception("recording the outcome of generation %s failed (attempt %d)", self.generation_id, attempt + 1)
                await asyncio.sleep(0.2 * (attempt + 1))
        with contextlib.suppress(Exception):
            await lease.release(self.settings, self.token, self.run_id)

    def _count_updates(self) -> None:
        """Add the updates sent since the last call to the metrics (a counter per update cost more
        than the card it counted: bench/BENCHMARKS.md)."""
        updates, size = self._counted
        if updates:
            metrics.UPDATES.inc(updates)
            metrics.UPDATE_BYTES.inc(size)
            self._counted = [0, 0]

    # ---- the watchdog -----------------------------------------------------------------------
    async def _watch(self) -> None:
        """Keep the lease and end the generation when its tab stayed away for the grace period.

        A presence check that cannot run counts as "not seen": a broken check then ends generations
        after three grace periods (at least 30 s), so closed tabs are not billed for ever, while a
        cook reading a short recipe keeps it. Every failure is logged once and counted.
        """
        grace = self.settings.tab_grace_s
        unknown_grace = max(3 * grace, UNKNOWN_PRESENCE_MIN_S)
        gone_since: float | None = None
        unknown_since: float | None = None
        logged = False
        while True:
            self._count_updates()
            try:
                if await lease.hold_and_check_stop(self.settings, self.token, self.run_id):
                    self.end("stopped")  # Stop pressed in a tab connected to another worker
                    return
            except Exception:  # noqa: BLE001
                metrics.WATCHDOG_ERRORS.labels("lease").inc()
                if not logged:
                    logger.warning("could not refresh the lease of generation %s", self.generation_id, exc_info=True)
                    logged = True
            if self.presence is not None:
                now = time.monotonic()
                try:
                    present: bool | None = await self.presence(self.token)
                except Exception:  # noqa: BLE001
                    present = None
                    metrics.WATCHDOG_ERRORS.labels("presence").inc()
                    if not logged:
                        logger.warning("the tab presence check failed; treating the tab as unseen", exc_info=True)
                        logged = True
                if present:
                    gone_since = unknown_since = None
                elif present is None:
                    unknown_since = unknown_since or now
                    if now - unknown_since >= unknown_grace:
                        self.end("tab_closed")
                        return
                else:
                    gone_since = gone_since or now
                    if now - gone_since >= grace:
                        self.end("tab_closed")
                        return
            await asyncio.sleep(POLL_S)


async def _shielded(work: Awaitable[None]) -> None:
    """Run ``work`` to its end even if the calling task is cancelled meanwhile (then re-raise)."""
    task = asyncio.ensure_future(work)
    try:
        await asyncio.shield(task)
    except asyncio.CancelledError:
        await task
        raise


def _size(changes: dict[str, Any]) -> int:
    """About the JSON bytes of card changes: exact for text (most updates), serialised otherwise."""
    size = 0
    for value in changes.values():
        size += len(value) + 2 if type(value) is str else len(json.dumps(value))
    return size
