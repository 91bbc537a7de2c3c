"""State of the shopping list (`/shopping`): picked recipes with servings, merged into one list.

The picks and ticks live in the browser's local storage, so the list survives reloads. Whoever
holds the browser can edit them: every value read back is bounded (pages/inputs.py) and the picked
recipes are read in one query.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

import reflex as rx

from recipe_app.db import recipes
from recipe_app.kitchen.shopping import build_shopping_list, shopping_list_text
from recipe_app.domain.recipe import Recipe
from recipe_app.pages.inputs import bounded_int, load_json, parse_id
from recipe_app.state import BrowserState

MAX_PICKS = 20
MAX_SERVINGS = 24
#: Ticked items remembered (a list has a few dozen); longer keys are not ours.
MAX_TICKED = 500
MAX_KEY_CHARS = 300


def load_picks(text: Any) -> dict[int, int]:
    """The stored picks as {recipe id: servings}: valid entries only, at most MAX_PICKS of them."""
    picks: dict[int, int] = {}
    for key, value in load_json(text, dict).items():
        recipe_id, servings = parse_id(key), bounded_int(value, 1, MAX_SERVINGS)
        if recipe_id is not None and servings is not None:
            picks[recipe_id] = servings
        if len(picks) >= MAX_PICKS:
            break
    return picks


def _dump(picks: dict[int, int]) -> str:
    return json.dumps({str(k): v for k, v in picks.items()})


class ShoppingState(rx.State):
    """Picked recipes and the merged list."""

    picks_json: str = rx.LocalStorage("{}", name="recipe_studio_shopping", sync=True)
    ticked_json: str = rx.LocalStorage("[]", name="recipe_studio_ticked", sync=True)
    picked: list[dict[str, Any]] = []  # id, title, servings
    groups: list[dict[str, Any]] = []  # name, items: [{key, text, sources}]
    text: str = ""

    @rx.var
    def ticked(self) -> list[str]:
        """Keys of the ticked items (strings of a sane length only)."""
        values = load_json(self.ticked_json, list)[:MAX_TICKED]
        return [v for v in values if isinstance(v, str) and len(v) <= MAX_KEY_CHARS]

    @rx.var
    def picked_ids(self) -> list[int]:
        """Ids of the recipes on the list (for "On the list" buttons on other pages)."""
        return list(load_picks(self.picks_json))

    @rx.event
    def remove_recipe(self, recipe_id: int) -> Any:
        """Take a recipe off the list from another page."""
        picks = load_picks(self.picks_json)
        picks.pop(parse_id(recipe_id) or 0, None)
        self.picks_json = _dump(picks)
        return rx.toast.info("Removed from the shopping list")

    @rx.event
    def add_recipe(self, recipe_id: int, servings: int) -> Any:
        """Put a recipe (at its servings) on the list."""
        rid, count = parse_id(recipe_id), bounded_int(servings, 1, MAX_SERVINGS)
        if rid is None or count is None:
            return rx.toast.error("That recipe cannot be added.")
        picks = load_picks(self.picks_json)
        if len(picks) >= MAX_PICKS and rid not in picks:
            return rx.toast.warning(f"The list holds at most {MAX_PICKS} recipes.")
        picks[rid] = count
        self.picks_json = _dump(picks)
        return rx.toast.success("Added to the shopping list")

    @rx.event
    async def set_servings(self, recipe_id: int, value: str) -> None:
        """Change the servings of one picked recipe."""
        picks = load_picks(self.picks_json)
        rid, servings = parse_id(recipe_id), bounded_int(value, 1, MAX_SERVINGS)
        if servings is None or rid not in picks:
            return
        picks[rid] = servings
        self.picks_json = _dump(picks)
        await self.load()

    @rx.event
    async def remove(self, recipe_id: int) -> None:
        """Take a recipe off the list."""
        picks = load_picks(self.picks_json)
        picks.pop(parse_id(recipe_id) or 0, None)
        self.picks_json = _dump(picks)
        await self.load()

    @rx.event
    async def clear(self) -> None:
        """Start a new list."""
        self.picks_json, self.ticked_json = "{}", "[]"
        await self.load()

    @rx.event
    def toggle(self, key: str) -> None:
        """Tick or untick one item."""
        if not isinstance(key, str) or len(key) > MAX_KEY_CHARS:
            return
        ticked = set(self.ticked)
        ticked.symmetric_difference_update({key})
        self.ticked_json = json.dumps(sorted(ticked)[:MAX_TICKED])

    @rx.event
    def copy_text(self) -> Any:
        """The list as plain text on the clipboard."""
        return [rx.set_clipboard(self.text), rx.toast.success("Shopping list copied")]

    @rx.event
    async def load(self) -> None:
        """Build the merged list from the picks (recipes of other browsers are never read)."""
        owner = (await self.get_state(BrowserState)).owner_id()
        picks = load_picks(self.picks_json)
        found = await asyncio.to_thread(recipes.get_recipes, owner, list(picks))
        selections = []
        picked = []
        for rid, servings in picks.items():
            if (row := found.get(rid)) is None:
                continue
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
