"""State of the shopping list (`/shopping`): picked recipes with servings, merged into one list.

The picks and ticks live in the browser's local storage, so the list survives reloads.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

import reflex as rx

from recipe_app.db import recipes
from recipe_app.kitchen.shopping import build_shopping_list, shopping_list_text
from recipe_app.domain.recipe import Recipe
from recipe_app.state import BrowserState

MAX_PICKS = 20


def _load(text: str) -> dict[str, Any]:
    try:
        value = json.loads(text or "{}")
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


class ShoppingState(rx.State):
    """Picked recipes and the merged list."""

    picks_json: str = rx.LocalStorage("{}", name="recipe_studio_shopping", sync=True)
    ticked_json: str = rx.LocalStorage("[]", name="recipe_studio_ticked", sync=True)
    picked: list[dict[str, Any]] = []  # id, title, servings
    groups: list[dict[str, Any]] = []  # name, items: [{key, text, sources}]
    text: str = ""

    @rx.var
    def ticked(self) -> list[str]:
        """Keys of the ticked items."""
        try:
            value = json.loads(self.ticked_json or "[]")
        except ValueError:
            return []
        return [str(v) for v in value] if isinstance(value, list) else []

    @rx.event
    def add_recipe(self, recipe_id: int, servings: int) -> Any:
        """Put a recipe (at its servings) on the list."""
        picks = _load(self.picks_json)
        if len(picks) >= MAX_PICKS and str(recipe_id) not in picks:
            return rx.toast.warning(f"The list holds at most {MAX_PICKS} recipes.")
        picks[str(int(recipe_id))] = min(max(int(servings), 1), 24)
        self.picks_json = json.dumps(picks)
        return rx.toast.success("Added to the shopping list")

    @rx.event
    async def set_servings(self, recipe_id: int, value: str) -> None:
        """Change the servings of one picked recipe."""
        picks = _load(self.picks_json)
        try:
            servings = min(max(int(value), 1), 24)
        except ValueError:
            return
        if str(recipe_id) in picks:
            picks[str(recipe_id)] = servings
            self.picks_json = json.dumps(picks)
            await self.load()

    @rx.event
    async def remove(self, recipe_id: int) -> None:
        """Take a recipe off the list."""
        picks = _load(self.picks_json)
        picks.pop(str(recipe_id), None)
        self.picks_json = json.dumps(picks)
        await self.load()

    @rx.event
    async def clear(self) -> None:
        """Start a new list."""
        self.picks_json, self.ticked_json = "{}", "[]"
        await self.load()

    @rx.event
    def toggle(self, key: str) -> None:
        """Tick or untick one item."""
        ticked = set(self.ticked)
        ticked.symmetric_difference_update({key})
        self.ticked_json = json.dumps(sorted(ticked))

    @rx.event
    def copy_text(self) -> Any:
        """The list as plain text on the clipboard."""
        return [rx.set_clipboard(self.text), rx.toast.success("Shopping list copied")]

    @rx.event
    async def load(self) -> None:
        """Build the merged list from the picks (recipes of other browsers are never read)."""
        owner = (await self.get_state(BrowserState)).owner_id()
        picks = _load(self.picks_json)
        rows = [await asyncio.to_thread(recipes.get_recipe, owner, int(rid)) for rid in picks if str(rid).isdigit()]
        selections = []
        picked = []
        for row in rows:
            if row is None:
                continue
            servings = int(picks[str(row.id)])
            selections.append((row.title, Recipe.model_validate_json(row.recipe_json), servings))
            picked.append({"id": row.id, "title": row.title, "servings": servings})
        groups = build_shopping_list(selections)
        self.picked = picked
        self.groups = group_views(groups)
        self.text = shopping_list_text(groups) if groups else ""


def group_views(groups: list[Any]) -> list[dict[str, Any]]:
    """Plain dicts for the page: one per aisle group, each item with a stable key for ticking."""
    return [
        {
            "name": group.name,
            "items": [
                {"key": f"{group.name}:{item.item}:{item.unit}", "text": item.label, "sources": ", ".join(item.sources)}
                for item in group.items
            ],
        }
        for group in groups
    ]
