"""State of the studio page: the form, and the recipe card that fills in while it streams.

Generation runs in a background handler, so the state lock is held only for the instant each batch
is applied and Stop can run in between. One generation per tab: the running flag is checked and set
under the lock, so a double click cannot start a second stream.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import uuid
from typing import Any

import reflex as rx
from pydantic import ValidationError

from recipe_app.core import metrics

from recipe_app.web import presence
from recipe_app.components.recipe_view import CARD_TO_VAR, RecipeViewVars
from recipe_app.db import generations, recipes
from recipe_app.kitchen.allergens import allergen_matches
from recipe_app.domain.card import EMPTY_CARD, card_changes, recipe_markdown
from recipe_app.llm.client import get_client
from recipe_app.llm.errors import GenerationError, Interrupted, Truncated
from recipe_app.domain.request import DIETS, MAX_ALLERGIES, MAX_EQUIPMENT, MAX_INGREDIENTS, MAX_ITEM_CHARS, MAX_TEXT_CHARS, RecipeRequest, clean_text
from recipe_app.domain.recipe import Recipe
from recipe_app.generation.run import RecipeRun
from recipe_app.generation.recording import record_outcome, track_progress, untrack_progress, usage_text
from recipe_app.core.ratelimit import get_quota, wait_text
from recipe_app.core.settings import get_settings
from recipe_app.state import BrowserState

# Generations running in this process, by client token. Asyncio tasks cannot live on state.
_running: dict[str, _Active] = {}

# A continuation re-sends the text so far: past this size, Try again is the better offer.
MAX_CONTINUE_CHARS = 12_000

_LIST_LIMITS = {"ingredients": MAX_INGREDIENTS, "allergies": MAX_ALLERGIES, "equipment": MAX_EQUIPMENT}


class StudioState(RecipeViewVars, rx.State):
    """The form and the recipe card of one browser tab."""

    # The form.
    ingredients: list[str] = []
    dish: str = ""
    servings: int = 2
    diet: str = "none"
    allergies: list[str] = []
    cuisine: str = ""
    max_minutes: str = ""
    equipment: list[str] = []
    field_errors: dict[str, str] = {}

    # The generation.
    status: str = "idle"  # idle | waiting | streaming | done | stopped | error
    is_streaming: bool = False
    error: str = ""
    notice: str = ""  # "Retrying (2/3)…" while waiting for the provider
    can_continue: bool = False  # an interrupted or cut-off recipe can be finished by a new request
    allergen_warnings: list[str] = []
    limit_message: str = ""  # shown under Generate when a limit applies; nothing was sent upstream
    usage: str = ""  # tokens and estimated cost of the generation on the card
    saved_recipe_id: int = 0  # the saved copy of the recipe on the card, once saved
    base_recipe_id: int = 0  # set when streaming a new version of a saved recipe
    base_title: str = ""
    change_request: str = ""
    is_demo: bool = get_settings().demo_mode

    # The card: the display vars of RecipeViewVars plus what only a streaming card has
    # (together exactly the fields of recipe_app.domain.card.EMPTY_CARD).
    ingredient_live: str = ""
    step_live: str = ""
    tip_live: str = ""
    section: str = ""

    _last_request: str = ""
    _recipe_json: str = ""  # the validated recipe on the card, for Save
    _generation_id: int = 0
    _partial_text: str = ""
    _base_recipe_json: str = ""
    _partial_seed: int = 0
    _run_id: str = ""
    _stop_run: str = ""

    # ---- form -------------------------------------------------------------------------------
    @rx.event
    def add_item(self, field: str, form: dict[str, Any]) -> None:
        """Add a chip to ingredients, allergies or equipment from its little form."""
        if field not in _LIST_LIMITS:
            return
        items: list[str] = getattr(self, field)
        errors = dict(self.field_errors)
        errors.pop(field, None)
        for raw in str(form.get("item", "")).split(","):
            item = clean_text(raw)
            if not item:
                continue
            if len(item) > MAX_ITEM_CHARS:
                errors[field] = f"Keep each entry under {MAX_ITEM_CHARS} characters."
            elif len(items) >= _LIST_LIMITS[field]:
                errors[field] = f"At most {_LIST_LIMITS[field]} entries."
            elif item.lower() not in (i.lower() for i in items):
                items = [*items, item]
        setattr(self, field, items)
        self.field_errors = errors

    @rx.event
    def remove_item(self, field: str, index: int) -> None:
        """Remove one chip."""
        if field in _LIST_LIMITS:
            items: list[str] = list(getattr(self, field))
            if 0 <= index < len(items):
                items.pop(index)
                setattr(self, field, items)

    @rx.event
    def set_dish(self, value: str) -> None:
        """Dish idea text."""
        self.dish = value

    @rx.event
    def set_servings(self, value: str) -> None:
        """Servings from the select (1-12)."""
        try:
            self.servings = min(12, max(1, int(value)))
        except ValueError:
            self.servings = 2

    @rx.event
    def set_diet(self, value: str) -> None:
        """Diet from the fixed list."""
        self.diet = value if value in DIETS else "none"

    @rx.event
    def set_cuisine(self, value: str) -> None:
        """Cuisine text."""
        self.cuisine = value

    @rx.event
    def set_max_minutes(self, value: str) -> None:
        """Maximum total time in minutes (text, validated on Generate)."""
        self.max_minutes = value

    def _validated_request(self) -> RecipeRequest | None:
        """The form as a request, or None with a message next to each bad field."""
        errors: dict[str, str] = {}
        minutes: int | None = None
        if self.max_minutes.strip():
            try:
                minutes = int(self.max_minutes.strip())
            except ValueError:
                errors["max_minutes"] = "Enter a whole number of minutes."
        data = {
            "changes": self.change_request if self.base_recipe_id else "",
            "base_recipe": self._base_recipe_json if self.base_recipe_id else "",
            "ingredients": self.ingredients,
            "dish": self.dish,
            "servings": self.servings,
            "diet": self.diet,
            "allergies": self.allergies,
            "cuisine": self.cuisine,
            "max_minutes": minutes,
            "equipment": self.equipment,
        }
        request = None
        try:
            request = RecipeRequest.model_validate(data)
        except ValidationError as exc:
            for err in exc.errors():
                field = str(err["loc"][0]) if err["loc"] else "ingredients"
                errors.setdefault(field, _field_message(field, err))
        self.field_errors = errors
        return None if errors else request

    # ---- generation -------------------------------------------------------------------------
    @rx.event(background=True)
    async def generate(self) -> None:
        """Validate the form and stream a recipe for it."""
        async with self:
            if self.is_streaming:
                return
            request = self._validated_request()
            if request is None or not await self._admit():
                return
            self._last_request = request.model_dump_json()
            token, run_id = self._begin()
        await self._stream(request, token, run_id)

    @rx.event(background=True)
    async def regenerate(self) -> None:
        """Run the last request again."""
        async with self:
            if self.is_streaming or not self._last_request or not await self._admit():
                return
            request = RecipeRequest.model_validate_json(self._last_request)
            token, run_id = self._begin()
        await self._stream(request, token, run_id)

    @rx.event(background=True)
    async def continue_recipe(self) -> None:
        """Ask the model for the rest of an interrupted or cut-off recipe, keeping what is shown."""
        async with self:
            if self.is_streaming or not self.can_continue or not self._last_request or not await self._admit():
                return
            request = RecipeRequest.model_validate_json(self._last_request)
            prefix, seed = self._partial_text, self._partial_seed
            token, run_id = self._begin(keep_card=True)
        await self._stream(request, token, run_id, prefix=prefix, seed=seed)

    @rx.event
    def stop(self) -> None:
        """Stop the running generation: cancel it here, or flag it for the worker running it."""
        if not self.is_streaming:
            return
        self._stop_run = self._run_id
        active = _running.get(self.router.session.client_token)
        if active is not None and active.run_id == self._run_id:
            active.end("stopped")

    @rx.event
    async def on_page_load(self) -> None:
        """Prepare a new version when asked (?from=ID&change=...); re-attach to a running generation."""
        params = self.router.url.query_parameters
        if params.get("from", "").isdigit() and not self.is_streaming:
            await self._prepare_version(int(params["from"]), params.get("change", ""))
        if not self.is_streaming or get_settings().redis_url:
            return  # with Redis the generation may be running on another worker
        if self.router.session.client_token not in _running:
            self._apply(
                {
                    "status": "error",
                    "is_streaming": False,
                    "notice": "",
                    "error": "The recipe was interrupted because the studio restarted. What was shown is kept.",
                }
            )

    async def _prepare_version(self, recipe_id: int, change: str) -> None:
        """Fill the form from a saved recipe of this browser, to stream a changed version of it."""
        owner = (await self.get_state(BrowserState)).owner_id()
        row = await asyncio.to_thread(recipes.get_recipe, owner, recipe_id)
        if row is None:
            return
        recipe = Recipe.model_validate_json(row.recipe_json)
        change = clean_text(change)[:MAX_TEXT_CHARS]
        self.base_recipe_id, self.base_title, self.change_request = row.id, row.title, change
        self._base_recipe_json = row.recipe_json
        self.ingredients = list(dict.fromkeys(clean_text(i.item)[:MAX_ITEM_CHARS] for i in recipe.recipeIngredient))[
            :MAX_INGREDIENTS
        ]
        self.dish = recipe.name[:MAX_TEXT_CHARS]
        self.servings = min(max(recipe.recipeYield, 1), 12)
        named = [d for d in DIETS if d != "none" and d in change.lower()]
        self.diet = named[0] if named else (row.diet if row.diet in DIETS else "none")
        self.field_errors = {}

    @rx.event
    def cancel_version(self) -> None:
        """Back to a fresh recipe instead of a new version."""
        self.base_recipe_id, self.base_title, self.change_request = 0, "", ""
        self._base_recipe_json = ""

    @rx.event
    async def save_recipe(self) -> Any:
        """Put the finished recipe in My recipes (a new version when it was made from one)."""
        if self.status != "done" or not self._recipe_json or self.saved_recipe_id:
            return None
        owner = (await self.get_state(BrowserState)).owner_id()
        request = RecipeRequest.model_validate_json(self._last_request)
        row = await asyncio.to_thread(
            recipes.save_recipe,
            owner,
            Recipe.model_validate_json(self._recipe_json),
            diet=request.diet,
            generation_id=self._generation_id or None,
            parent_id=self.base_recipe_id or None,
            version_note=request.changes,
        )
        self.saved_recipe_id = row.id
        return rx.toast.success("Saved to My recipes")

    @rx.event
    def copy_recipe(self) -> Any:
        """Put the recipe on the clipboard as Markdown."""
        markdown = recipe_markdown(self._card())
        return [rx.set_clipboard(markdown), rx.toast.success("Recipe copied as Markdown")]

    def _card(self) -> dict[str, Any]:
        return {key: getattr(self, CARD_TO_VAR.get(key, key)) for key in EMPTY_CARD}

    def _apply(self, changes: dict[str, Any]) -> None:
        """Set card fields (and flags); only values that differ, since every assignment is sent."""
        for key, value in changes.items():
            name = CARD_TO_VAR.get(key, key)
            if getattr(self, name) != value:
                setattr(self, name, value)

    async def _admit(self) -> bool:
        """Apply the operator's limits before any upstream call. Called under the state lock."""
        settings = get_settings()
        message = ""
        if len(_running) >= settings.max_concurrent_streams:
            message = "The studio is very busy right now. Please try again in a few seconds."
            metrics.RATE_LIMITED.labels("busy").inc()
        else:
            owner = (await self.get_state(BrowserState)).owner_id()
            wait = await get_quota(settings).take(owner, self.router.session.client_ip)
            if wait is not None:
                message = f"You have reached the recipe limit for now. You can generate again in {wait_text(wait)}."
                metrics.RATE_LIMITED.labels("quota").inc()
        self._apply({"limit_message": message})
        return not message

    def _begin(self, keep_card: bool = False) -> tuple[str, str]:
        """Reset the card and mark this tab as streaming. Called under the state lock."""
        if not keep_card:
            self._apply(EMPTY_CARD)
        self._apply({"status": "waiting", "is_streaming": True, "error": "", "notice": "", "can_continue": False})
        self._apply({"allergen_warnings": [], "saved_recipe_id": 0, "usage": ""})
        self._recipe_json = ""
        self._run_id = uuid.uuid4().hex
        self._stop_run = ""
        return self.router.session.client_token, self._run_id

    async def _stream(
        self, request: RecipeRequest, token: str, run_id: str, prefix: str = "", seed: int | None = None
    ) -> None:
        """Read the upstream in batches and apply each batch in one state update."""
        settings = get_settings()

        async def show_retry(message: str) -> None:
            metrics.RETRIES.inc()
            async with self:
                self.notice = message

        run = RecipeRun(get_client(settings), settings, request, prefix=prefix, seed=seed, on_retry=show_retry)
        active = _running[token] = _Active(run_id, asyncio.current_task())  # type: ignore[arg-type]
        watchdog = asyncio.create_task(presence.wait_until_gone(token, settings.tab_grace_s))
        watchdog.add_done_callback(active.end_if_tab_gone)
        async with self:
            owner = (await self.get_state(BrowserState)).owner_id()
        generation_id = await asyncio.to_thread(
            generations.start_generation, token, request.model_dump_json(), settings.model_name, owner_id=owner
        )
        track_progress(generation_id, run)
        metrics.ACTIVE_STREAMS.inc()
        status, failure = "complete", None
        try:
            try:
                if prefix:
                    async with self:
                        self._apply(card_changes(self._card(), run.card))
                async for changes in run.updates():
                    async with self:
                        if self._stop_run == run_id:  # Stop arrived through another worker
                            active.reason = active.reason or "stopped"
                            raise asyncio.CancelledError
                        self._apply(changes)
                        metrics.UPDATES.inc()
                        metrics.UPDATE_BYTES.inc(_size(changes))
                        if self.status == "waiting":
                            self._apply({"status": "streaming", "notice": ""})
                final = run.finish()
            except asyncio.CancelledError:
                if active.reason is None:  # not ours: the server is shutting down
                    raise
                status = "stopped"
                final = run.settle()
            except GenerationError as exc:
                status, failure = exc.outcome, exc
                final = run.settle()
            warnings: list[str] = []
            if run.recipe is not None:
                lines = [f"{i.item} {i.note}" for i in run.recipe.recipeIngredient]
                warnings = sorted({a for line in lines for a in allergen_matches(line, request.allergies)})
            async with self:
                self._apply(final)
                self._apply(
                    {
                        "status": {"complete": "done", "stopped": "stopped"}.get(status, "error"),
                        "error": failure.user_message if failure else "",
                        "notice": "",
                        "is_streaming": False,
                        "can_continue": isinstance(failure, (Interrupted, Truncated))
                        and 0 < len(run.text) <= MAX_CONTINUE_CHARS,
                        "allergen_warnings": warnings,
                        "usage": usage_text(settings, run),
                    }
                )
                self._partial_text = run.text if failure else ""
                self._partial_seed = run.seed
                self._recipe_json = run.recipe.model_dump_json() if run.recipe else ""
                self._generation_id = generation_id
        finally:
            watchdog.cancel()
            untrack_progress(generation_id)
            metrics.ACTIVE_STREAMS.dec()
            if _running.get(token) is active:
                del _running[token]
            error_type = failure.error_type if failure else ("TabClosed" if active.reason == "tab_closed" else "")
            await asyncio.shield(asyncio.to_thread(record_outcome, generation_id, run, status, error_type, failure))


@dataclasses.dataclass
class _Active:
    """A generation running in this process, and why it was ended early (if it was)."""

    run_id: str
    task: asyncio.Task[Any]
    reason: str | None = None  # "stopped" | "tab_closed"

    def end(self, reason: str) -> None:
        """Cancel the generation for ``reason`` (the first reason wins)."""
        if self.reason is None and not self.task.done():
            self.reason = reason
            self.task.cancel()

    def end_if_tab_gone(self, watchdog: asyncio.Task[None]) -> None:
        """Done-callback of the presence watchdog: it returns only when the tab stayed away."""
        if not watchdog.cancelled() and watchdog.exception() is None:
            self.end("tab_closed")



def _size(changes: dict[str, Any]) -> int:
    """About the JSON bytes of card changes: exact for text (most updates), serialised otherwise."""
    return sum(len(v) + 2 if isinstance(v, str) else len(json.dumps(v)) for v in changes.values())


def _field_message(field: str, err: Any) -> str:
    """A cook-facing message for one validation error."""
    kind = err.get("type", "")
    if field == "ingredients" and not err["loc"]:
        return "Add at least one ingredient or a dish idea."
    if kind == "too_long":
        limit = {"ingredients": MAX_INGREDIENTS, "allergies": MAX_ALLERGIES, "equipment": MAX_EQUIPMENT}.get(field)
        return f"At most {limit} entries." if limit else "This is too long."
    if kind == "string_too_long":
        return "This is too long."
    if field == "max_minutes":
        return "Between 5 minutes and 24 hours."
    if field == "servings":
        return "Between 1 and 12 servings."
    return str(err.get("msg", "Please check this field.")).removeprefix("Value error, ")
