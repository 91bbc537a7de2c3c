"""Around a saved recipe: ask it (the thread is kept with it), swap an ingredient, its picture,
and what this version changed from the one it was made from."""

from __future__ import annotations

import asyncio
from typing import Any

import reflex as rx

from recipe_app.db import pictures, recipes, threads
from recipe_app.domain.recipe import Recipe
from recipe_app.domain.request import DIETS, MAX_ITEM_CHARS
from recipe_app.kitchen.illustration import illustration_uri
from recipe_app.kitchen.versions import diff_versions
from recipe_app.core.settings import get_settings
from recipe_app.pages.ask_flow import AskFlow, Subject, pictures_enabled
from recipe_app.pages.ask_view import ask_panel, picture, swap_panel
from recipe_app.pages.inputs import parse_id
from recipe_app.state import BrowserState
from recipe_app.web.pictures import picture_url


class RecipeAskState(AskFlow, rx.State):
    """Questions, swaps, picture and version changes of the saved recipe on the page."""

    recipe_id: int = 0
    ingredient_items: list[str] = []
    parent_title: str = ""
    diff: dict[str, list[str]] = {}

    _recipe_json: str = ""
    _title: str = ""
    _diet: str = "none"
    _allergies: list[str] = []

    @rx.event
    async def load(self) -> Any:
        """Read the recipe of the URL, its thread, picture, the cook's allergies and its parent's
        differences; ask for a picture when an image model is set and none is kept yet."""
        await self._recover_lost()
        recipe_id = parse_id(self.router.url.path.rstrip("/").rsplit("/", 1)[-1])
        owner = (await self.get_state(BrowserState)).owner_id()
        row = await asyncio.to_thread(recipes.get_recipe, owner, recipe_id) if recipe_id is not None else None
        if row is None or row.id is None:
            self.recipe_id, self._recipe_json = 0, ""
            return None
        if row.id != self.recipe_id:  # another recipe: nothing of the last one's questions stays
            self.question, self.ask_status, self.answer, self.change, self.ask_error = "", "idle", "", "", ""
            self.swap_line, self.swaps, self.swap_status, self.swap_error = "", [], "idle", ""
        recipe = Recipe.model_validate_json(row.recipe_json)
        self.recipe_id, self._recipe_json, self._title = row.id, row.recipe_json, row.title
        self._diet = row.diet if row.diet in DIETS else "none"
        self._allergies = await asyncio.to_thread(threads.request_allergies, row.generation_id)
        self.thread = threads.read_thread(row)
        self.ingredient_items = list(dict.fromkeys(i.item[:MAX_ITEM_CHARS] for i in recipe.recipeIngredient))
        self._drawn_uri, self.can_draw = illustration_uri(recipe), pictures_enabled(get_settings())
        kept = picture_url(row.id, await asyncio.to_thread(pictures.picture_version, owner, row.id))
        if not self.drawing:
            self.picture_uri, self.picture_status, self.picture_error = kept or self._drawn_uri, "idle", ""
        parent = await asyncio.to_thread(recipes.get_recipe, owner, row.parent_id) if row.parent_id else None
        self.parent_title, self.diff = "", {}
        if parent is not None:
            changes = diff_versions(Recipe.model_validate_json(parent.recipe_json), recipe)
            self.parent_title = parent.title
            self.diff = {
                "added": changes.added, "removed": changes.removed, "changed": changes.changed,
                "steps_added": changes.steps_added, "steps_removed": changes.steps_removed,
                "steps_changed": changes.steps_changed,
            }
        return RecipeAskState.draw_picture if self.can_draw and not kept and not self.drawing else None

    async def _subject(self) -> Subject | None:
        if not self._recipe_json:
            return None
        return Subject(self._recipe_json, self._title, self._diet, list(self._allergies), list(self.ingredient_items),
                       recipe_id=self.recipe_id)

    async def _keep_picture(self, owner: str, subject: Subject, data_uri: str, model: str) -> str:
        version = await asyncio.to_thread(pictures.keep_picture, owner, subject.recipe_id, data_uri, model)
        return picture_url(subject.recipe_id, version)

    async def _keep(self, owner: str, question: str, answer: str) -> list[dict[str, str]]:
        kept = await asyncio.to_thread(threads.add_to_thread, owner, self.recipe_id, question, answer)
        return kept if kept is not None else await super()._keep(owner, question, answer)


def _diff_list(label: str, key: str, colour: str) -> rx.Component:
    items = RecipeAskState.diff[key].to(list[str])
    return rx.cond(
        items.length() > 0,
        rx.vstack(
            rx.text(label, size="2", weight="bold", color_scheme=colour),
            rx.unordered_list(rx.foreach(items, lambda line: rx.list_item(line, class_name=f"diff-{key}"))),
            spacing="1",
            width="100%",
        ),
    )


def version_changes() -> rx.Component:
    """What this version changed from the version it was made from."""
    return rx.cond(
        RecipeAskState.parent_title != "",
        rx.vstack(
            rx.heading("What changed", size="4", as_="h3"),
            rx.text("From the version “", RecipeAskState.parent_title, "”:", size="2", color_scheme="gray"),
            _diff_list("Ingredients added", "added", "green"),
            _diff_list("Ingredients removed", "removed", "red"),
            _diff_list("Ingredients changed", "changed", "amber"),
            _diff_list("Steps added", "steps_added", "green"),
            _diff_list("Steps removed", "steps_removed", "red"),
            _diff_list("Steps changed", "steps_changed", "amber"),
            width="100%",
            spacing="2",
            id="version-diff",
        ),
    )


def around_the_recipe() -> rx.Component:
    """Picture, version changes, questions and swaps, under the saved recipe's card."""
    S = RecipeAskState
    return rx.vstack(
        picture(S),
        version_changes(),
        ask_panel(S),
        swap_panel(S, S.ingredient_items),
        width="100%",
        spacing="5",
    )


__all__ = ["RecipeAskState", "around_the_recipe"]
