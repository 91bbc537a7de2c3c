"""Around the finished studio card: ask it, swap an ingredient, its picture.

The thread lives with the tab; once the recipe is saved, each new answer is kept with the saved
recipe too, and Apply streams the change here as a new version of it.
"""

from __future__ import annotations

import asyncio
from typing import Any

import reflex as rx
from pydantic import ValidationError

from recipe_app.db import pictures, threads
from recipe_app.domain.recipe import Recipe
from recipe_app.domain.request import MAX_ITEM_CHARS, RecipeRequest
from recipe_app.kitchen.illustration import illustration_uri
from recipe_app.core.settings import get_settings
from recipe_app.pages.ask_flow import AskFlow, Subject, pictures_enabled
from recipe_app.pages.ask_view import ask_panel, picture, swap_panel
from recipe_app.pages.studio.state import StudioState
from recipe_app.state import BrowserState
from recipe_app.web.pictures import picture_url


class StudioAskState(AskFlow, rx.State):
    """Questions and swaps about the recipe on the studio card."""

    ingredient_items: list[str] = []

    _for_generation: int = 0  # the generation whose recipe the thread is about

    @rx.event
    async def prepare(self) -> Any:
        """A finished card appeared: a new recipe starts a new thread and gets its picture (drawn
        offline; from the image model too when one is set). A reload asks for nothing again."""
        await self._recover_lost()
        studio = await self.get_state(StudioState)
        if studio._generation_id == self._for_generation and self.picture_uri:
            return None
        self._for_generation = studio._generation_id
        self.thread, self.question, self.ask_status, self.answer, self.change = [], "", "idle", "", ""
        self.swap_line, self.swaps, self.swap_status, self.swap_error, self.ask_error = "", [], "idle", "", ""
        recipe = _recipe(studio._recipe_json)
        self._drawn_uri = self.picture_uri = illustration_uri(recipe) if recipe else ""
        self.can_draw = pictures_enabled(get_settings())
        self.picture_status, self.picture_error, self.picture_usage = "idle", "", ""
        self.ingredient_items = (
            list(dict.fromkeys(i.item[:MAX_ITEM_CHARS] for i in recipe.recipeIngredient)) if recipe else []
        )
        return StudioAskState.draw_picture if self.can_draw and recipe is not None else None

    @rx.event
    async def keep_with_saved(self) -> None:
        """After Save: the thread asked so far and the image model's picture go with the saved recipe
        (a picture still being drawn is kept when it is finished, :meth:`_keep_picture`)."""
        studio = await self.get_state(StudioState)
        if not studio.saved_recipe_id or studio._generation_id != self._for_generation:
            return
        owner = (await self.get_state(BrowserState)).owner_id()
        for item in self.thread:
            await asyncio.to_thread(threads.add_to_thread, owner, studio.saved_recipe_id, item["q"], item["a"])
        # A finished picture only: a stopped one's last partial image stays on the card, not kept.
        finished = self.picture_status == "done" and self.picture_uri != self._drawn_uri
        if finished and self.picture_uri.startswith("data:image/"):
            version = await asyncio.to_thread(pictures.keep_picture, owner, studio.saved_recipe_id, self.picture_uri,
                                              get_settings().image_model or "")
            self.picture_uri = picture_url(studio.saved_recipe_id, version) or self.picture_uri

    async def _subject(self) -> Subject | None:
        studio = await self.get_state(StudioState)
        recipe = _recipe(studio._recipe_json) if studio.status == "done" else None
        if recipe is None:
            return None
        try:
            request = RecipeRequest.model_validate_json(studio._last_request)
        except ValidationError:
            request = RecipeRequest(dish=recipe.name[:200])
        items = list(dict.fromkeys(i.item[:MAX_ITEM_CHARS] for i in recipe.recipeIngredient))
        return Subject(studio._recipe_json, recipe.name, request.diet, list(request.allergies), items,
                       recipe_id=studio.saved_recipe_id)

    async def _keep(self, owner: str, question: str, answer: str) -> list[dict[str, str]]:
        studio = await self.get_state(StudioState)
        if studio.saved_recipe_id:
            await asyncio.to_thread(threads.add_to_thread, owner, studio.saved_recipe_id, question, answer)
        return await super()._keep(owner, question, answer)

    async def _keep_picture(self, owner: str, subject: Subject, data_uri: str, model: str) -> str:
        # The card as it is now: a Save while the picture was drawn gives it a recipe to go with.
        studio = await self.get_state(StudioState)
        if not studio.saved_recipe_id or studio._recipe_json != subject.recipe_json:
            return ""
        version = await asyncio.to_thread(pictures.keep_picture, owner, studio.saved_recipe_id, data_uri, model)
        return picture_url(studio.saved_recipe_id, version)

    async def _apply_change(self, subject: Subject, change: str) -> Any:
        if not subject.recipe_id:
            return rx.toast.info("Save the recipe first: the change then becomes its new version.")
        studio = await self.get_state(StudioState)
        await studio._prepare_version(subject.recipe_id, change)
        return StudioState.generate


def _recipe(recipe_json: str) -> Recipe | None:
    try:
        return Recipe.model_validate_json(recipe_json) if recipe_json else None
    except ValidationError:
        return None


def around_the_card() -> rx.Component:
    """Under a finished studio card: its picture, questions and swaps."""
    S = StudioAskState
    return rx.cond(
        StudioState.status == "done",
        rx.vstack(
            picture(S, "card-picture"),
            ask_panel(S),
            swap_panel(S, S.ingredient_items),
            width="100%",
            spacing="5",
            on_mount=S.prepare,
        ),
    )
