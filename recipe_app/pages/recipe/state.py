"""State of one saved recipe (`/recipes/[recipe_id]`): scale, convert, rate, edit, share, export."""

from __future__ import annotations

import asyncio
import json
import re
from typing import Any
from urllib.parse import quote

import reflex as rx
from pydantic import ValidationError

from recipe_app.components.recipe_view import RecipeViewVars
from recipe_app.db import recipes
from recipe_app.kitchen.export import ingredient_text, json_ld, markdown
from recipe_app.kitchen.parse import parse_lines
from recipe_app.kitchen.scaling import scale_recipe
from recipe_app.kitchen.units import convert, dimension
from recipe_app.kitchen.card import card_fields
from recipe_app.domain.recipe import HowToStep, Recipe
from recipe_app.domain.request import MAX_TEXT_CHARS, clean_text
from recipe_app.pages.inputs import bounded_int, clean_lines, clean_paragraphs, parse_id, typing_text
from recipe_app.state import BrowserState

UNIT_SYSTEMS = ("as written", "metric", "us")
MAX_NOTES_CHARS = 2000
MAX_SERVINGS = 24


def view_of(recipe: Recipe, servings: int, units: str) -> dict[str, Any]:
    """The card of a recipe scaled to ``servings`` and shown in ``units``."""
    if servings != recipe.recipeYield:
        recipe = scale_recipe(recipe, servings)
    data = recipe.model_dump()
    if units in ("metric", "us"):
        for line in data["recipeIngredient"]:
            if line["quantity"] is not None and dimension(line["unit"]) in ("mass", "volume"):
                line["quantity"], line["unit"] = convert(line["quantity"], line["unit"], units)
    return card_fields(data, final=True)


def _slug_file(title: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")[:60] or "recipe"


class RecipeState(RecipeViewVars, rx.State):
    """One saved recipe of this browser."""

    recipe_id: int = 0
    found: bool = True
    loaded: bool = False
    deleted: bool = False
    notes: str = ""
    rating: int = 0
    favourite: bool = False
    diet: str = "none"
    created: str = ""
    version_note: str = ""
    versions: list[dict[str, Any]] = []
    share_path: str = ""
    servings_choice: int = 1
    units: str = "as written"
    editing: bool = False
    edit_title: str = ""
    edit_ingredients: str = ""
    edit_steps: str = ""
    edit_error: str = ""
    change_request: str = ""

    _recipe_json: str = ""

    def _recipe(self) -> Recipe:
        return Recipe.model_validate_json(self._recipe_json)

    def _show(self) -> None:
        self._show_card(view_of(self._recipe(), self.servings_choice, self.units))

    async def _owner(self) -> str:
        return (await self.get_state(BrowserState)).owner_id()

    def _take(self, row: Any) -> None:
        self.recipe_id = row.id
        self._recipe_json = row.recipe_json
        self.notes = row.notes or ""
        self.rating = row.rating or 0
        self.favourite = bool(row.favourite)
        self.diet = row.diet
        self.version_note = row.version_note or ""
        self.created = row.created_at.strftime("%d %b %Y")
        self.share_path = f"/r/{row.share_slug}" if row.share_slug else ""

    @rx.event
    async def load(self) -> None:
        """Read the recipe named in the URL; another browser's recipe is simply not found."""
        recipe_id = parse_id(self.router.url.path.rstrip("/").rsplit("/", 1)[-1])
        owner = await self._owner()
        row = await asyncio.to_thread(recipes.get_recipe, owner, recipe_id) if recipe_id is not None else None
        self.loaded, self.found, self.deleted, self.editing = True, row is not None, False, False
        if row is None:
            self._recipe_json = ""
            return
        self._take(row)
        self.servings_choice = self._recipe().recipeYield
        self._show()
        chain = await asyncio.to_thread(recipes.versions, owner, row.id)
        self.versions = [
            {"id": v.id, "href": f"/recipes/{v.id}", "title": v.title, "note": v.version_note or "original",
             "when": v.created_at.strftime("%d %b %H:%M"), "current": v.id == row.id}
            for v in chain
        ]

    @rx.event
    def set_servings_choice(self, value: str) -> None:
        """Scale to another number of servings (no model call)."""
        servings = bounded_int(value, 1, MAX_SERVINGS)
        if servings is None or not self._recipe_json:
            return
        self.servings_choice = servings
        self._show()

    @rx.event
    def set_units(self, value: str) -> None:
        """Show quantities as written, in metric or in US units."""
        self.units = value if value in UNIT_SYSTEMS else "as written"
        if self._recipe_json:
            self._show()

    @rx.event
    async def toggle_favourite(self) -> None:
        """Mark or unmark as favourite."""
        row = await asyncio.to_thread(recipes.update_recipe, await self._owner(), self.recipe_id, favourite=not self.favourite)
        if row is not None:
            self.favourite = bool(row.favourite)

    @rx.event
    async def set_rating(self, value: int) -> None:
        """Rate 1-5 stars (clicking the current rating clears it)."""
        stars = bounded_int(value, 1, 5)
        if stars is None:
            return
        rating = 0 if stars == self.rating else stars
        row = await asyncio.to_thread(recipes.update_recipe, await self._owner(), self.recipe_id, rating=rating)
        if row is not None:
            self.rating = row.rating or 0

    @rx.event
    async def save_notes(self, value: str) -> Any:
        """Keep the cook's notes (on blur)."""
        value = clean_paragraphs(value, MAX_NOTES_CHARS)
        if value == self.notes:
            return None
        row = await asyncio.to_thread(recipes.update_recipe, await self._owner(), self.recipe_id, notes=value)
        if row is not None:
            self.notes = row.notes or ""
            return rx.toast.success("Notes saved")
        return None

    @rx.event
    async def share(self) -> Any:
        """Create (or show) the read-only link."""
        slug = await asyncio.to_thread(recipes.share_recipe, await self._owner(), self.recipe_id)
        if slug:
            self.share_path = f"/r/{slug}"
            return rx.toast.success("Anyone with the link can now see this recipe")
        return None

    @rx.event
    async def revoke_share(self) -> Any:
        """Turn the link off."""
        if await asyncio.to_thread(recipes.revoke_share, await self._owner(), self.recipe_id):
            self.share_path = ""
            return rx.toast.success("The link no longer works")
        return None

    @rx.event
    async def delete(self) -> None:
        """Delete (after confirmation in the page); Undo stays available."""
        self.deleted = await asyncio.to_thread(recipes.delete_recipe, await self._owner(), self.recipe_id)

    @rx.event
    async def undo_delete(self) -> Any:
        """Bring the recipe back."""
        if await asyncio.to_thread(recipes.restore_recipe, await self._owner(), self.recipe_id):
            self.deleted = False
            return rx.toast.success("Recipe restored")
        return None

    @rx.event
    def download_markdown(self) -> Any:
        """The recipe as a Markdown file."""
        recipe = self._recipe()
        return rx.download(data=markdown(recipe), filename=f"{_slug_file(recipe.name)}.md")

    @rx.event
    def download_json_ld(self) -> Any:
        """The recipe as schema.org/Recipe JSON-LD."""
        recipe = self._recipe()
        data = json.dumps(json_ld(recipe, diet=self.diet), indent=2, ensure_ascii=False)
        return rx.download(data=data, filename=f"{_slug_file(recipe.name)}.jsonld")

    @rx.event
    def start_edit(self) -> None:
        """Open the editor with the recipe as written (one ingredient or step per line)."""
        recipe = self._recipe()
        self.edit_title = recipe.name
        self.edit_ingredients = "\n".join(ingredient_text(i.model_dump()) for i in recipe.recipeIngredient)
        self.edit_steps = "\n".join(s.text for s in recipe.recipeInstructions)
        self.edit_error = ""
        self.editing = True

    @rx.event
    def cancel_edit(self) -> None:
        """Close the editor without saving."""
        self.editing, self.edit_error = False, ""

    @rx.event
    async def save_edit(self, form: dict[str, Any]) -> Any:
        """Save the edited title, ingredients and steps (free-text lines are parsed, not sent anywhere)."""
        title = clean_text(str(form.get("title", "")))[:MAX_TEXT_CHARS]
        lines = clean_lines(form.get("ingredients", ""), max_lines=60, max_chars=MAX_TEXT_CHARS)
        steps = clean_lines(form.get("steps", ""), max_lines=40, max_chars=1000)
        self.edit_title, self.edit_ingredients, self.edit_steps = title, "\n".join(lines), "\n".join(steps)
        ingredients = parse_lines(lines)  # headings pasted with the list ("For the sauce:") are left out
        if not title or not ingredients or not steps:
            self.edit_error = "A recipe needs a title, at least one ingredient and at least one step."
            return None
        try:
            recipe = self._recipe().model_copy(
                update={
                    "name": title,
                    "recipeIngredient": ingredients,
                    "recipeInstructions": [HowToStep(text=s) for s in steps],
                }
            )
            recipe = Recipe.model_validate(recipe.model_dump())
        except ValidationError:
            self.edit_error = "Some lines could not be read. Please check them."
            return None
        row = await asyncio.to_thread(recipes.update_recipe, await self._owner(), self.recipe_id, recipe=recipe)
        if row is None:
            return None
        self._take(row)
        self.editing, self.edit_error = False, ""
        self._show()
        return rx.toast.success("Recipe saved")

    @rx.event
    def set_change_request(self, value: str) -> None:
        """What to change in a new version ("make it vegan", "no oven")."""
        self.change_request = typing_text(value, MAX_TEXT_CHARS)

    @rx.event
    def regenerate_with_changes(self) -> Any:
        """Open the studio to stream a new version of this recipe with the requested changes."""
        change = clean_text(self.change_request)
        if not change:
            return rx.toast.warning("Say what to change, e.g. “make it vegan”.")
        return rx.redirect(f"/?from={self.recipe_id}&change={quote(change, safe='')}")
