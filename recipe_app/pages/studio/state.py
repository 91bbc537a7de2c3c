"""State of the studio page: the form, and the recipe card that fills in while it streams.

Generation runs in a background handler that only applies the change sets of its
:class:`~recipe_app.generation.session.GenerationSession` under the state lock, so Stop can run in
between and the session guarantees the terminal state. One generation per tab: the running flag is
checked and set under the lock, so a double click cannot start a second stream.
"""

from __future__ import annotations

import asyncio
import dataclasses
import re
import secrets
from typing import Any

import reflex as rx
from pydantic import ValidationError

from recipe_app.components.recipe_view import CARD_TO_VAR, RecipeViewVars
from recipe_app.core.settings import get_settings
from recipe_app.db import generations, recipes
from recipe_app.domain.card import EMPTY_CARD, recipe_markdown
from recipe_app.domain.recipe import Recipe
from recipe_app.domain.request import (
    DIETS,
    MAX_ALLERGIES,
    MAX_EQUIPMENT,
    MAX_INGREDIENTS,
    MAX_ITEM_CHARS,
    MAX_TEXT_CHARS,
    RecipeRequest,
    clean_text,
    strip_invisible,
)
from recipe_app.generation import lease, session
from recipe_app.generation.run import goes_backwards
from recipe_app.generation.session import MAX_CONTINUE_CHARS, GenerationSession, StudioRestarted
from recipe_app.kitchen.allergens import allergy_report
from recipe_app.kitchen.card import card_fields, parse_partial
from recipe_app.state import BrowserState
from recipe_app.web import compat, presence

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
    can_retry: bool = True  # False when Try again cannot help the cook (the site's account or settings)
    allergen_warnings: list[str] = []  # one line per ingredient that may contain a listed allergen
    allergy_unchecked: list[str] = []  # allergies as typed that no known allergen group matches
    limit_message: str = ""  # shown under Generate when a limit applies; nothing was sent upstream
    limit_seconds: int = 0  # the wait that message names, counted down in the browser
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
    _applied_go: str = ""  # the last Apply as a new version streamed (its one-time &go= value)

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
        self.dish = strip_invisible(str(value))  # cleaned fully on Generate; nothing typed is cut

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
        self.cuisine = strip_invisible(str(value))

    @rx.event
    def set_max_minutes(self, value: str) -> None:
        """Maximum total time in minutes (text, validated on Generate)."""
        self.max_minutes = strip_invisible(str(value))

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
            if request is None:
                return
            self._last_request = request.model_dump_json()
            hold = await self._hold()
        await self._generate(request, hold)

    @rx.event(background=True)
    async def regenerate(self) -> None:
        """Run the last request again."""
        async with self:
            if self.is_streaming or not self._last_request:
                return
            request = RecipeRequest.model_validate_json(self._last_request)
            hold = await self._hold()
        await self._generate(request, hold)

    @rx.event(background=True)
    async def continue_recipe(self) -> None:
        """Ask the model for the rest of an interrupted or cut-off recipe, keeping what is shown."""
        async with self:
            if self.is_streaming or not self.can_continue or not self._last_request:
                return
            request = RecipeRequest.model_validate_json(self._last_request)
            hold = await self._hold(continuing=True)
        await self._generate(request, hold)

    @rx.event(background=True)
    async def stop(self) -> None:
        """Stop the running generation: here, on the worker running it, or end it when no worker does.

        A background event: waiting for another worker to end its run must not hold the tab's lock
        (that worker needs it to write the end).
        """
        async with self:
            if not self.is_streaming:
                return
            self._stop_run = run_id = self._run_id
            token = self.router.session.client_token
            if session.stop(token, run_id):
                return
        settings = get_settings()
        if await lease.alive(settings, token, run_id):
            await lease.request_stop(settings, token, run_id)  # that worker's watchdog ends it
            await lease.wait_released(settings, token, run_id)  # it ends it, or its lease runs out
        async with self:
            if self.is_streaming and self._run_id == run_id and session.running(token) is None:
                if await lease.alive(settings, token, run_id):
                    return  # still running elsewhere (a slow worker): its next update sees the Stop
                if self._generation_id:
                    await self._recover_orphan()  # its worker is gone
                else:
                    self._apply({"status": "stopped", "is_streaming": False, "notice": ""})  # never started

    @rx.event
    async def on_page_load(self) -> Any:
        """Prepare a new version when asked (?from=ID&change=..., streamed at once with a new &go=...);
        re-attach to a running generation."""
        params = self.router.url.query_parameters
        if params.get("from", "").isdigit() and not self.is_streaming:
            await self._prepare_version(int(params["from"]), params.get("change", ""))
            go = params.get("go", "")[:40]
            if go and go != self._applied_go and self.base_recipe_id:  # Apply as a new version: stream it
                self._applied_go = go  # once: a reload of the same address does not ask again
                return StudioState.generate
        token = self.router.session.client_token
        settings = get_settings()
        if session.running(token) is not None:
            live = _live_cards.get(token)
            if live is not None:  # what the tab was sent since the last sync, so the reload shows it
                self._apply(live.take())
            return  # running here: the tab re-attaches to it
        if self.is_streaming:
            if not await lease.alive(settings, token, self._run_id):  # else another worker runs it
                await self._recover_orphan()
        else:
            # A worker that died (or restarted) before it wrote the tab's state back: the
            # generation row (its text saved every few seconds) is what is left of it.
            row = await asyncio.to_thread(generations.unfinished_for_tab, token)
            if row is not None and row.id and not await lease.alive(settings, token):
                self._adopt(row.id, row.request_json)
                await self._recover_orphan()

    def _adopt(self, generation_id: int, request_json: str) -> None:
        """Take over a generation this tab's state does not know of (its worker died before saving it)."""
        self._generation_id, self._last_request = generation_id, request_json
        try:
            request = RecipeRequest.model_validate_json(request_json)
        except ValidationError:
            return
        self.ingredients, self.dish, self.servings = request.ingredients, request.dish, request.servings
        self.diet, self.allergies, self.equipment = request.diet, request.allergies, request.equipment
        self.cuisine = request.cuisine
        self.max_minutes = str(request.max_minutes or "")

    async def _recover_orphan(self) -> None:
        """End a generation whose worker is gone (restart, crash): what was shown is kept, Continue offered."""
        text = ""
        if self._generation_id:
            try:
                text = await asyncio.to_thread(generations.interrupt_unfinished, self._generation_id, "WorkerLost")
            except Exception:  # noqa: BLE001 - the tab must end all the same
                session.logger.exception("recording the lost generation %s failed", self._generation_id)
        card = self._card()
        if text:
            rebuilt = card_fields(parse_partial(text), final=True)
            if not goes_backwards(card, rebuilt):  # the saved text may be ahead of the saved state
                self._apply(rebuilt)
        self._apply(
            {
                "status": "error",
                "is_streaming": False,
                "notice": "",
                "error": StudioRestarted.user_message,
                "can_continue": 0 < len(text) <= MAX_CONTINUE_CHARS,
                "can_retry": True,
            }
        )
        self._partial_text = text

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

    def _catch_up(self, sent: dict[str, Any], changes: dict[str, Any]) -> None:
        """A sync: set what the browser was sent since the last one, then ``changes`` (see _LiveCard).

        In this order: ``changes`` is compared with what the browser shows, not with the state as the
        last sync left it (a live step that emptied again would otherwise never reach the browser).
        """
        self._apply(sent)
        self._apply(changes)

    async def _hold(self, continuing: bool = False) -> _Hold:
        """Mark the tab as starting a generation, so a second click is refused. Under the state lock."""
        browser = await self.get_state(BrowserState)
        hold = _Hold(
            token=self.router.session.client_token,
            run_id=session.new_run_id(),
            owner=browser.owner_id(),
            ip=self.router.session.client_ip,
            previous_status=self.status,
            continuing=continuing,
        )
        self._run_id, self._stop_run = hold.run_id, ""
        self._apply({"is_streaming": True, "limit_message": "", "limit_seconds": 0})
        return hold

    async def _generate(self, request: RecipeRequest, hold: _Hold) -> None:
        """Admit (outside the lock: the quota may be a Redis round trip), then stream."""
        settings = get_settings()
        message = await session.admit(settings, hold.owner, hold.ip)
        async with self:
            if self._run_id != hold.run_id:
                return  # the tab moved on meanwhile
            if message or self._stop_run == hold.run_id:
                self._apply({"limit_message": message, "limit_seconds": _wait_seconds(message), "is_streaming": False})
                self._apply({"status": hold.previous_status})
                return
            prefix, seed = (self._partial_text, self._partial_seed) if hold.continuing else ("", secrets.randbelow(2**31))
            if not hold.continuing:
                self._apply(EMPTY_CARD)
            self._apply({"status": "waiting", "error": "", "notice": "", "can_continue": False, "can_retry": True})
            unchecked = allergy_report([], request.allergies).unchecked  # said from the start, not after
            self._apply({"allergen_warnings": [], "allergy_unchecked": unchecked, "saved_recipe_id": 0, "usage": ""})
            self._recipe_json, self._partial_seed, self._generation_id = "", seed, 0
            shown = self._card() if hold.continuing else None

        async def notify(changes: dict[str, Any]) -> None:
            async with self:
                self._apply(changes)

        generation = GenerationSession(
            settings,
            request,
            token=hold.token,
            run_id=hold.run_id,
            owner_id=hold.owner,
            shown=shown,
            prefix=prefix,
            seed=seed,
            presence=presence.tab_connected,
            notify=notify,
        )
        send = compat.delta_sender(StudioState, _CARD_VARS) if settings.stream_sync_ms else None
        live = _live_cards[hold.token] = _LiveCard(send, settings.stream_sync_ms)
        try:
            async with generation:
                async for changes in generation.updates():
                    if await live.sent(changes):
                        continue  # shown without the lock; the state catches up at the next sync
                    async with self:
                        tab = _unproxied(self)  # one update per flush: skip the proxy's checks per var
                        if tab._stop_run == hold.run_id:  # Stop arrived through another worker
                            generation.end("stopped")
                        else:
                            tab._catch_up(live.take(), changes)
        finally:
            if _live_cards.get(hold.token) is live:
                del _live_cards[hold.token]
            async with self:
                self._catch_up(live.take(), generation.final)


_CARD_KEYS = frozenset(EMPTY_CARD)
_CARD_VARS = {key: CARD_TO_VAR.get(key, key) for key in EMPTY_CARD}  # a card field -> the var showing it


class _LiveCard:
    """Streaming card updates sent to the browser between syncs of the tab's state on the server.

    Taking the tab's state lock for an update costs more than building it (the lock, the state
    manager, Reflex's delta; bench/BENCHMARKS.md). Between syncs, an update that changes only card
    fields is sent with :func:`recipe_app.web.compat.delta_sender` and kept here; a sync (the first
    update, one with anything but card fields, e.g. the status, and one every ``sync_ms``) takes the
    lock, sets what was sent since the last one and then its own changes. A set value is sent again,
    so a tab that reloaded between two syncs (and hydrated from the state a sync left) is brought up
    to date by the next one. Without a sender, every update is a sync.
    """

    def __init__(self, send: compat.DeltaSender | None, sync_ms: int) -> None:
        self._send = send
        self._every = sync_ms / 1000
        self._next_sync = 0.0  # the first update syncs
        self._sent: dict[str, Any] = {}

    async def sent(self, changes: dict[str, Any]) -> bool:
        """Send ``changes`` without the lock if no sync is due; False when the caller must sync."""
        due = asyncio.get_running_loop().time() >= self._next_sync
        if self._send is None or due or not changes.keys() <= _CARD_KEYS:
            return False
        self._sent.update(changes)  # first: a cancel during the send still leaves them to the next sync
        await self._send(changes)
        return True

    def take(self) -> dict[str, Any]:
        """The latest value of each field sent since the last sync (the browser shows it); the next interval starts."""
        sent, self._sent = self._sent, {}
        self._next_sync = asyncio.get_running_loop().time() + self._every
        return sent


#: The live card of each tab streaming in this process: a reload (on_page_load, under the tab's lock)
#: sets what was sent since the last sync before it re-attaches.
_live_cards: dict[str, _LiveCard] = {}


def _unproxied(state: StudioState) -> StudioState:
    """The tab's state itself, inside ``async with self`` of a background task.

    Inside the block the background task's proxy only checks that the lock is held and forwards
    every read and write to the state it loaded (its ``__wrapped__``); the state tracks what changed
    itself, so an update set on it directly is sent all the same (tests/pages/test_studio_state.py).
    """
    plain = getattr(state, "__wrapped__", None)
    return plain if isinstance(plain, StudioState) else state


@dataclasses.dataclass(frozen=True)
class _Hold:
    """A press of Generate between the click and the stream: who asked, and what to restore if refused."""

    token: str
    run_id: str
    owner: str
    ip: str
    previous_status: str
    continuing: bool


def _wait_seconds(message: str) -> int:
    """The wait named by an admission message ("... again in 48 s" / "3 min" / "5 h", core.ratelimit.wait_text)."""
    found = re.search(r"again in (\d+) (s|min|h)\b", message)
    return int(found[1]) * {"s": 1, "min": 60, "h": 3600}[found[2]] if found else 0


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
