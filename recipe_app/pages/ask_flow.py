"""Ask a recipe and swap its ingredients: one flow for the studio card and the saved recipe page.

A mixin: each page's state (``pages/studio/ask.py``, ``pages/recipe/ask.py``) says which recipe is
asked about (:meth:`AskFlow._subject`) and where a finished answer is kept (:meth:`AskFlow._keep`).
Both streams run on the generation core exactly like a recipe (a background handler applying the
change sets of one :class:`GenerationSession` under the state lock, then its ``final``), so they
inherit its Stop, tab-close cancel, retries, limits, metrics and records.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import quote

import reflex as rx

from recipe_app.core.settings import Settings, get_settings
from recipe_app.domain.recipe import Recipe
from recipe_app.domain.request import MAX_ALLERGIES, RecipeRequest, clean_text, strip_invisible
from recipe_app.generation import lease, session
from recipe_app.generation.kinds import AnswerRun, PictureRun, SwapRun
from recipe_app.generation.run import RecipeRun
from recipe_app.generation.session import GenerationSession
from recipe_app.kitchen.swaps import swap_change
from recipe_app.llm.answers import MAX_QUESTION_CHARS, MAX_THREAD, question_messages, swap_messages
from recipe_app.llm.client import get_client
from recipe_app.state import BrowserState
from recipe_app.web import presence

# Change-set keys of the core -> this flow's vars, per flow (other keys are not shown here).
_ASK_VARS = {"answer": "answer", "change": "change", "status": "ask_status", "is_streaming": "asking",
             "error": "ask_error", "notice": "ask_notice", "usage": "ask_usage"}
_SWAP_VARS = {"swaps": "swaps", "status": "swap_status", "is_streaming": "swapping", "error": "swap_error",
              "notice": "swap_notice", "usage": "swap_usage"}
_PICTURE_VARS = {"picture": "picture_uri", "status": "picture_status", "is_streaming": "drawing",
                 "error": "picture_error", "usage": "picture_usage"}


LOST_MESSAGE = "This was interrupted because the studio restarted. What was shown is kept."


def pictures_enabled(settings: Settings) -> bool:
    """Whether pictures come from an image model (``IMAGE_MODEL`` and a real provider)."""
    return bool(settings.image_model) and not settings.demo_mode


@dataclasses.dataclass(frozen=True)
class Subject:
    """The recipe a question is about, as data for the model."""

    recipe_json: str
    title: str
    diet: str
    allergies: list[str]
    ingredients: list[str]  # the lines a swap can name
    recipe_id: int = 0  # the saved recipe, when there is one (Apply as a new version needs it)


class AskFlow(rx.State, mixin=True):
    """Questions and swaps about one recipe, streamed."""

    question: str = ""
    thread: list[dict[str, str]] = []  # finished questions and answers, oldest first
    asked: str = ""  # the question being answered
    answer: str = ""
    change: str = ""  # the change the answer implies ('' when none)
    ask_status: str = "idle"  # idle | waiting | streaming | done | stopped | error
    asking: bool = False
    ask_error: str = ""
    ask_notice: str = ""
    ask_usage: str = ""
    ask_limit: str = ""

    swap_line: str = ""  # the ingredient line being swapped
    swaps: list[dict[str, str]] = []
    swap_status: str = "idle"
    swapping: bool = False
    swap_error: str = ""
    swap_notice: str = ""
    swap_usage: str = ""

    picture_uri: str = ""  # the drawing made offline, a partial image, or the kept picture's URL
    picture_status: str = "idle"  # idle | waiting | streaming | done | stopped | error
    drawing: bool = False
    picture_error: str = ""
    picture_usage: str = ""
    can_draw: bool = pictures_enabled(get_settings())

    _drawn_uri: str = ""  # the offline drawing, shown when no picture could be had
    _picture_run: str = ""
    _picture_stop: str = ""
    _ask_run: str = ""
    _ask_stop: str = ""
    _swap_run: str = ""
    _swap_stop: str = ""

    # ---- what each page provides ------------------------------------------------------------
    async def _subject(self) -> Subject | None:
        """The recipe asked about (None: no finished recipe). Under the state lock."""
        raise NotImplementedError

    async def _keep_picture(self, owner: str, subject: Subject, data_uri: str, model: str) -> str:
        """Keep a finished picture with the saved recipe; returns its URL ('' when there is none to keep it with)."""
        return ""

    async def _keep(self, owner: str, question: str, answer: str) -> list[dict[str, str]]:
        """Keep a finished answer; returns the thread to show."""
        return [*self.thread, {"q": question, "a": answer}][-MAX_THREAD:]

    async def _apply_change(self, subject: Subject, change: str) -> Any:
        """Stream ``change`` as a new version of the saved recipe (the studio's ?from= flow)."""
        if not subject.recipe_id:
            return rx.toast.info("Save the recipe first: the change then becomes its new version.")
        go = session.new_run_id()[:12]  # one-time: a reload of the studio does not stream it again
        return rx.redirect(f"/?from={subject.recipe_id}&change={quote(change[:200], safe='')}&go={go}")

    # ---- the question -------------------------------------------------------------------------
    @rx.event
    def set_question(self, value: str) -> None:
        """The question box (kept as typed; checked on Ask)."""
        self.question = strip_invisible(str(value))[: MAX_QUESTION_CHARS + 50]

    @rx.event(background=True)
    async def ask(self, form: dict[str, Any] | None = None) -> None:
        """Stream the answer to the question in the box, grounded in the recipe."""
        async with self:
            if self.asking:
                return
            raw = str((form or {}).get("question", self.question) or self.question)
            question = clean_text(raw)
            self.ask_limit = ""
            if not question:
                self.ask_error, self.ask_status = "Type a question about this recipe first.", "idle"
                return
            if len(question) > MAX_QUESTION_CHARS:
                self.ask_error, self.ask_status = f"Keep the question under {MAX_QUESTION_CHARS} characters.", "idle"
                return
            subject = await self._subject()
            if subject is None:
                self.ask_error, self.ask_status = "There is no finished recipe to ask about yet.", "idle"
                return
            hold = await self._hold()
            self._ask_run, self._ask_stop = hold.run_id, ""
            self.asking, self.asked, self.answer, self.change = True, question, "", ""
            self.ask_status, self.ask_error, self.ask_notice, self.ask_usage = "waiting", "", "", ""
            thread = list(self.thread)
        settings = get_settings()
        message = await session.admit(settings, hold.owner, hold.ip, kind="question")
        async with self:
            if self._ask_run != hold.run_id:
                return
            if message or self._ask_stop == hold.run_id:
                self.ask_limit, self.asking, self.ask_status = message, False, "idle"
                return
        request = _request(subject)
        messages = question_messages(subject.recipe_json, subject.diet, subject.allergies, question, thread)
        run = AnswerRun(get_client(settings), settings, request, messages)
        final = await self._stream(hold, run, "question", _ASK_VARS, "_ask_stop")
        async with self:
            if final.get("status") == "done" and self.answer and self._ask_run == hold.run_id:
                self.thread = await self._keep(hold.owner, question, self.answer)
                self.question = ""

    @rx.event(background=True)
    async def stop_asking(self) -> None:
        """Stop the answer being written (what was written stays)."""
        await self._stop_flow("question", "asking", "_ask_run", "_ask_stop")

    @rx.event
    async def apply_change(self) -> Any:
        """Apply the change the last answer implies as a new version of the saved recipe."""
        subject = await self._subject()
        change = clean_text(self.change)
        if subject is None or not change or self.asking:
            return None
        return await self._apply_change(subject, change)

    # ---- the swap -----------------------------------------------------------------------------
    @rx.event(background=True)
    async def find_swaps(self, line: str) -> None:
        """Stream 2-3 substitutions for one ingredient line, each checked against allergies and diet."""
        async with self:
            if self.swapping:
                return
            subject = await self._subject()
            line = clean_text(str(line))
            if subject is None or line not in subject.ingredients:
                self.swap_error = "Pick an ingredient of this recipe to swap."
                return
            hold = await self._hold()
            self._swap_run, self._swap_stop = hold.run_id, ""
            self.swapping, self.swap_line, self.swaps = True, line, []
            self.swap_status, self.swap_error, self.swap_notice, self.swap_usage = "waiting", "", "", ""
        settings = get_settings()
        message = await session.admit(settings, hold.owner, hold.ip, kind="question")
        async with self:
            if self._swap_run != hold.run_id:
                return
            if message or self._swap_stop == hold.run_id:
                self.swap_error, self.swapping, self.swap_status = message, False, "idle"
                return
        request = _request(subject)
        messages = swap_messages(subject.recipe_json, subject.diet, subject.allergies, line)
        run = SwapRun(get_client(settings), settings, request, messages)
        await self._stream(hold, run, "swap", _SWAP_VARS, "_swap_stop")

    @rx.event(background=True)
    async def stop_swapping(self) -> None:
        """Stop the substitutions being written."""
        await self._stop_flow("swap", "swapping", "_swap_run", "_swap_stop")

    @rx.event
    async def pick_swap(self, index: int) -> Any:
        """Stream the recipe with this substitution as a new version (one that failed its check cannot be picked)."""
        subject = await self._subject()
        if subject is None or self.swapping or not 0 <= int(index) < len(self.swaps):
            return None
        swap = self.swaps[int(index)]
        if swap.get("problem"):
            return rx.toast.warning("This substitution does not fit your allergies or diet.")
        return await self._apply_change(subject, swap_change(self.swap_line, swap))

    @rx.event
    def close_swaps(self) -> None:
        """Hide the substitutions."""
        if not self.swapping:
            self.swap_line, self.swaps, self.swap_status, self.swap_error = "", [], "idle", ""

    # ---- the picture --------------------------------------------------------------------------
    @rx.event(background=True)
    async def draw_picture(self) -> None:
        """Ask the image model for a picture of the recipe; partial images sharpen as they arrive."""
        settings = get_settings()
        if not pictures_enabled(settings):
            return  # no IMAGE_MODEL: no image call, ever; the drawing stays
        async with self:
            subject = await self._subject()
            if self.drawing or subject is None:
                return
            hold = await self._hold()
            self._picture_run, self._picture_stop = hold.run_id, ""
            self.drawing, self.picture_status, self.picture_error, self.picture_usage = True, "waiting", "", ""
        message = await session.admit(settings, hold.owner, hold.ip, kind="question")
        async with self:
            if self._picture_run != hold.run_id:
                return
            if message or self._picture_stop == hold.run_id:
                self.picture_error, self.drawing, self.picture_status = message, False, "idle"
                return
        image_settings = settings.model_copy(update={"openai_model": settings.image_model})  # its row, cost, usage
        run = PictureRun(get_client(settings), image_settings, _request(subject), Recipe.model_validate_json(subject.recipe_json))

        async def ended(final: dict[str, Any]) -> None:
            # With the final change set, under the same lock: "done" is never seen with a partial image.
            if self._picture_run != hold.run_id:
                return
            if final.get("status") == "done" and run.final_uri:
                # Kept: shown by URL, served by the app; not kept (an unsaved card): the image itself.
                url = await self._keep_picture(hold.owner, subject, run.final_uri, image_settings.model_name)
                self.picture_uri = url or run.final_uri
            elif final.get("status") == "error":
                self.picture_uri = self._drawn_uri  # a failed picture gives way to the drawing

        await self._stream(hold, run, "image", _PICTURE_VARS, "_picture_stop", image_settings, ended)

    @rx.event(background=True)
    async def stop_picture(self) -> None:
        """Stop the picture being drawn (its last partial image stays on screen, not kept)."""
        await self._stop_flow("image", "drawing", "_picture_run", "_picture_stop")

    # ---- the core -----------------------------------------------------------------------------
    async def _stop_flow(self, kind: str, flag: str, run_name: str, stop_name: str) -> None:
        """Stop a flow here, or through the lease on the worker running it (with Redis)."""
        async with self:
            if not getattr(self, flag):
                return
            run_id = getattr(self, run_name)
            setattr(self, stop_name, run_id)  # the streaming worker sees it at its next update
            key = f"{self.router.session.client_token}#{kind}"
            if session.stop(key, run_id):
                return
        settings = get_settings()
        if await lease.alive(settings, key, run_id):
            await lease.request_stop(settings, key, run_id)  # its watchdog ends it, even while it waits
            return
        async with self:  # no worker runs it any more (it died): end it here
            if getattr(self, flag) and getattr(self, run_name) == run_id and session.running(key) is None:
                self._settle_lost(kind, "stopped", "")

    def _settle_lost(self, kind: str, status: str, message: str) -> None:
        """End a flow whose generation no worker runs (stopped, or lost with its worker)."""
        names = {"question": _ASK_VARS, "swap": _SWAP_VARS, "image": _PICTURE_VARS}[kind]
        self._apply_flow({"status": status, "is_streaming": False, "notice": "", "error": message}, names)
        if kind == "image" and status != "stopped":
            self.picture_uri = self._drawn_uri

    async def _recover_lost(self) -> None:
        """On a page load: a flow still marked running whose worker is gone ends with a message."""
        settings = get_settings()
        token = self.router.session.client_token
        for kind, flag, run_name in (("question", "asking", "_ask_run"), ("swap", "swapping", "_swap_run"),
                                     ("image", "drawing", "_picture_run")):
            key = f"{token}#{kind}"
            if getattr(self, flag) and session.running(key) is None:
                if not await lease.alive(settings, key, getattr(self, run_name)):
                    self._settle_lost(kind, "error", LOST_MESSAGE)

    async def _hold(self) -> _Hold:
        browser = await self.get_state(BrowserState)
        return _Hold(self.router.session.client_token, session.new_run_id(), browser.owner_id(), self.router.session.client_ip)

    async def _stream(
        self, hold: _Hold, run: RecipeRun, kind: str, names: dict[str, str], stop_flag: str,
        settings: Settings | None = None, ended: Callable[[dict[str, Any]], Awaitable[None]] | None = None,
    ) -> dict[str, Any]:
        """Run one generation of ``kind`` and apply its change sets; returns its final change set.

        ``ended`` runs with the final change set, under the same lock (one update shows both).
        """
        settings = settings or get_settings()

        async def notify(changes: dict[str, Any]) -> None:
            async with self:
                self._apply_flow(changes, names)

        async def tab_connected(_token: str) -> bool:
            return await presence.tab_connected(hold.token)  # the tab's own token, not the run's key

        generation = GenerationSession(
            settings,
            run.request,
            token=f"{hold.token}#{kind}",  # its own slot: a question never stops the tab's recipe
            run_id=hold.run_id,
            owner_id=hold.owner,
            presence=tab_connected,
            notify=notify,
            run=run,
        )
        try:
            async with generation:
                async for changes in generation.updates():
                    async with self:
                        if getattr(self, stop_flag) == hold.run_id:
                            generation.end("stopped")
                        else:
                            self._apply_flow(changes, names)
        finally:
            async with self:
                self._apply_flow(generation.final, names)
                if ended is not None:
                    await ended(generation.final)
        return generation.final

    def _apply_flow(self, changes: dict[str, Any], names: dict[str, str]) -> None:
        for key, value in changes.items():
            name = names.get(key)
            if name is not None and getattr(self, name) != value:
                setattr(self, name, value)


@dataclasses.dataclass(frozen=True)
class _Hold:
    token: str
    run_id: str
    owner: str
    ip: str


def _request(subject: Subject) -> RecipeRequest:
    """The cook's diet and allergies as a request (what the row records besides the question)."""
    return RecipeRequest(dish=subject.title[:200] or "recipe", diet=subject.diet, allergies=subject.allergies[:MAX_ALLERGIES])
